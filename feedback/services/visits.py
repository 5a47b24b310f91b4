"""One-visit links from the queue system: issue them, and accept one verified submission each."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from feedback.extensions import db
from feedback.services.digests import digest
from feedback.models import ApiKey, Center, Channel, Service, Submission, Visit
from feedback.services.submit import (
    FeedbackInput, IdempotencyConflict, SubmissionRejected, SubmitOutcome, is_same_feedback, submit_feedback,
)
from feedback.services.triage import TriageRules

log = logging.getLogger(__name__)


class VisitForbidden(PermissionError):
    """The API key is limited to another center."""


class VisitUnavailable(LookupError):
    """The link cannot take feedback; ``reason`` is ``unknown``, ``expired`` or ``used``."""

    def __init__(self, reason: str):
        super().__init__(f"visit link {reason}")
        self.reason = reason


@dataclass(frozen=True)
class IssuedVisit:
    visit: Visit
    #: The token for the link; only its hash is stored.
    token: str



def issue_visit(
    center_code: str,
    *,
    ttl: timedelta,
    service_code: str | None = None,
    desk: str | None = None,
    ticket: str | None = None,
    language: str | None = None,
    api_key: ApiKey | None = None,
    now: datetime | None = None,
) -> IssuedVisit:
    """Create a one-use link for a visit; flush, do not commit."""
    center = db.session.scalar(sa.select(Center).where(Center.code == center_code, Center.is_active.is_(True)))
    if center is None:
        raise SubmissionRejected({"center": "unknown center"})
    if api_key is not None and api_key.center_id is not None and api_key.center_id != center.id:
        raise VisitForbidden("this API key may only issue links for its own center")
    service = None
    if service_code:
        service = db.session.scalar(
            sa.select(Service).where(
                Service.center_id == center.id, Service.code == service_code, Service.is_active.is_(True)
            )
        )
        if service is None:
            raise SubmissionRejected({"service": "unknown service at this center"})
    now = now or datetime.now(timezone.utc)
    token = secrets.token_urlsafe(24)
    visit = Visit(
        token_hash=digest(token),
        center_id=center.id,
        service_id=service.id if service else None,
        desk=desk,
        ticket=ticket,
        language=language,
        api_key_id=api_key.id if api_key else None,
        issued_dt=now,
        expires_dt=now + ttl,
    )
    db.session.add(visit)
    db.session.flush()
    log.info("issued visit link %s center=%s desk=%s", visit.id, center.code, desk)
    return IssuedVisit(visit, token)


def open_visit(token: str, *, now: datetime | None = None) -> Visit:
    """The visit behind a link if it can still take feedback; VisitUnavailable says why not."""
    visit = db.session.scalar(sa.select(Visit).where(Visit.token_hash == digest(token)))
    if visit is None:
        raise VisitUnavailable("unknown")
    if visit.is_used:
        raise VisitUnavailable("used")
    if visit.is_expired(now or datetime.now(timezone.utc)):
        raise VisitUnavailable("expired")
    return visit


def find_visit(token: str) -> Visit | None:
    """The visit behind a link whatever its state (for choosing the page's language)."""
    return db.session.scalar(sa.select(Visit).where(Visit.token_hash == digest(token)))


def submit_visit_feedback(
    token: str,
    data: FeedbackInput,
    *,
    classifier,
    rules: TriageRules,
    now: datetime | None = None,
) -> SubmitOutcome:
    """Store the visit's one verified submission; other feedback after it raises VisitUnavailable("used").

    The same feedback sent again (a double tap, the offline outbox resending after a lost answer)
    gets the stored submission back (``is_created`` False), as the survey's idempotency key does,
    so the citizen still sees their reference.

    The idempotency key ``visit:<id>`` (a colon no client key may contain) lets the database's
    unique index decide between two racing submissions through one link.
    """
    now = now or datetime.now(timezone.utc)
    try:
        visit = open_visit(token, now=now)
    except VisitUnavailable as exc:
        if exc.reason != "used":
            raise
        visit = find_visit(token)
        stored = db.session.get(Submission, visit.submission_id)
        if not is_same_feedback(stored, _through(visit, data), Channel.web):
            raise
        return SubmitOutcome(stored, is_created=False)
    try:
        outcome = submit_feedback(
            _through(visit, data), channel=Channel.web, classifier=classifier, rules=rules,
            idempotency_key=f"visit:{visit.id}", now=now,
        )
    except IdempotencyConflict:
        # Other feedback through this link won the race: the link takes one submission.
        raise VisitUnavailable("used") from None
    if not outcome.is_created:
        return outcome  # this same feedback, sent twice at once: the request that stored it marks the link
    # A second commit, after submit_feedback's: the unique key above already guarantees one
    # submission, so losing this bookkeeping in a crash cannot let a second one in.
    visit.used_dt = now
    visit.submission_id = outcome.submission.id
    db.session.commit()
    return outcome


def _through(visit: Visit, data: FeedbackInput) -> FeedbackInput:
    """The feedback as stored through ``visit``: its center, desk and service, verified."""
    return replace(
        data,
        center_code=visit.center.code,
        service_code=visit.service.code if visit.service else data.service_code,
        desk=visit.desk,
        is_verified=True,
    )
