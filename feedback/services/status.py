"""What a citizen may learn about their feedback from its reference — and nothing private."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Case, CaseStatus, Submission


class CitizenState(enum.StrEnum):
    received = "received"
    under_review = "under_review"
    resolved = "resolved"
    #: Looked at and closed without a follow-up (e.g. praise the model misread).
    closed = "closed"


@dataclass(frozen=True)
class CitizenStatus:
    reference: str
    state: CitizenState
    received_dt: datetime
    #: The officer's message, only once resolved.
    message: str = ""
    resolved_dt: datetime | None = None


def citizen_status(reference: str) -> CitizenStatus | None:
    row = db.session.execute(
        sa.select(Submission.created_dt, Case.status, Case.resolution_message, Case.closed_dt)
        .outerjoin(Case, Case.submission_id == Submission.id)
        .where(Submission.reference == reference)
    ).first()
    if row is None:
        return None
    received, status, message, closed = row
    if status is None or status == CaseStatus.new:
        return CitizenStatus(reference, CitizenState.received, received)
    if status in (CaseStatus.in_progress, CaseStatus.contacted):
        return CitizenStatus(reference, CitizenState.under_review, received)
    if status == CaseStatus.resolved:
        return CitizenStatus(reference, CitizenState.resolved, received, message or "", closed)
    return CitizenStatus(reference, CitizenState.closed, received, resolved_dt=closed)
