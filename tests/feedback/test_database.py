"""SQLite settings that keep submissions safe under concurrency, and online backups."""

import os
import shutil
import sqlite3
import threading

import pytest
import sqlalchemy as sa

from factories import make_center, make_submission
from feedback.extensions import db
from feedback.models import Center


@pytest.fixture
def sqlite_only(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite settings")
    return app


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(sqlite_only):
    with sqlite_only.app_context():
        assert db.session.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(sa.text("PRAGMA busy_timeout")).scalar() >= 5000
        assert db.session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1


def test_a_reader_does_not_block_a_writer(sqlite_only):
    # In WAL mode an open read transaction (an officer's long export) does not stop citizens' writes.
    with sqlite_only.app_context():
        center = make_center("baku-1")
        path = db.engine.url.database
    reader = sqlite3.connect(path, timeout=0.1)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM submissions").fetchone()
    with sqlite_only.app_context():
        make_submission(db.session.merge(center), comment="written while a reader is open")
    reader.rollback()
    reader.close()


def test_backup_while_writers_keep_writing_is_consistent(sqlite_only, runner, tmp_path):
    with sqlite_only.app_context():
        center_id = make_center("baku-1").id
        for n in range(50):
            make_submission(_center(center_id), comment=f"before {n}")
    stop = threading.Event()

    def write():
        with sqlite_only.app_context():
            n = 0
            while not stop.is_set():
                make_submission(_center(center_id), comment=f"during {n}")
                n += 1
            db.session.remove()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        result = runner.invoke(args=["db", "backup", "--output", str(tmp_path / "copy.sqlite3")])
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = copy.execute("SELECT count(*) FROM submissions").fetchone()[0]
    assert stored >= 50 and f"submissions: {stored} rows" in result.output
    assert not (tmp_path / "copy.sqlite3-wal").exists()


@pytest.mark.parametrize("where", ["a text file", "under a file", "the database itself"])
def test_a_backup_that_cannot_be_written_says_why(sqlite_only, runner, tmp_path, where):
    """A message and a non-zero exit, not a traceback; the database is left as it was."""
    with sqlite_only.app_context():
        make_submission(make_center("baku-1"), comment="kept")
        database = db.engine.url.database
    (tmp_path / "notes.txt").write_text("not a database")
    target = {"a text file": tmp_path / "notes.txt", "under a file": tmp_path / "notes.txt" / "copy.sqlite3",
              "the database itself": database}[where]
    result = runner.invoke(args=["db", "backup", "--output", str(target)])
    # A ClickException: its message, exit status 1 (an uncaught error would be the exception itself).
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    assert result.output.startswith("Error: ") and str(tmp_path if where != "the database itself" else "another file") in result.output
    with sqlite_only.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Center)) == 1


def _center(center_id):
    return db.session.get(Center, center_id)


def test_backup_of_postgresql_runs_pg_dump(app, runner, tmp_path):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL backup")
        make_submission(make_center("baku-1"), comment="kept")
    if shutil.which("pg_dump") is None:
        result = runner.invoke(args=["db", "backup", "--output", str(tmp_path / "rey.dump")])
        assert result.exit_code != 0 and "pg_dump" in result.output
        return
    result = runner.invoke(args=["db", "backup", "--output", str(tmp_path / "rey.dump")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "rey.dump").stat().st_size > 0 and "pg_restore" in result.output


def test_pg_dump_gets_the_password_in_its_environment_not_on_its_command_line(tmp_path):
    # Any user of the host can read another process's command line (ps).
    from sqlalchemy.engine import make_url

    from feedback.services.backup import pg_dump_command

    url = make_url("postgresql+psycopg://rey:s3cret-pw@db.internal:5432/rey")
    argv, env = pg_dump_command("/usr/bin/pg_dump", url, tmp_path / "rey.dump")
    assert not any("s3cret-pw" in arg for arg in argv)
    assert "--dbname=postgresql://rey@db.internal:5432/rey" in argv
    assert env["PGPASSWORD"] == "s3cret-pw"
    _, without = pg_dump_command("/usr/bin/pg_dump", make_url("postgresql://rey@/rey"), tmp_path / "rey.dump")
    assert without.get("PGPASSWORD") == os.environ.get("PGPASSWORD")
