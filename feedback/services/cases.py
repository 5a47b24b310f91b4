"""The case workflow: open, move, assign, note, resolve, label — each step logged in the audit trail.

Functions take plain values and the acting user, check the rule, change the case, add one CaseEvent
and flush; the caller (a view or the submit service) commits. A refused step raises CaseError with
a message for the officer.
"""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from feedback.database import attach_inserted, insert_unless_present
from feedback.extensions import db
from feedback.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseStatus,
    EventKind,
    ResolutionCategory,
    Role,
    Submission,
    User,
)
from feedback.services.privacy import mask_personal_data
from feedback.services.scope import may_see_case
from feedback.services.triage import TriageDecision, TriageRules

log = logging.getLogger(__name__)
NOTE_MAX_LENGTH = 4000
MESSAGE_MAX_LENGTH = 2000

#: Allowed moves. Closed cases can be reopened (back to in progress) when the citizen comes back.
TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.new: frozenset({CaseStatus.in_progress, CaseStatus.dismissed}),
    CaseStatus.in_progress: frozenset({CaseStatus.contacted, CaseStatus.resolved, CaseStatus.dismissed}),
    CaseStatus.contacted: frozenset({CaseStatus.in_progress, CaseStatus.resolved, CaseStatus.dismissed}),
    CaseStatus.resolved: frozenset({CaseStatus.in_progress}),
    CaseStatus.dismissed: frozenset({CaseStatus.in_progress}),
}

STATUS_LABELS = {
    CaseStatus.new: _l("New"),
    CaseStatus.in_progress: _l("In progress"),
    CaseStatus.contacted: _l("Citizen contacted"),
    CaseStatus.resolved: _l("Resolved"),
    CaseStatus.dismissed: _l("Dismissed"),
}

CATEGORY_LABELS = {
    ResolutionCategory.waiting_time: _l("Waiting time"),
    ResolutionCategory.staff_conduct: _l("Staff conduct"),
    ResolutionCategory.documents: _l("Documents"),
    ResolutionCategory.it_system: _l("IT system"),
    ResolutionCategory.facilities: _l("Facilities"),
    ResolutionCategory.other: _l("Other"),
}


class CaseError(ValueError):
    """A workflow step was refused; the message says why, for the officer."""


def _log(case: Case, kind: EventKind, actor: User | None, now: datetime, **detail) -> CaseEvent:
    event = CaseEvent(case=case, actor_id=actor.id if actor else None, kind=kind, detail=detail, created_dt=now)
    db.session.add(event)
    case.updated_dt = now
    return event


#: Opening a case is on the path of every flagged submission: Core INSERTs, because the unit of work
#: for a Case and its first event costs milliseconds of CPU, several times the statements themselves.
_INSERT_EVENT = sa.insert(CaseEvent.__table__)


def new_case_values(
    decision: TriageDecision, *, center_id: int, service_id: int | None, language: str, now: datetime
) -> dict:
    """The columns of a flagged submission's new case, but its id and ``submission_id``: the center,
    service and language are the submission's. Shared by open_case and services.store, which writes
    the case in the same statement as the submission."""
    return dict(
        center_id=center_id,
        service_id=service_id,
        language=language,
        status=CaseStatus.new,
        priority=decision.priority,
        is_restricted=decision.is_restricted,
        urgent_terms=list(decision.urgent_terms),
        due_dt=decision.due_dt,
        assignee_id=None,
        resolution_category=None,
        resolution_message="",
        is_complaint_confirmed=None,
        labelled_by_id=None,
        labelled_dt=None,
        opened_dt=now,
        closed_dt=None,
        updated_dt=now,
    )


def opening_event_values(decision: TriageDecision, *, now: datetime) -> dict:
    """The audit trail's first line, as _log would write it for the system (no actor), but its case_id."""
    return dict(
        actor_id=None, kind=EventKind.opened, created_dt=now,
        detail={"reasons": list(decision.reasons), "priority": str(decision.priority)},
    )


def open_case(submission: Submission, decision: TriageDecision, *, now: datetime) -> Case | None:
    """Open the case of a flagged submission (once), in the caller's transaction.

    No query looks for an existing case first (a wasted round trip for the new submissions this is
    usually called with): the INSERT does nothing when the unique ``cases.submission_id`` is taken,
    and only then is the existing case read.
    """
    if not decision.is_flagged:
        return None
    values = dict(
        submission_id=submission.id,
        **new_case_values(decision, center_id=submission.center_id, service_id=submission.service_id,
                          language=submission.language, now=now),
    )
    case_id = db.session.execute(insert_unless_present(Case.__table__, "submission_id"), values).scalar()
    if case_id is None:
        return db.session.scalar(sa.select(Case).where(Case.submission_id == submission.id))
    db.session.execute(_INSERT_EVENT, dict(case_id=case_id, **opening_event_values(decision, now=now)))
    return attach_inserted(Case, {**values, "id": case_id})


def transition(case: Case, to: CaseStatus | str, *, actor: User, now: datetime, rules: TriageRules,
               seen: CaseStatus | str | None = None) -> Case:
    """Move the case to another status if the workflow allows it. A closed case that is reopened is
    due again after its priority's hours in ``rules``, counted from now. ``seen``: the status the
    officer was shown; if the case has moved on since (the caller holds its row), nothing changes."""
    try:
        to = CaseStatus(to)
    except ValueError:
        raise CaseError(_("Unknown status.")) from None
    if seen is not None and seen != case.status:
        raise CaseError(_("A colleague changed this case meanwhile: it is now “%(status)s”. "
                          "Check it before you change it.", status=STATUS_LABELS[case.status]))
    if to == CaseStatus.resolved:
        raise CaseError(_("Use the resolution form to resolve a case: the citizen needs a message."))
    # The citizen came back, maybe weeks later: with the due date of its first opening the case would
    # be overdue the moment it reopens, ahead of every case in the queue and on the dashboard.
    is_reopening = case.status in CLOSED_STATUSES and to in OPEN_STATUSES
    _move(case, to, actor=actor, now=now, due_dt=rules.due_from(now, case.priority) if is_reopening else None)
    if to == CaseStatus.in_progress and case.assignee_id is None:
        # Whoever starts working on an unassigned case takes it.
        assign(case, actor, actor=actor, now=now)
    db.session.flush()
    return case


