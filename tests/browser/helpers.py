"""Small helpers for browser tests: look in the live server's database, wait for a condition,
register a tablet as a kiosk."""

from __future__ import annotations

import time
from datetime import timedelta

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Center, Submission
from feedback.services.kiosks import create_kiosk


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


def register_kiosk(live_server, page, center_code: str = "baku-1", desk: str = "3") -> str:
    """Make ``page`` the kiosk of a desk, its pages in English; return the kiosk's start path."""
    with live_server.app.app_context():
        center = db.session.scalar(sa.select(Center).where(Center.code == center_code))
        _, code = create_kiosk(center, desk, registration_ttl=timedelta(minutes=5))
        db.session.commit()
        db.session.remove()
    start = f"/kiosk/{center_code}/{desk}"
    page.goto(live_server.url(f"/kiosk/register?code={code}&lang=en"))
    page.get_by_role("button", name="Register").click()
    page.wait_for_url(live_server.url(start))
    return start
