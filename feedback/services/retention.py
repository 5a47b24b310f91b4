"""Keeping citizens' personal data no longer than needed: their contact details, and the unmasked
text of their comments, which only roles that call citizens back may read. They go after the
retention period, or sooner when the citizen asks."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import AdminAction, AdminEvent, Case, CaseEvent, EventKind, KioskTap, Submission, User, Visit
from feedback.services import audit
from feedback.services.references import normalise_reference

log = logging.getLogger(__name__)


#: A century: longer is a typo, and past a few million days there is no date to compare with.
MAX_RETENTION_DAYS = 36_500


def contact_cutoff(now: datetime, retention_days: int) -> datetime:
    if not 0 <= retention_days <= MAX_RETENTION_DAYS:
        raise ValueError(f"the retention period must be from 0 to {MAX_RETENTION_DAYS} days")
    return now - timedelta(days=retention_days)


@dataclass(frozen=True)
class Purged:
    #: Submissions whose phone number or e-mail address was erased.
    contacts: int
    #: Submissions whose comment was reduced to its masked text.
    comments: int


def purge_expired_personal_data(*, now: datetime, retention_days: int, actor: User | None = None) -> Purged:
    """Erase the personal data left with feedback older than the retention period.

    The contact goes, and the comment keeps only its masked text: the original is there so that an
    officer allowed to call the citizen back can read the number the citizen wrote, and after the
    period nobody calls back. The feedback itself stays (ratings and the masked comment feed the
    statistics and training). Flushes; the caller commits.
    """
    cutoff = contact_cutoff(now, retention_days)
    expired = Submission.created_dt < cutoff
    contacts = db.session.execute(
        sa.update(Submission)
        .where(Submission.contact.is_not(None), expired)
        .values(contact=None)
        .execution_options(synchronize_session=False)
    ).rowcount or 0
    comments = db.session.execute(
        sa.update(Submission)
        .where(Submission.comment != Submission.comment_masked, expired)
        .values(comment=Submission.comment_masked)
        .execution_options(synchronize_session=False)
    ).rowcount or 0
    # Each run is logged, even one with nothing to erase: it shows the retention is kept.
    audit.record(AdminAction.contacts_purged, f"{retention_days} days", actor=actor, now=now,
                 details={"submissions": contacts, "comments": comments, "created_before": cutoff.isoformat()})
    log.info("purged contact details of %d submissions and the unmasked comments of %d, created before %s",
             contacts, comments, cutoff.isoformat())
    return Purged(contacts=contacts, comments=comments)


@dataclass(frozen=True)
class Erased:
    reference: str
    #: Whether there was a phone number or e-mail address to erase.
    contact: bool
    #: Whether there was a comment to erase.
    comment: bool


def find_submission(typed: str) -> Submission | None:
    """The feedback with the reference a citizen reads out (any case, spaces or no dash), if any."""
    reference = normalise_reference(typed)
    if not reference:
        return None
    return db.session.scalar(sa.select(Submission).where(Submission.reference == reference))


def erase_on_request(submission: Submission, *, now: datetime, actor: User | None = None) -> Erased:
    """Erase what a citizen wrote with their feedback, at their request: the contact, and the
    comment in every form kept (as written, masked, and the model's reasons, which quote it).

    Masking misses what no pattern knows, such as names, so the masked comment goes too. The ratings,
    center, service, date and the model's figures stay: they say nothing about the person and keep
    the statistics whole. The case, if any, keeps its trail, with a line saying what was erased.
    Flushes; the caller commits.
    """
    erased = Erased(reference=submission.reference, contact=submission.contact is not None,
                    comment=bool(submission.comment or submission.comment_masked))
    submission.contact = None
    submission.is_contact_consented = False
    submission.comment = submission.comment_masked = ""
    submission.model_reasons = []
    # The kiosk's tap keeps a hash of the comment for its repeat guard; it goes with the comment.
    db.session.execute(sa.update(KioskTap).where(KioskTap.submission_id == submission.id).values(comment_digest=""))
    # The queue ticket ties the ratings to the queue system's record of a named citizen; the case's
    # urgent words are quoted from the comment.
    db.session.execute(sa.update(Visit).where(Visit.submission_id == submission.id).values(ticket=None))
    details = {"contact": erased.contact, "comment": erased.comment}
    case = db.session.scalar(sa.select(Case).where(Case.submission_id == submission.id))
    if case is not None:
        case.urgent_terms = []
        db.session.add(CaseEvent(case_id=case.id, actor_id=actor.id if actor else None,
                                 kind=EventKind.personal_data_erased, detail=details, created_dt=now))
    audit.record(AdminAction.personal_data_erased, submission.reference, actor=actor, now=now, details=details)
    db.session.flush()
    log.info("erased personal data of %s at the citizen's request (%s)", submission.reference, details)
    return erased


def erase_again(references: list[str], *, now: datetime) -> list[str]:
    """Erase again the feedback of ``references`` that this database does not know was erased.

    After a backup is restored, the erasures made since it was taken are undone, and their lines
    in the administration log are gone with them: a reference without such a line is erased again
    (and gets its line). Feedback the backup does not hold is skipped. Returns the references
    erased again. Flushes; the caller commits.
    """
    logged = set(db.session.scalars(
        sa.select(AdminEvent.subject).where(AdminEvent.action == AdminAction.personal_data_erased)))
    again = []
    for reference in references:
        if reference in logged or (submission := find_submission(reference)) is None:
            continue
        erase_on_request(submission, now=now)
        logged.add(submission.reference)
        again.append(submission.reference)
    return again
