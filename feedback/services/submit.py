"""Storing a citizen's feedback: dedupe, redact, classify, triage, commit — in one place."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from feedback.extensions import db
from feedback.models import Center, Channel, Service, Submission
from feedback.services.cases import open_case
from feedback.services.privacy import mask_personal_data
from feedback.services.references import new_reference
from feedback.services.triage import TriageDecision, TriageRules, triage

log = logging.getLogger(__name__)
_REFERENCE_ATTEMPTS = 5


class SubmissionRejected(ValueError):
    """The feedback refers to something that does not exist; ``errors`` maps fields to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


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


def _resolve_center_and_service(data: FeedbackInput) -> tuple[Center, Service | None]:
    center = db.session.scalar(
        sa.select(Center).where(Center.code == data.center_code, Center.is_active.is_(True))
    )
    if center is None:
        raise SubmissionRejected({"center": "unknown center"})
    service = None
    if data.service_code:
        service = db.session.scalar(
            sa.select(Service).where(
                Service.center_id == center.id,
                Service.code == data.service_code,
                Service.is_active.is_(True),
            )
        )
        if service is None:
            raise SubmissionRejected({"service": "unknown service at this center"})
    return center, service


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

    ``classifier`` is anything with ``judge(text) -> Verdict | None`` (see feedback.classifier).
    """
    if idempotency_key:
        existing = find_by_idempotency_key(idempotency_key)
        if existing is not None:
            return SubmitOutcome(existing, is_created=False)
    center, service = _resolve_center_and_service(data)
    now = now or datetime.now(timezone.utc)
    masked = mask_personal_data(data.comment)
    # The model sees the masked text: a phone number is no evidence of a complaint.
    verdict = classifier.judge(masked) if masked else None
    decision = triage(data.rating, verdict, now, rules, text=masked)

    for _ in range(_REFERENCE_ATTEMPTS):
        submission = Submission(
            reference=new_reference(),
            center_id=center.id,
            service_id=service.id if service else None,
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
        db.session.add(submission)
        try:
            db.session.flush()
            # The case is part of the same transaction: a flagged submission never lacks its case.
            open_case(submission, decision, now=now)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            if idempotency_key:
                existing = find_by_idempotency_key(idempotency_key)
                if existing is not None:
                    # Another request with the same key won the race.
                    return SubmitOutcome(existing, is_created=False)
            continue  # a reference collision: draw another
        log.info(
            "stored submission %s center=%s rating=%s flagged=%s reasons=%s",
            submission.reference, center.code, data.rating, decision.is_flagged, decision.reasons,
        )
        return SubmitOutcome(submission, is_created=True, decision=decision)
    raise RuntimeError("could not allocate a unique reference")
