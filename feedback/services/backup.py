"""Consistent database backups while the app keeps serving."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # nosec B404
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL


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
