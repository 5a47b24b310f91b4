"""Consistent database backups while the app keeps serving."""

from __future__ import annotations

import logging
import os
import re
import shutil
import sqlite3
import subprocess  # nosec B404
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy.engine import URL

from feedback.models import AdminAction, User
from feedback.services import audit
from feedback.services.retention import MAX_RETENTION_DAYS

log = logging.getLogger(__name__)

#: The names ``flask db backup`` gives its files. Pruning goes by the time in the name (a copied
#: file keeps it, unlike its modification time) and touches no other file in the folder.
BACKUP_NAME = re.compile(r"^rey-(\d{8}-\d{6})\.(?:sqlite3|dump)$")
_STAMP = "%Y%m%d-%H%M%S"
#: Citizens' requests to erase, one reference a line, kept beside the backups (see ``note_erasure``).
ERASURE_LIST = "erased-references.txt"


class BackupError(RuntimeError):
    """The backup could not be made; the message says what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size_bytes: int
    tables: dict[str, int]


def backup_sqlite(database: Path, target: Path) -> BackupResult:
    """Copy a live SQLite database page by page with sqlite3's online backup API.

    Writers may go on meanwhile: the copy is a consistent snapshot, which a plain file copy of a
    database in WAL mode is not. The copy is checked with ``PRAGMA integrity_check``.
    """
    if not database.exists():
        raise BackupError(f"no database at {database}")
    if target.exists() and target.resolve() == database.resolve():
        raise BackupError("the backup must go to another file than the database itself")
    _make_parent(target)
    try:
        source = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy, pages=1024)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            (status,) = copy.execute("PRAGMA integrity_check").fetchone()
            if status != "ok":
                raise BackupError(f"the copy failed its integrity check: {status}")
            names = {r[0] for r in copy.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            tables = {}
            if "submissions" in names:
                tables["submissions"] = copy.execute("SELECT count(*) FROM submissions").fetchone()[0]
        finally:
            copy.close()
            source.close()
    except sqlite3.Error as exc:  # a full disk, a target that is some other kind of file, ...
        raise BackupError(f"could not write the backup to {target}: {exc}") from None
    return BackupResult(target, target.stat().st_size, tables)


def _make_parent(target: Path) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"cannot create the folder for {target}: {exc.strerror or exc}") from None


def pg_dump_command(pg_dump: str, url: URL, target: Path) -> tuple[list[str], dict[str, str]]:
    """pg_dump's arguments and environment for the database at ``url``. The password goes in the
    environment (PGPASSWORD), not on the command line, where any user of the host can read it."""
    dbname = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                        database=url.database, query=url.query).render_as_string(hide_password=False)
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    return [pg_dump, "--format=custom", "--no-owner", f"--file={target}", f"--dbname={dbname}"], env


def backup_postgresql(url: URL, target: Path) -> BackupResult:
    """Run pg_dump in its custom format: a consistent snapshot taken in one transaction."""
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError(
            "pg_dump is not installed here. Install the PostgreSQL client of the server's major version "
            "(apt-get install postgresql-client) or run on the database host: "
            "pg_dump --format=custom --file=rey.dump DBNAME"
        )
    _make_parent(target)
    # A fixed program with an argument list and no shell; the URL comes from our own config.
    argv, env = pg_dump_command(pg_dump, url, target)
    result = subprocess.run(  # noqa: S603 # nosec B603
        argv, env=env, capture_output=True, text=True, check=False, timeout=3600,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return BackupResult(target, target.stat().st_size, {})


def backup_path(folder: Path, now: datetime, suffix: str) -> Path:
    """Where ``flask db backup`` writes by default; ``prune_backups`` knows the name."""
    return folder / f"rey-{now.astimezone(timezone.utc).strftime(_STAMP)}.{suffix}"


def _made_at(path: Path) -> datetime | None:
    match = BACKUP_NAME.match(path.name)
    if match is None:
        return None
    try:
        return datetime.strptime(match[1], _STAMP).replace(tzinfo=timezone.utc)
    except ValueError:  # "rey-20261399-..."
        return None


def prune_backups(folder: Path, *, now: datetime, keep_days: int, actor: User | None = None) -> list[Path]:
    """Delete the backups in ``folder`` made more than ``keep_days`` ago, and log it.

    A backup holds contacts and comments as they were typed, and neither the retention purge nor
    a citizen's erasure reaches into it: deleting it on a schedule is what keeps those promises for
    backups. Files of other names are left alone. The audit line is added to the session; the
    caller commits.
    """
    if not 1 <= keep_days <= MAX_RETENTION_DAYS:
        raise BackupError(f"backups must be kept from 1 to {MAX_RETENTION_DAYS} days "
                          f"(REY_BACKUP_RETENTION_DAYS is {keep_days})")
    cutoff = now - timedelta(days=keep_days)
    try:
        candidates = sorted(folder.iterdir()) if folder.is_dir() else []
    except OSError as exc:
        raise BackupError(f"cannot read the backup folder {folder}: {exc.strerror or exc}") from None
    deleted = []
    for path in candidates:
        made = _made_at(path)
        if made is None or made >= cutoff or not path.is_file():
            continue
        try:
            path.unlink()
        except OSError as exc:
            raise BackupError(f"cannot delete the expired backup {path}: {exc.strerror or exc}") from None
        deleted.append(path)
    audit.record(AdminAction.backups_pruned, f"{keep_days} days", actor=actor, now=now,
                 details={"deleted": [p.name for p in deleted], "made_before": cutoff.isoformat()})
    log.info("deleted %d backups made before %s from %s", len(deleted), cutoff.isoformat(), folder)
    return deleted


def note_erasure(folder: Path, reference: str, now: datetime) -> None:
    """Add a citizen's erasure to the list kept beside the backups.

    A backup made before the erasure still holds what was erased, and restoring it brings that
    back, together with a database that no longer knows of the request. This list, kept (and
    copied off the host) with the backups, is what ``flask privacy erase-again`` reads after a
    restore. References are random codes; the list holds nothing a citizen wrote.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / ERASURE_LIST, "a", encoding="utf-8") as listing:
            listing.write(f"{now.astimezone(timezone.utc).isoformat(timespec='seconds')} {reference}\n")
    except OSError as exc:
        raise BackupError(f"could not add {reference} to {folder / ERASURE_LIST}: {exc.strerror or exc}") from None


def erased_references(folder: Path) -> list[str]:
    """The references on the erasure list, oldest first, each once."""
    try:
        lines = (folder / ERASURE_LIST).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise BackupError(f"cannot read {folder / ERASURE_LIST}: {exc.strerror or exc}") from None
    references = (line.split()[-1] for line in lines if line.strip())
    return list(dict.fromkeys(references))
