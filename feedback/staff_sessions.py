"""How long a staff sign-in lasts: it ends after a while without activity, and after a working day.

Officers work on shared office computers and step away from them. Without a limit, a browser left
signed in keeps a case queue, citizens' contacts and the admin pages open to whoever sits down next,
and a copied session cookie works until the password changes. Both times are counted in the signed
session cookie itself, so every worker and every server behind the load balancer agrees on them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import Enum

from flask import Flask, current_app, flash, session
from flask_babel import gettext as _
from flask_login import current_user, logout_user

SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
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


def _check() -> None:
    if not session:  # citizens without a cookie: nothing to read, and no user to load
        return
    seen_at = session.get(SEEN_AT)
    if seen_at is None:
        # Signed in before these limits existed: count from now rather than end the session.
        if current_user.is_authenticated:
            start()
        return
    now = time.time()
    policy = SessionPolicy.from_config(current_app.config)
    ending = policy.ending(signed_in_at=session.get(SIGNED_IN_AT, seen_at), seen_at=seen_at, now=now)
    if ending is None:
        if now - seen_at >= min(SEEN_RESOLUTION, policy.idle_seconds / 10):
            session[SEEN_AT] = now
        return
    logout_user()
    session.clear()
    # The page asked for then sends the person to sign in again (login_required); this says why.
    if ending is Ending.idle:
        flash(_("You were signed out after %(minutes)d minutes without activity.",
                minutes=round(policy.idle_seconds / 60)), "info")
    else:
        flash(_("You were signed out: a sign-in lasts at most %(hours)d hours.",
                hours=round(policy.longest_seconds / 3600)), "info")


def init_app(app: Flask) -> None:
    app.before_request(_check)
