"""Staff accounts: who may log in, in which role, and which centers they look after."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.extensions import db
from feedback.models._types import UTCDateTime, utcnow
from feedback.models.center import Center

USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{2,39}$"


class Role(enum.StrEnum):
    #: Follows up the cases of the centers assigned to them.
    officer = "officer"
    #: Oversees every center of a region, or all centers when no region is set.
    supervisor = "supervisor"
    #: The only role that sees the restricted integrity queue (bribery, threats, safety).
    integrity = "integrity"
    #: Manages centers, services and users; sees no cases.
    admin = "admin"


#: Roles that follow up cases and so may reveal a citizen's contact details (every reveal is logged).
CONTACT_ROLES = frozenset({Role.officer, Role.integrity})

user_centers = sa.Table(
    "user_centers",
    db.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("center_id", sa.ForeignKey("centers.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (sa.CheckConstraint("failed_logins >= 0", name="failed_logins_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Login name, lower case, e.g. ``aliyev.r``.
    username: Mapped[str] = mapped_column(sa.String(40), unique=True)
    #: Name shown to colleagues in the audit trail.
    display_name: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    #: Argon2id hash (see feedback.auth); never the password itself.
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(sa.Enum(Role, native_enum=False, length=20))
    #: For supervisors: the region they oversee; NULL means every region.
    region: Mapped[str | None] = mapped_column(sa.String(80))
    #: Disabled accounts cannot log in; their history stays.
    is_active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    #: Consecutive failed logins since the last success; drives the lock-out.
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Until when logins are refused after too many failures.
    locked_until_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Part of every session's id (``get_id``); ``end_sessions`` moves it on.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    #: Base32 secret of the authenticator app (TOTP, RFC 6238); NULL while two-factor sign-in is off.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    #: The last 30-second time step whose code was accepted: a code is good once, not twice.
    totp_last_step: Mapped[int | None] = mapped_column(sa.Integer)
    last_login_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    #: Centers an officer looks after (ignored for other roles).
    centers: Mapped[list[Center]] = relationship(secondary=user_centers, order_by=Center.code)

    def get_id(self) -> str:
        # Flask-Login stores this in the session: a new session_version invalidates old sessions.
        return f"{self.id}.{self.session_version}"

    def end_sessions(self) -> None:
        """End every session signed in so far (a new password, a disabled account, a two-factor
        change, "sign out on every other computer"): their ids carry the old version, which
        feedback.auth.load_user no longer accepts. Signing in again starts a session of the new one."""
        self.session_version += 1

    @property
    def may_view_contact(self) -> bool:
        return self.role in CONTACT_ROLES

    @property
    def label(self) -> str:
        return self.display_name or self.username

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"