def _move(case: Case, to: CaseStatus, *, actor: User, now: datetime, due_dt: datetime | None = None) -> None:
    """Change the status, and the due date when ``due_dt`` is given; the trail's line records both."""
    if to == case.status:
        raise CaseError(_("The case is already “%(status)s”.", status=STATUS_LABELS[to]))
    if to not in TRANSITIONS[case.status]:
        raise CaseError(
            _(
                "A case that is “%(current)s” cannot become “%(target)s”. Allowed next: %(allowed)s.",
                current=STATUS_LABELS[case.status],
                target=STATUS_LABELS[to],
                allowed=", ".join(str(STATUS_LABELS[s]) for s in _ordered(TRANSITIONS[case.status])),
            )
        )
    previous = case.status
    case.status = to
    case.closed_dt = now if to in CLOSED_STATUSES else None
    detail = {"from": str(previous), "to": str(to)}
    if due_dt is not None:
        case.due_dt = due_dt
        detail["due"] = due_dt.isoformat()
    _log(case, EventKind.status_changed, actor, now, **detail)


def _ordered(statuses) -> list[CaseStatus]:
    return [s for s in CaseStatus if s in statuses]


def allowed_next(case: Case) -> list[CaseStatus]:
    """Statuses the case may move to, in workflow order (for the page's buttons)."""
    return _ordered(TRANSITIONS[case.status])


def assign(case: Case, assignee: User | None, *, actor: User, now: datetime) -> Case:
    """Give the case to a colleague who can see it (or nobody)."""
    if assignee is not None:
        if not assignee.is_active or assignee.role not in (Role.officer, Role.supervisor, Role.integrity):
            raise CaseError(_("This person cannot be assigned cases."))
        if not may_see_case(assignee, case):
            raise CaseError(_("%(name)s cannot see cases of this center.", name=assignee.label))
    if (assignee.id if assignee else None) == case.assignee_id:
        return case
    previous = case.assignee
    case.assignee = assignee
    _log(
        case, EventKind.assigned, actor, now,
        **{"from": previous.username if previous else None, "to": assignee.username if assignee else None},
    )
    db.session.flush()
    return case


def add_note(case: Case, text: str, *, actor: User, now: datetime) -> CaseEvent:
    """Add an internal note (never shown to the citizen). It is kept masked like the comment: an
    officer who called the citizen back may write the number down, and supervisors, who read the
    trail, may not see contacts."""
    text = (text or "").strip()
    if not text:
        raise CaseError(_("The note is empty."))
    if len(text) > NOTE_MAX_LENGTH:
        raise CaseError(_("The note is longer than %(n)d characters.", n=NOTE_MAX_LENGTH))
    event = _log(case, EventKind.note, actor, now, text=mask_personal_data(text))
    db.session.flush()
    return event


def resolve(
    case: Case, category: ResolutionCategory | str, message: str, *, actor: User, now: datetime
) -> Case:
    """Close the case as resolved, with a category and a message the citizen will read."""
    try:
        category = ResolutionCategory(category)
    except ValueError:
        raise CaseError(_("Choose a resolution category.")) from None
    message = (message or "").strip()
    if not message:
        raise CaseError(_("Write a message for the citizen: it is shown on their status page."))
    if len(message) > MESSAGE_MAX_LENGTH:
        raise CaseError(_("The message is longer than %(n)d characters.", n=MESSAGE_MAX_LENGTH))
    # Shown on a status page that anyone with the reference opens, and in the trail: masked.
    message = mask_personal_data(message)
    if CaseStatus.resolved not in TRANSITIONS[case.status]:
        _move(case, CaseStatus.resolved, actor=actor, now=now)  # raises with the allowed moves
    case.resolution_category = category
    case.resolution_message = message
    _move(case, CaseStatus.resolved, actor=actor, now=now)
    _log(case, EventKind.resolution, actor, now, category=str(category), message=message)
    db.session.flush()
    return case


def set_label(case: Case, is_complaint: bool | None, *, actor: User, now: datetime) -> Case:
    """Record the officer's verdict — a real complaint or not — as a training label."""
    previous = case.is_complaint_confirmed
    case.is_complaint_confirmed = is_complaint
    case.labelled_by_id = actor.id if is_complaint is not None else None
    case.labelled_dt = now if is_complaint is not None else None
    _log(case, EventKind.labelled, actor, now, **{"from": previous, "to": is_complaint})
    db.session.flush()
    return case


def log_contact_view(case: Case, *, actor: User, now: datetime) -> CaseEvent:
    """Record that the actor saw the citizen's contact details and unmasked comment."""
    if not actor.may_view_contact:
        raise CaseError(_("Your role may not see contact details."))
    event = _log(case, EventKind.contact_viewed, actor, now)
    db.session.flush()
    log.info("user %s viewed contact details of case %s", actor.username, case.id)
    return event


def assignable_users(case: Case) -> list[User]:
    """Active colleagues who could take this case, by name."""
    candidates = db.session.scalars(
        sa.select(User)
        .where(User.is_active.is_(True), User.role.in_([Role.officer, Role.supervisor, Role.integrity]))
        .order_by(User.username)
    )
    return [u for u in candidates if may_see_case(u, case)]
