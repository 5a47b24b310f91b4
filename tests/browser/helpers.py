"""Small helpers for browser tests: look in the live server's database, wait for a condition."""

from __future__ import annotations

import time

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Submission


def stored_with(live_server, comment: str) -> list[Submission]:
    """Submissions the live server stored with this exact comment."""
    with live_server.app.app_context():
        rows = db.session.scalars(sa.select(Submission).where(Submission.comment == comment)).all()
        db.session.remove()
        return rows


def wait_for(predicate, timeout: float = 10.0):
    """Poll ``predicate`` until it returns something truthy or the time is up; return its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    return predicate()
