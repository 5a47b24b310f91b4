"""Database binding, per-connection settings, ids as they come in from outside, and rows inserted
or counted without the unit of work."""

from __future__ import annotations

import functools
from typing import TypeVar

import sqlalchemy as sa
from flask import Flask
from werkzeug.routing import IntegerConverter
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from feedback.extensions import db

Model = TypeVar("Model")

#: The largest id a row can have: PostgreSQL's ``integer``. A larger number in a URL or a form names
#: nothing, and sent to the database it would fail the query instead of finding no row.
MAX_ID = 2**31 - 1

#: Milliseconds a writer waits for SQLite's lock before giving up.
SQLITE_BUSY_TIMEOUT_MS = 10_000


def _configure_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets citizens submit while officers read; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _limit_statements(milliseconds: int, dbapi_connection, _record) -> None:
    # A statement that waits this long (for a lock a migration holds, say) is cancelled: the
    # request answers 503 (feedback.errors) and frees its thread instead of waiting without end.
    with dbapi_connection.cursor() as cursor:
        cursor.execute(f"SET statement_timeout = {int(milliseconds)}")
    dbapi_connection.commit()


#: INSERT constructs that know ``ON CONFLICT DO NOTHING``.
_UPSERT_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


@functools.cache
def _insert_unless_present(table: sa.Table, column: str, dialect: str):
    insert = _UPSERT_INSERTS.get(dialect)
    if insert is None:
        return sa.insert(table).returning(table.c.id)
    return insert(table).on_conflict_do_nothing(index_elements=[table.c[column]]).returning(table.c.id)


def insert_unless_present(table: sa.Table, column: str):
    """An ``INSERT … RETURNING id`` that stores nothing and returns no row if ``column``'s value is taken.

    On PostgreSQL and SQLite this is ``ON CONFLICT (column) DO NOTHING``, which waits for a racing
    transaction holding the same value and then yields no row, so the caller can read the winner's
    row without a rollback; elsewhere the unique index raises IntegrityError as usual. NULLs never
    conflict. Built once per table, column and database kind.
    """
    return _insert_unless_present(table, column, db.session.get_bind().dialect.name)


class RowIdConverter(IntegerConverter):
    """``<int:...>`` in a route: a row's id, so 0 or a number past ``MAX_ID`` is a 404 like any id of
    no row (0 also reads as "no id" to a view that takes an optional one, such as the new-user form)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def row_id(value: str | None) -> int | None:
    """The id a query or form value names, or None if it can name no row (``"²"`` is a digit to
    ``str.isdigit`` but not to ``int``)."""
    if not value or not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def attach_inserted(model: type[Model], values: dict) -> Model:
    """Return a row just INSERTed with a Core statement as a persistent object of the session.

    The object is built from the values that were sent (including the id the INSERT returned), so it
    reads as loaded without a SELECT; columns missing from ``values`` load on first access. Hot
    paths use this because the ORM's unit of work costs more CPU than the INSERT itself.
    """
    instance = model(**values)
    make_transient_to_detached(instance)
    db.session.add(instance)
    return instance


def flush_unless_taken() -> bool:
    """Flush; False when a unique index refused a row because another request stored its twin
    meanwhile (a form sent twice at once: both found the code free). The caller refuses it as taken
    and rolls back."""
    try:
        db.session.flush()
    except IntegrityError:
        return False
    return True


def add_one(row, column) -> int:
    """Add one to ``column`` (e.g. ``User.failed_logins``) of ``row`` in the database itself, not on
    the loaded object: requests doing it at once each read the same loaded value, and each writing
    that value plus one would count them all as one. Returns the new value, set on ``row`` as loaded."""
    model = type(row)
    value = db.session.execute(
        sa.update(model).where(model.id == row.id).values({column: column + 1})
        .returning(column).execution_options(synchronize_session=False)
    ).scalar_one()
    set_committed_value(row, column.key, value)
    return value


def init_app(app: Flask) -> None:
    # Before any blueprint is registered: routes pick their converters when they are added.
    app.url_map.converters["int"] = RowIdConverter
    db.init_app(app)
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _configure_sqlite)
        seconds = app.config.get("DB_STATEMENT_TIMEOUT_SECONDS")
        if engine.dialect.name == "postgresql" and seconds:
            event.listen(engine, "connect", functools.partial(_limit_statements, round(seconds * 1000)))
