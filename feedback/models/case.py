"""A case: the follow-up of one flagged submission, and its audit trail."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback.extensions import db
from feedback.models._types import UTCDateTime, utcnow
from feedback.models.center import Center, Service
from feedback.models.submission import Submission
from feedback.models.user import User


class Priority(enum.StrEnum):
    urgent = "urgent"
    high = "high"
    normal = "normal"


#: Sort order of priorities, most pressing first.
PRIORITY_RANK = {Priority.urgent: 0, Priority.high: 1, Priority.normal: 2}


class CaseStatus(enum.StrEnum):
    new = "new"
    in_progress = "in_progress"
    contacted = "contacted"
    resolved = "resolved"
    dismissed = "dismissed"


OPEN_STATUSES = frozenset({CaseStatus.new, CaseStatus.in_progress, CaseStatus.contacted})
CLOSED_STATUSES = frozenset({CaseStatus.resolved, CaseStatus.dismissed})


class ResolutionCategory(enum.StrEnum):
    waiting_time = "waiting_time"
    staff_conduct = "staff_conduct"
    documents = "documents"
    it_system = "it_system"
    facilities = "facilities"
    other = "other"


class EventKind(enum.StrEnum):
    opened = "opened"
    status_changed = "status_changed"
    assigned = "assigned"
    note = "note"
    resolution = "resolution"
    labelled = "labelled"
    #: Someone revealed the citizen's contact details or the unmasked comment.
    contact_viewed = "contact_viewed"
    #: At the citizen's request, their contact and comment were erased (feedback.services.retention).
    personal_data_erased = "personal_data_erased"


class Case(db.Model):
    __tablename__ = "cases"
    __table_args__ = (
        sa.CheckConstraint(
            "(status IN ('resolved', 'dismissed')) = (closed_dt IS NOT NULL)", name="closed_when_closed"
        ),
        sa.CheckConstraint(
            "status <> 'resolved' OR resolution_category IS NOT NULL", name="resolved_has_category"
        ),
        # Keyset pagination of the queue: (due_dt, id) in scope of one center, or across centers.
        sa.Index("ix_cases_center_status_due", "center_id", "status", "due_dt", "id"),
        sa.Index("ix_cases_status_due", "status", "due_dt", "id"),
        sa.Index("ix_cases_due", "due_dt", "id"),
        sa.Index("ix_cases_restricted_status_due", "is_restricted", "status", "due_dt", "id"),
        # Dashboard: cases of a center opened in a period; scope: the submissions of restricted cases.
        sa.Index("ix_cases_center_opened", "center_id", "opened_dt"),
        sa.Index("ix_cases_restricted_submission", "submission_id",
                 postgresql_where=sa.text("is_restricted IS true"), sqlite_where=sa.text("is_restricted = 1")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The flagged submission; a submission opens at most one case.
    submission_id: Mapped[int] = mapped_column(
        sa.ForeignKey("submissions.id", ondelete="CASCADE"), unique=True
    )
    #: Copied from the submission so scope and queue filters need no join.
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("centers.id"))
    #: Copied from the submission for the queue's service filter.
    service_id: Mapped[int | None] = mapped_column(sa.ForeignKey("services.id"), index=True)
    #: Copied from the submission (the page language) for the queue's language filter.
    language: Mapped[str] = mapped_column(sa.String(8), default="", server_default="")
    status: Mapped[CaseStatus] = mapped_column(
        sa.Enum(CaseStatus, native_enum=False, length=20), default=CaseStatus.new
    )
    priority: Mapped[Priority] = mapped_column(sa.Enum(Priority, native_enum=False, length=10))
    #: Integrity matters (bribery, threats, safety): only the integrity role sees these.
    is_restricted: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: Words of the comment that made triage call it urgent, e.g. ``["rüşvət"]``.
    urgent_terms: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: When the case should be closed by, from the priority's hours (counted again when it is reopened).
    due_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    #: The officer working on it.
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    resolution_category: Mapped[ResolutionCategory | None] = mapped_column(
        sa.Enum(ResolutionCategory, native_enum=False, length=20)
    )
    #: What the citizen reads on the status page once the case is resolved.
    resolution_message: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    #: The officer's verdict, a training label: a real complaint (True) or not (False); NULL = not judged.
    is_complaint_confirmed: Mapped[bool | None]
    labelled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    labelled_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the case was opened (the submission's time).
    opened_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When it was resolved or dismissed; NULL while open.
    closed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    submission: Mapped[Submission] = relationship()
    center: Mapped[Center] = relationship()
    service: Mapped[Service | None] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    labelled_by: Mapped[User | None] = relationship(foreign_keys=[labelled_by_id])
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", order_by="CaseEvent.created_dt, CaseEvent.id", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, now: datetime) -> bool:
        return self.is_open and self.due_dt < now

    def __repr__(self) -> str:
        return f"<Case {self.id} {self.status} {self.priority}>"


class CaseEvent(db.Model):
    """One line of a case's audit trail: who did what, when."""

    __tablename__ = "case_events"
    __table_args__ = (sa.Index("ix_case_events_case_created", "case_id", "created_dt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    #: Who acted; NULL for the system (triage opening the case).
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    kind: Mapped[EventKind] = mapped_column(sa.Enum(EventKind, native_enum=False, length=20))
    #: What changed, e.g. ``{"from": "new", "to": "in_progress"}`` or ``{"text": "..."}``.
    detail: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<CaseEvent {self.kind} case={self.case_id}>"
