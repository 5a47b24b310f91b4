"""Queue and case views: parse the form, call one service function, render or redirect."""

from __future__ import annotations

from collections.abc import Callable, Collection

import sqlalchemy as sa
from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from feedback.auth import role_required
from feedback.database import row_id
from feedback.extensions import db
from feedback.fields import filter_query
from feedback.i18n import current_language
from feedback.models import Case, CaseStatus, Priority, Role, User
from feedback.review.labels import EVENT_LABELS, REASON_LABELS, VERDICT_LABELS
from feedback.models._types import utcnow
from feedback.review import bp
from feedback.review.alerts import alert_context
from feedback.review.forms import (
    PRIORITY_LABELS,
    AssignForm,
    LabelForm,
    NoteForm,
    QueueFilterForm,
    ResolveForm,
    RevealForm,
    StatusForm,
)
from feedback.services import cases as case_service
from feedback.services.cases import CATEGORY_LABELS, STATUS_LABELS, CaseError
from feedback.services.highlight import highlight
from feedback.services.metrics import service_names
from feedback.services.queue import BadCursor, QueueFilters, queue_page
from feedback.services.scope import get_visible_case, visible_centers
from feedback.services.triage import TriageRules

CASE_ROLES = (Role.officer, Role.supervisor, Role.integrity)


def _labels() -> dict:
    return {"status_labels": STATUS_LABELS, "priority_labels": PRIORITY_LABELS, "category_labels": CATEGORY_LABELS,
            "reason_labels": REASON_LABELS, "event_labels": EVENT_LABELS, "verdict_labels": VERDICT_LABELS}


def _chosen_center_id(form: QueueFilterForm, centers) -> int | None:
    """The center the officer chose among theirs; anything else is a form error."""
    center_id = row_id(form.center.data)
    if form.center.data and center_id not in {c.id for c in centers}:
        form.center.errors = [_("Unknown center.")]
        return None
    return center_id


def _filters_from(form: QueueFilterForm, center_id: int | None, service_codes: Collection[str]) -> QueueFilters:
    """Turn the query string into filters; values we do not recognise become form errors."""
    service_code = form.service.data or None
    if service_code and service_code not in service_codes:
        form.service.errors = [_("Unknown service.")]
        service_code = None
    status = form.status.data if not form.status.errors else ""
    statuses = tuple(CaseStatus) if status == "all" else ((CaseStatus(status),) if status else ())
    return QueueFilters(
        center_id=center_id,
        service_code=service_code,
        statuses=statuses,
        priority=Priority(form.priority.data) if form.priority.data and not form.priority.errors else None,
        language=(form.language.data or None) if not form.language.errors else None,
        date_from=form.date_from.data if not form.date_from.errors else None,
        date_to=form.date_to.data if not form.date_to.errors else None,
        # The days the officer names are the ones the pages show times in, as on the dashboard.
        tz=current_app.config["BABEL_DEFAULT_TIMEZONE"],
        is_overdue=form.overdue.data == "1",  # anything else: not filtered
        assignee_id=current_user.id if form.mine.data == "1" else None,
    )


@bp.get("/")
@role_required(*CASE_ROLES)
def queue():
    """The cases in the officer's scope, soonest due first."""
    form = QueueFilterForm(formdata=request.args)
    centers = visible_centers(current_user)
    form.center.choices = [("", _("All my centers"))] + [(str(c.id), c.name(current_language())) for c in centers]
    form.validate()  # fills errors for bad dates or choices; valid filters still apply
    center_id = _chosen_center_id(form, centers)
    # Services are per center; a code ("passport") means that service at each of the chosen centers.
    services = service_names([center_id] if center_id else [c.id for c in centers], current_language())
    form.service.choices = [("", _("Any"))] + list(services.items())
    filters = _filters_from(form, center_id, services)
    now = utcnow()
    status = 200
    try:
        page = queue_page(
            current_user, filters, now=now, after=request.args.get("after") or None,
            limit=current_app.config["QUEUE_PAGE_SIZE"],
        )
    except BadCursor:
        flash(_("That page link is no longer valid; showing the first page."), "error")
        page = queue_page(current_user, filters, now=now, limit=current_app.config["QUEUE_PAGE_SIZE"])
    if form.errors:
        status = 400
    return render_template(
        "review/queue.html", form=form, page=page, filters=filters, now=now, args=filter_query(form),
        is_restricted_queue=current_user.role == Role.integrity, **_labels(), **alert_context(now),
    ), status


def _case_or_404(case_id: int, *, for_change: bool = False) -> Case:
    case = get_visible_case(current_user, case_id, for_change=for_change)
    if case is None:
        abort(404)
    return case


