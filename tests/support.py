"""Helpers that test modules import by name.

They live here rather than in ``conftest.py`` because ``tests/ml`` has a conftest of its own, and
``from support import ...`` would pick whichever of the two Python imported first.
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from feedback.config import sqlalchemy_url

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "ml" / "corpus"
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])

_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _postgres_url() -> str:
    return sqlalchemy_url(os.environ["TEST_DATABASE_URL"])


class NoModel:
    """A classifier without a model, as the app runs before one is trained: flags on ratings alone."""

    def judge(self, _text):
        return None


def csrf_token_from(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


_ONCE = re.compile(r'id="once" name="once" type="hidden" value="([^"]+)"')


def once_from(html: str) -> str:
    """The one-time value of an admin form that creates something and shows its secret once."""
    match = _ONCE.search(html)
    assert match, "the page has no one-time form value"
    return match.group(1)


def login_as(client, username: str, password: str = "correct horse 42") -> None:  # noqa: S107 (factories' default)
    """Sign ``client`` in through the login form, as a person would."""
    token = csrf_token_from(client.get("/review/login").get_data(as_text=True))
    response = client.post("/review/login", data={"csrf_token": token, "username": username, "password": password})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[-500:]


def login_admin(app, client, username: str = "admin.1") -> str:
    """Make an admin account, sign ``client`` in with it, and return a CSRF token for admin forms."""
    from factories import make_user

    with app.app_context():
        make_user(username, "admin")
    token = csrf_token_from(client.get("/review/login").get_data(as_text=True))
    client.post("/review/login", data={"csrf_token": token, "username": username, "password": "correct horse 42"})
    return csrf_token_from(client.get("/admin/centers/new").get_data(as_text=True))


@contextmanager
def sql_sent(engine):
    """Record the SQL statements and count the commits sent through ``engine`` while the block runs.

    ``seen["autocommit"]`` says for each statement whether its connection was in autocommit (None
    where the driver cannot tell, as sqlite3 before Python 3.12).
    """
    seen = {"commits": 0, "statements": [], "autocommit": []}

    def on_commit(_conn):
        seen["commits"] += 1

    def on_statement(conn, _cursor, statement, *_args):
        seen["statements"].append(statement)
        seen["autocommit"].append(getattr(conn.connection.dbapi_connection, "autocommit", None))

    sa.event.listen(engine, "commit", on_commit)
    sa.event.listen(engine, "before_cursor_execute", on_statement)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "commit", on_commit)
        sa.event.remove(engine, "before_cursor_execute", on_statement)
