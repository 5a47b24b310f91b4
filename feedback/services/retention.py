"""Keeping citizens' contact details no longer than needed."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import AdminAction, Submission, User
from feedback.services import audit

log = logging.getLogger(__name__)


#: A century: longer is a typo, and past a few million days there is no date to compare with.
MAX_RETENTION_DAYS = 36_500


def contact_cutoff(now: datetime, retention_days: int) -> datetime:
    if not 0 <= retention_days <= MAX_RETENTION_DAYS:
        raise ValueError(f"the retention period must be from 0 to {MAX_RETENTION_DAYS} days")
    return now - timedelta(days=retention_days)


def purge_expired_contacts(*, now: datetime, retention_days: int, actor: User | None = None) -> int:
    """Erase phone numbers and e-mail addresses left with feedback older than the retention period.

    The feedback itself stays (ratings and the masked comment feed the statistics); only the contact
    goes. Returns how many submissions lost their contact. Flushes; the caller commits.
    """
    cutoff = contact_cutoff(now, retention_days)
    result = db.session.execute(
        sa.update(Submission)
        .where(Submission.contact.is_not(None), Submission.created_dt < cutoff)
        .values(contact=None)
        .execution_options(synchronize_session=False)
    )
    count = result.rowcount or 0
    # Each run is logged, even one with nothing to erase: it shows the retention is kept.
    audit.record(AdminAction.contacts_purged, f"{retention_days} days", actor=actor, now=now,
                 details={"submissions": count, "created_before": cutoff.isoformat()})
    log.info("purged contact details of %d submissions created before %s", count, cutoff.isoformat())
    return count
