"""A citizen's feedback on one visit, with the classifier's verdict."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.extensions import db
from feedback.models._types import UTCDateTime, utcnow
from feedback.models.center import Center, Service


class Channel(enum.StrEnum):
    qr = "qr"
    kiosk = "kiosk"
    web = "web"
    api = "api"


class Submission(db.Model):
    __tablename__ = "submissions"
    __table_args__ = (
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        sa.CheckConstraint("waiting_rating IS NULL OR waiting_rating BETWEEN 1 AND 5", name="waiting_range"),
        sa.CheckConstraint(
            "courtesy_rating IS NULL OR courtesy_rating BETWEEN 1 AND 5", name="courtesy_range"
        ),
        sa.CheckConstraint(
            "complaint_probability IS NULL OR complaint_probability BETWEEN 0 AND 1",
            name="probability_range",
        ),
        # The dashboard filters one center over a period.
        # The included columns let PostgreSQL count and average from the index alone (index-only scans).
        sa.Index("ix_submissions_center_created", "center_id", "created_dt",
                 postgresql_include=["id", "rating", "is_flagged", "service_id"]),
        sa.Index("ix_submissions_service_created", "service_id", "created_dt"),
        sa.Index("ix_submissions_created", "created_dt",
                 postgresql_include=["id", "center_id", "rating", "is_flagged", "service_id"]),
        # The dashboard's complaint terms read only flagged rows of a center and period.
        sa.Index("ix_submissions_flagged_center_created", "center_id", "created_dt",
                 postgresql_where=sa.text("is_flagged IS true"), sqlite_where=sa.text("is_flagged = 1")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Public reference a citizen can read aloud, e.g. ``K7PW-4QX2``.
    reference: Mapped[str] = mapped_column(sa.String(9), unique=True)
    #: The center the visit took place at.
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("centers.id"))
    #: The service used, when the citizen named one.
    service_id: Mapped[int | None] = mapped_column(sa.ForeignKey("services.id"))
    #: Desk or window number, when the QR code or kiosk names one.
    desk: Mapped[str | None] = mapped_column(sa.String(20))
    #: Overall rating, 1 (very bad) to 5 (very good).
    rating: Mapped[int] = mapped_column(sa.SmallInteger)
    #: Optional aspect: how the wait felt, 1–5.
    waiting_rating: Mapped[int | None] = mapped_column(sa.SmallInteger)
    #: Optional aspect: how courteous the staff were, 1–5.
    courtesy_rating: Mapped[int | None] = mapped_column(sa.SmallInteger)
    #: Optional aspect: whether the matter was resolved during the visit.
    is_matter_resolved: Mapped[bool | None]
    #: The citizen's comment as written (may hold personal data; shown masked to most roles).
    comment: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    #: The comment with personal data masked; what officers, exports and training see.
    comment_masked: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    #: Language of the page the citizen used (az, ru, en).
    language: Mapped[str] = mapped_column(sa.String(8))
    #: Language of the comment as the classifier detected it.
    comment_language: Mapped[str | None] = mapped_column(sa.String(8))
    channel: Mapped[Channel] = mapped_column(sa.Enum(Channel, native_enum=False, length=10))
    #: Phone or e-mail for a call back; stored only with consent, purged after the retention period.
    contact: Mapped[str | None] = mapped_column(sa.String(200))
    is_contact_consented: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: Client-chosen key that makes retries of one submission store it once.
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(128), unique=True)
    #: True when the feedback came through a one-visit link issued by the queue system.
    is_verified: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The classifier's complaint probability; NULL when there was no text or no model.
    complaint_probability: Mapped[float | None]
    #: Version folder of the model that judged the comment.
    model_version: Mapped[str | None] = mapped_column(sa.String(64))
    #: The n-grams that pushed the model toward "complaint".
    model_reasons: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: Whether triage put this submission in front of an officer.
    is_flagged: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: Why triage flagged it, e.g. ``["low_rating", "model"]``.
    flag_reasons: Mapped[list] = mapped_column(sa.JSON, default=list)

    center: Mapped[Center] = relationship()
    service: Mapped[Service | None] = relationship()

    def __repr__(self) -> str:
        return f"<Submission {self.reference}>"
