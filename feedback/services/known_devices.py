"""Browsers staff have signed in on before, which the lock-out after failed logins spares.

The lock-out stops guessing, but it also lets anyone who knows a username (officers' names follow
a pattern) keep that officer out of the queue, for hours as the lock doubles, by failing to sign in
as them now and then. So each successful sign-in leaves a random token in a cookie of its own, and a
browser that shows one for the account it signs in to keeps its own count of failures instead of
the account's: the account's lock does not stop it, and its failures do not lengthen that lock.
A browser that fails as often as the lock allows is spared no longer, so a stolen cookie buys a
guesser no more than one lock's worth of tries.

A browser is forgotten when the account ends every session (a new password, a disabled account,
"sign out on every other computer") and after ``KNOWN_DEVICE_DAYS`` without a sign-in.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa

from feedback.database import add_one
from feedback.extensions import db
from feedback.models import KnownDevice, User
from feedback.services.digests import digest

#: The cookie holding the token; sent with the staff pages only.
COOKIE = "rey_known_device"
COOKIE_PATH = "/review"


def recognise(user: User, token: str | None, *, now: datetime, max_failures: int, days: int) -> KnownDevice | None:
    """The browser with ``token`` if it signed in to ``user`` before and is still spared the lock
    (never when ``days`` is 0: the setting turns the sparing off)."""
    device = _known(user, token) if days > 0 else None
    if (device is None or device.session_version != user.session_version
            or device.last_used_dt < now - timedelta(days=days) or device.failed_logins >= max_failures):
        return None
    return device


def count_failure(device: KnownDevice) -> None:
    add_one(device, KnownDevice.failed_logins)  # tries sent at once must each count


def remember(user: User, token: str | None, *, now: datetime, days: int) -> str | None:
    """Note a successful sign-in from the browser with ``token``: a new token for the cookie when
    the browser was not known for ``user`` (None when the cookie it has goes on serving, or when
    ``days`` is 0 and no browser is remembered)."""
    if days <= 0:
        return None
    # Browsers not seen for longer than they are spared are of no use: delete them as we go.
    db.session.execute(sa.delete(KnownDevice).where(
        KnownDevice.user_id == user.id,
        sa.or_(KnownDevice.last_used_dt < now - timedelta(days=days),
               KnownDevice.session_version != user.session_version)))
    device = _known(user, token)
    if device is not None:
        device.failed_logins = 0
        device.last_used_dt = now
        db.session.flush()
        return None
    token = secrets.token_urlsafe(32)
    db.session.add(KnownDevice(user_id=user.id, token_hash=digest(token), session_version=user.session_version,
                               created_dt=now, last_used_dt=now))
    db.session.flush()
    return token


def _known(user: User, token: str | None) -> KnownDevice | None:
    """The browser of ``token`` if it is known for ``user`` at all (a cookie is at most 100 characters)."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(sa.select(KnownDevice).where(
        KnownDevice.token_hash == digest(token), KnownDevice.user_id == user.id))
