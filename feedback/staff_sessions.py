"""How long a staff sign-in lasts: it ends after a while without activity, and after a working day.

Officers work on shared office computers and step away from them. Without a limit, a browser left
signed in keeps a case queue, citizens' contacts and the admin pages open to whoever sits down next,
and a copied session cookie works until the password changes. Both times are counted in the signed
session cookie itself, so every worker and every server behind the load balancer agrees on them.

Signing out, or a sign-in found over, clears this browser's cookie; a copy of the cookie taken
before (from a shared computer, a proxy's log) would still carry a sign-in whose times hold. So each
sign-in carries a random id, and one that has ended is remembered in the database
(``EndedSignIn``) until the sign-in would have ended anyway.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum

import sqlalchemy as sa
from flask import Flask, current_app, flash, request, session
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from feedback.extensions import db
from feedback.models import EndedSignIn

SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
SIGN_IN_ID = "sign_in_id"
#: Activity is written into the cookie at most this often (seconds), so that a page full of requests
#: does not rewrite it each time; the idle limit is this precise. A short limit gets a finer step
#: (a tenth of it), or "Stay signed in" could not extend it.
SEEN_RESOLUTION = 60


class Ending(Enum):
    idle = "idle"
    too_long = "too_long"


@dataclass(frozen=True)
class SessionPolicy:
    idle_seconds: float
    longest_seconds: float

    @classmethod
    def from_config(cls, config) -> SessionPolicy:
        return cls(idle_seconds=config["STAFF_IDLE_MINUTES"] * 60, longest_seconds=config["STAFF_SESSION_HOURS"] * 3600)

    def ending(self, *, signed_in_at: float, seen_at: float, now: float) -> Ending | None:
        """Why a sign-in is over at ``now`` (seconds since the epoch), or None while it holds."""
        if now - signed_in_at >= self.longest_seconds:
            return Ending.too_long
        if now - seen_at >= self.idle_seconds:
            return Ending.idle
        return None


def start(now: float | None = None) -> None:
    """Count from a fresh sign-in (call right after ``login_user``)."""
    session[SIGNED_IN_AT] = session[SEEN_AT] = now if now is not None else time.time()
    session[SIGN_IN_ID] = secrets.token_urlsafe(16)


def _id_hash(sign_in_id: str) -> str:
    return hashlib.sha256(sign_in_id.encode()).hexdigest()


def end(now: float | None = None) -> None:
    """Sign out: this browser forgets the sign-in, and any copy of its cookie stops working. The
    caller commits."""
    now = now if now is not None else time.time()
    sign_in_id = session.get(SIGN_IN_ID)
    if isinstance(sign_in_id, str):
        policy = SessionPolicy.from_config(current_app.config)
        until = session.get(SIGNED_IN_AT, now) + policy.longest_seconds
        db.session.execute(sa.delete(EndedSignIn).where(EndedSignIn.until_dt < _utc(now)))
        db.session.merge(EndedSignIn(token_hash=_id_hash(sign_in_id), until_dt=_utc(max(until, now))))
    logout_user()
    session.clear()


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


def _has_ended(sign_in_id) -> bool:
    return isinstance(sign_in_id, str) and db.session.get(EndedSignIn, _id_hash(sign_in_id)) is not None


def _check() -> None:
    if not session:  # citizens without a cookie: nothing to read, and no user to load
        return
    seen_at = session.get(SEEN_AT)
    if seen_at is None:
        # Signed in before these limits existed: count from now rather than end the session.
        if current_user.is_authenticated:
            start()
        return
    if SIGN_IN_ID not in session:  # signed in before sign-ins had ids: one from now on
        session[SIGN_IN_ID] = secrets.token_urlsafe(16)
    # A copy of the cookie of a sign-in that has ended. (Static files, which every staff page loads
    # several of, show nothing; they are spared the database.)
    elif request.endpoint != "static" and _has_ended(session[SIGN_IN_ID]):
        logout_user()
        session.clear()
        return
    now = time.time()
    policy = SessionPolicy.from_config(current_app.config)
    ending = policy.ending(signed_in_at=session.get(SIGNED_IN_AT, seen_at), seen_at=seen_at, now=now)
    if ending is None:
        if now - seen_at >= min(SEEN_RESOLUTION, policy.idle_seconds / 10):
            session[SEEN_AT] = now
        return
    end(now)
    db.session.commit()
    # The page asked for then sends the person to sign in again (login_required); this says why.
    if ending is Ending.idle:
        flash(_("You were signed out after %(minutes)d minutes without activity.",
                minutes=round(policy.idle_seconds / 60)), "info")
    else:
        flash(_("You were signed out: a sign-in lasts at most %(hours)d hours.",
                hours=round(policy.longest_seconds / 3600)), "info")


def init_app(app: Flask) -> None:
    app.before_request(_check)
