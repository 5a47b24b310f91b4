"""A visit the queue system vouches for: a one-use link whose feedback is marked verified."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.extensions import db
from feedback.models._types import UTCDateTime, utcnow
from feedback.models.center import Center, Service


class Visit(db.Model):
    __tablename__ = "visits"
    __table_args__ = (
        sa.CheckConstraint("expires_dt > issued_dt", name="expires_after_issued"),
        # A visit is used exactly when it has its submission.
        sa.CheckConstraint("(used_dt IS NULL) = (submission_id IS NULL)", name="used_has_submission"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 (hex) of the token in the link; the token itself is handed out once and not kept.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: The center where the citizen was served.
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("centers.id"), index=True)
    #: The service the ticket was for, when the queue system knows it.
    service_id: Mapped[int | None] = mapped_column(sa.ForeignKey("services.id"))
    #: Desk or window that served the citizen.
    desk: Mapped[str | None] = mapped_column(sa.String(20))
    #: The queue ticket number, for the queue system's own records.
    ticket: Mapped[str | None] = mapped_column(sa.String(40))
    #: Language the citizen chose at the queue terminal, used when the link opens.
    language: Mapped[str | None] = mapped_column(sa.String(8))
    #: The API key that asked for the link.
    api_key_id: Mapped[int | None] = mapped_column(sa.ForeignKey("api_keys.id", ondelete="SET NULL"))
    issued_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    #: When the citizen's feedback arrived through the link.
    used_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The one submission made through the link.
    submission_id: Mapped[int | None] = mapped_column(sa.ForeignKey("submissions.id"), unique=True)

    center: Mapped[Center] = relationship()
    service: Mapped[Service | None] = relationship()

    @property
    def is_used(self) -> bool:
        return self.used_dt is not None

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_dt

    def __repr__(self) -> str:
        return f"<Visit {self.id}@{self.center_id}>"
