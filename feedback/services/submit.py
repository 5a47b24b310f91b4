"""Storing a citizen's feedback: dedupe, redact, classify, triage, commit — in one place.

A submission costs few round trips to the database, because the API takes many of them: the
center's id usually comes from the process's memory of open centers (services.directory), and
services.store writes the submission and, when flagged, its case in one statement on PostgreSQL
whose ``ON CONFLICT (idempotency_key) DO NOTHING`` also tells a retry from a new submission.
Nothing is read back: the returned submission is built from the values sent and the id returned.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from feedback import monitoring
from feedback.extensions import db
from feedback.models import Channel, Submission
from feedback.services.directory import open_targets
from feedback.services.privacy import mask_personal_data
from feedback.services.references import new_reference
from feedback.services.store import commit_keeping, store_submission
from feedback.services.triage import TriageDecision, TriageRules, triage

log = logging.getLogger(__name__)
_REFERENCE_ATTEMPTS = 5


class SubmissionRejected(ValueError):
    """The feedback refers to something that does not exist; ``errors`` maps fields to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class IdempotencyConflict(ValueError):
    """The idempotency key was used before for different feedback; nothing new was stored.

    A retry sends the same feedback again and gets the stored reference; new or edited feedback
    needs a new key. The stored feedback's reference is not given: it opens the case's status page,
    and a sender whose feedback differs has not shown it is the one who sent it.
    """

    def __init__(self):
        super().__init__("the idempotency key was used before for different feedback; send new feedback with a new key")


@dataclass(frozen=True)
class FeedbackInput:
    """Validated feedback as plain values."""

    center_code: str
    rating: int
    language: str
    service_code: str | None = None
    desk: str | None = None
    waiting_rating: int | None = None
    courtesy_rating: int | None = None
    is_matter_resolved: bool | None = None
    comment: str = ""
    contact: str | None = None
    is_contact_consented: bool = False
    is_verified: bool = False


@dataclass(frozen=True)
class SubmitOutcome:
    submission: Submission
    #: False when the idempotency key had been seen: nothing new was stored.
    is_created: bool
    decision: TriageDecision | None = None


def find_by_idempotency_key(key: str) -> Submission | None:
    return db.session.scalar(sa.select(Submission).where(Submission.idempotency_key == key))


def is_same_feedback(stored: Submission, data: FeedbackInput, channel: Channel) -> bool:
    """Whether ``data`` says what ``stored`` holds, and came the same way, so that sending it again
    is a retry. (A key met on another channel is someone else's: answering with its reference would
    hand them the submission's status page.)

    The language is left out: it is the page's or the client's, not part of what the citizen said.
    """
    contact = data.contact if data.is_contact_consented else None
    return stored.channel == channel and (
        (stored.rating, stored.waiting_rating, stored.courtesy_rating, stored.is_matter_resolved,
         stored.comment, stored.desk, stored.contact, stored.is_contact_consented)
        == (data.rating, data.waiting_rating, data.courtesy_rating, data.is_matter_resolved,
            data.comment, data.desk, contact, data.is_contact_consented)
        and stored.center.code == data.center_code
        and (stored.service.code if stored.service else None) == (data.service_code or None)
    )


def _replayed(existing: Submission, *, is_retry: bool) -> SubmitOutcome:
    if not is_retry:
        # Answering with the earlier reference would tell the client its new feedback was stored.
        raise IdempotencyConflict()
    return SubmitOutcome(existing, is_created=False)


def _resolve_center_and_service(data: FeedbackInput) -> tuple[int, int | None]:
    """The ids of the open center and service the feedback names; SubmissionRejected if unknown."""
    target = open_targets().find(data.center_code, data.service_code)
    if target.center_id is None:
        raise SubmissionRejected({"center": "unknown center"})
    if data.service_code and target.service_id is None:
        raise SubmissionRejected({"service": "unknown service at this center"})
    return target.center_id, target.service_id


def submit_feedback(
    data: FeedbackInput,
    *,
    channel: Channel,
    classifier,
    rules: TriageRules,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> SubmitOutcome:
    """Store one submission exactly once per idempotency key and commit it.

    Sent again with a key already used, the same feedback gets the stored submission back
    (``is_created`` False), and different feedback raises IdempotencyConflict.
    ``classifier`` is anything with ``judge(text) -> Verdict | None`` (see feedback.classifier).
    """
    try:
        center_id, service_id = _resolve_center_and_service(data)
    except SubmissionRejected:
        # A retry of a stored submission gets its reference even if its center has closed since.
        existing = find_by_idempotency_key(idempotency_key) if idempotency_key else None
        if existing is None:
            raise
        return _replayed(existing, is_retry=is_same_feedback(existing, data, channel))
    now = now or datetime.now(timezone.utc)
    masked = mask_personal_data(data.comment)
    # The model masks personal data itself, with the same patterns but its own placeholders, the
    # ones it was trained on: given our readable masks ("[phone]") it would read them as words, judge
    # otherwise than `python -m ml predict` on the same comment, and give "phone" as a reason.
    verdict = classifier.judge(data.comment) if masked else None
    decision = triage(data.rating, verdict, now, rules, text=masked)

    for _ in range(_REFERENCE_ATTEMPTS):
        values = dict(
            reference=new_reference(),
            center_id=center_id,
            service_id=service_id,
            desk=data.desk,
            rating=data.rating,
            waiting_rating=data.waiting_rating,
            courtesy_rating=data.courtesy_rating,
            is_matter_resolved=data.is_matter_resolved,
            comment=data.comment,
            comment_masked=masked,
            language=data.language,
            comment_language=verdict.lang if verdict else None,
            channel=channel,
            contact=data.contact if data.is_contact_consented else None,
            is_contact_consented=data.is_contact_consented,
            idempotency_key=idempotency_key,
            is_verified=data.is_verified,
            created_dt=now,
            complaint_probability=verdict.probability if verdict else None,
            model_version=verdict.model_version if verdict else None,
            model_reasons=verdict.reasons if verdict else [],
            is_flagged=decision.is_flagged,
            flag_reasons=decision.reasons,
        )
        try:
            submission = store_submission(values, decision, now=now)
            if submission is None:
                existing = find_by_idempotency_key(idempotency_key)
                if existing is not None:
                    # Stored before, by an earlier try of this client or a request that won the race.
                    # Ending the transaction now frees SQLite's write lock that the INSERT took.
                    is_retry = is_same_feedback(existing, data, channel)
                    commit_keeping(existing)
                    return _replayed(existing, is_retry=is_retry)
                db.session.rollback()
                continue  # the other row vanished before we could read it: try again
        except IntegrityError:
            db.session.rollback()
            if idempotency_key:
                existing = find_by_idempotency_key(idempotency_key)
                if existing is not None:
                    # Another request with the same key won the race (databases without DO NOTHING).
                    return _replayed(existing, is_retry=is_same_feedback(existing, data, channel))
            # A reference collision (draw another), or the center or service this process remembered
            # is gone (read it again, which rejects the feedback if so).
            open_targets().forget()
            center_id, service_id = _resolve_center_and_service(data)
            continue
        log.info(
            "stored submission %s center=%s rating=%s flagged=%s reasons=%s",
            submission.reference, data.center_code, data.rating, decision.is_flagged, decision.reasons,
        )
        monitoring.submissions_stored.labels(str(channel), str(decision.is_flagged).lower()).inc()
        return SubmitOutcome(submission, is_created=True, decision=decision)
    raise RuntimeError("could not allocate a unique reference")
