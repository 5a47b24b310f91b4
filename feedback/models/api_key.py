"""Keys that machine clients (queue systems, exports) present to the API."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.extensions import db
from feedback.models._types import UTCDateTime, utcnow
from feedback.models.center import Center

#: Every scope a key can hold. A view asks for exactly one of them.
SCOPES = ("visits:create", "feedback:create", "exports:read")


class ApiKey(db.Model):
    __tablename__ = "api_keys"
    __table_args__ = (
        sa.CheckConstraint("revoked_dt IS NULL OR revoked_dt >= created_dt", name="revoked_after_created"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What the key is for, e.g. ``queue system, Baku 1``; shown in listings.
    name: Mapped[str] = mapped_column(sa.String(120))
    #: Public first part of the key, used to find the row; the secret part is never stored.
    prefix: Mapped[str] = mapped_column(sa.String(16), unique=True)
    #: SHA-256 of the secret part (hex). The secret is random, so a slow hash would add nothing.
    secret_hash: Mapped[str] = mapped_column(sa.String(64))
    #: Scopes granted, e.g. ``["visits:create"]``.
    scopes: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: When set, the key may act only for this center.
    center_id: Mapped[int | None] = mapped_column(sa.ForeignKey("centers.id", ondelete="CASCADE"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Last successful use; updated at most once a minute.
    last_used_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the key was revoked; a revoked key is refused from then on.
    revoked_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    center: Mapped[Center | None] = relationship()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_dt is not None

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    def __repr__(self) -> str:
        return f"<ApiKey {self.prefix}>"