def _render_case(case: Case, *, show_contact: bool = False, status: int = 200):
    submission = case.submission
    text = submission.comment if show_contact else submission.comment_masked
    assign_form = AssignForm()
    assign_form.assignee.choices = [("", _("Nobody"))] + [
        (str(u.id), f"{u.label} ({u.username})") for u in case_service.assignable_users(case)
    ]
    assign_form.assignee.data = str(case.assignee_id or "")
    label_form = LabelForm()
    label_form.verdict.data = {True: "complaint", False: "not_complaint"}.get(case.is_complaint_confirmed, "clear")
    resolve_form = ResolveForm()
    if case.resolution_category and not resolve_form.category.data:
        resolve_form.category.data = case.resolution_category.value
    return render_template(
        "review/case.html",
        case=case,
        submission=submission,
        segments=highlight(text, list(submission.model_reasons or []) + list(case.urgent_terms or [])),
        show_contact=show_contact,
        now=utcnow(),
        allowed_next=[s for s in case_service.allowed_next(case) if s != CaseStatus.resolved],
        can_resolve=CaseStatus.resolved in case_service.allowed_next(case),
        status_form=StatusForm(),
        assign_form=assign_form,
        note_form=NoteForm(),
        resolve_form=resolve_form,
        label_form=label_form,
        reveal_form=RevealForm(),
        users={u.id: u for u in db.session.scalars(
            sa.select(User).where(User.id.in_({e.actor_id for e in case.events if e.actor_id}))
        )},
        **_labels(),
    ), status


@bp.get("/cases/<int:case_id>")
@role_required(*CASE_ROLES)
def case_page(case_id: int):
    """One case: the comment (masked), why it was flagged, the workflow and the audit trail."""
    return _render_case(_case_or_404(case_id))


@bp.post("/cases/<int:case_id>/contact")
@role_required(*CASE_ROLES)
def reveal_contact(case_id: int):
    """Show the unmasked comment and contact details, and log that this user saw them."""
    case = _case_or_404(case_id)
    if not RevealForm().validate_on_submit():
        abort(400)
    try:
        case_service.log_contact_view(case, actor=current_user, now=utcnow())
    except CaseError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("review.case_page", case_id=case.id), 303)
    db.session.commit()
    return _render_case(case, show_contact=True)


def _act(case_id: int, form_class, step: Callable[[Case, object], object], done: str):
    """Run one workflow step from a posted form; refusals come back as a message on the case page."""
    case = _case_or_404(case_id, for_change=True)
    form = form_class()
    if isinstance(form, AssignForm):
        form.assignee.choices = []  # validated in the service, which knows who may see the case
    if not form.validate_on_submit():
        for messages in form.errors.values():
            for message in messages:
                flash(message, "error")
        return redirect(url_for("review.case_page", case_id=case.id), 303)
    try:
        step(case, form)
    except CaseError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(done, "info")
    return redirect(url_for("review.case_page", case_id=case.id), 303)


@bp.post("/cases/<int:case_id>/status")
@role_required(*CASE_ROLES)
def change_status(case_id: int):
    """Move the case along the workflow."""
    rules = TriageRules.from_config(current_app.config)
    return _act(case_id, StatusForm, lambda case, form: case_service.transition(
        case, form.to.data, actor=current_user, now=utcnow(), rules=rules, seen=form.seen.data or None),
        _("Status changed."))


def _assign(case: Case, form: AssignForm):
    assignee = None
    if form.assignee.data:
        assignee = db.session.get(User, row_id(form.assignee.data) or 0)
        if assignee is None:
            raise CaseError(_("Unknown colleague."))
    case_service.assign(case, assignee, actor=current_user, now=utcnow())


@bp.post("/cases/<int:case_id>/assign")
@role_required(*CASE_ROLES)
def assign(case_id: int):
    """Give the case to a colleague."""
    return _act(case_id, AssignForm, _assign, _("Assignment saved."))


@bp.post("/cases/<int:case_id>/notes")
@role_required(*CASE_ROLES)
def add_note(case_id: int):
    """Add an internal note."""
    return _act(case_id, NoteForm, lambda case, form: case_service.add_note(
        case, form.text.data, actor=current_user, now=utcnow()), _("Note added."))


@bp.post("/cases/<int:case_id>/resolve")
@role_required(*CASE_ROLES)
def resolve(case_id: int):
    """Resolve with a category and a message for the citizen."""
    return _act(case_id, ResolveForm, lambda case, form: case_service.resolve(
        case, form.category.data, form.message.data, actor=current_user, now=utcnow()), _("Case resolved."))


@bp.post("/cases/<int:case_id>/label")
@role_required(*CASE_ROLES)
def label(case_id: int):
    """Record whether this was a real complaint."""
    verdicts = {"complaint": True, "not_complaint": False, "clear": None}
    return _act(case_id, LabelForm, lambda case, form: case_service.set_label(
        case, verdicts[form.verdict.data], actor=current_user, now=utcnow()), _("Verdict saved."))


@bp.get("/api/cases/<int:case_id>")
@role_required(*CASE_ROLES)
def case_json(case_id: int):
    """The case as JSON for scripts of logged-in staff (same scope as the page)."""
    case = _case_or_404(case_id)
    return jsonify(
        id=case.id,
        reference=case.submission.reference,
        center=case.center.code,
        status=str(case.status),
        priority=str(case.priority),
        is_restricted=case.is_restricted,
        due=case.due_dt.isoformat(),
        comment=case.submission.comment_masked,
        flag_reasons=case.submission.flag_reasons,
        is_complaint_confirmed=case.is_complaint_confirmed,
    )
