"""Browsers a staff member has signed in on before: the lock-out after failed logins spares them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from feedback.extensions import db
from feedback.models._types import UTCDateTime, utcnow


class KnownDevice(db.Model):
    """A browser that signed in to an account, known by a random token in a cookie of its own.

    Anyone who knows a username could otherwise keep that officer locked out by failing to sign in
    as them; their failures lock the account for every browser but this one (see
    feedback/services/known_devices.py)."""

    __tablename__ = "known_devices"
    __table_args__ = (sa.CheckConstraint("failed_logins >= 0", name="failed_logins_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: SHA-256 (hex) of the cookie's random token; the token itself is only in the browser.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: The account's session_version when the browser signed in: ending every session (a new
    #: password, "sign out on every other computer", a disabled account) forgets the browser too.
    session_version: Mapped[int]
    #: Failed logins from this browser since its last success; enough of them and it is spared no more.
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
