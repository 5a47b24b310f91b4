"""Shared tablets in a hall that take one-tap ratings, and the taps they send."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.extensions import db
from feedback.models._types import UTCDateTime, utcnow
from feedback.models.center import Center


class Kiosk(db.Model):
    __tablename__ = "kiosks"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The center whose hall the tablet stands in.
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("centers.id", ondelete="CASCADE"), index=True)
    #: Desk or window the tablet sits at; its ratings carry this desk.
    desk: Mapped[str] = mapped_column(sa.String(20))
    #: A name staff recognise, e.g. ``Entrance, left``.
    label: Mapped[str] = mapped_column(sa.String(80), default="", server_default="")
    #: Whether the tablet offers the contact fields (off by default: a shared screen is public).
    is_contact_enabled: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: SHA-256 (hex) of the one-time registration code an admin hands to the tablet.
    registration_code_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    #: The registration code cannot be used after this.
    registration_expires_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: SHA-256 (hex) of the device token the registered tablet holds in a signed cookie.
    device_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the tablet redeemed its registration code.
    registered_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Last time the tablet showed its page or sent a rating.
    last_seen_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When an admin revoked the tablet; it sends nothing from then on.
    revoked_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    center: Mapped[Center] = relationship()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_dt is not None

    @property
    def is_registered(self) -> bool:
        return self.device_token_hash is not None

    def __repr__(self) -> str:
        return f"<Kiosk {self.id} {self.center_id}/{self.desk}>"


class KioskTap(db.Model):
    """One rating a kiosk sent, accepted or held back by the abuse guard."""

    __tablename__ = "kiosk_taps"
    __table_args__ = (
        # The guard reads one kiosk's last minute; admins read one kiosk's held taps.
        sa.Index("ix_kiosk_taps_kiosk_created", "kiosk_id", "created_dt"),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kiosk_id: Mapped[int] = mapped_column(sa.ForeignKey("kiosks.id", ondelete="CASCADE"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    rating: Mapped[int] = mapped_column(sa.SmallInteger)
    #: A keyed hash of the comment as sent (``services.kiosks.tap_digest``), so identical repeats are
    #: recognised without keeping the text; emptied when the citizen has the feedback erased.
    comment_digest: Mapped[str] = mapped_column(sa.String(64))
    #: The submission stored for this tap; empty when it was held back.
    submission_id: Mapped[int | None] = mapped_column(sa.ForeignKey("submissions.id", ondelete="SET NULL"))
    #: True when the tap came in a burst over the kiosk's limit and was not counted.
    is_held: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    kiosk: Mapped[Kiosk] = relationship()
