"""Staff sign-ins that were ended by signing out, until their cookies could no longer be used anyway."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from feedback.extensions import db
from feedback.models._types import UTCDateTime


class EndedSignIn(db.Model):
    """A session cookie is signed, not stored: signing out clears this browser's copy, and this row
    makes any other copy of it (a cookie taken from a shared computer, a proxy's log) useless too."""

    __tablename__ = "ended_sign_ins"

    #: SHA-256 (hex) of the sign-in's random id, which only the session cookie holds.
    token_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    #: When the sign-in would have ended at the latest (REY_STAFF_SESSION_HOURS after it began);
    #: the row is of no use after that and is deleted.
    until_dt: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
