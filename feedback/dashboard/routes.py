"""Dashboard views: parse the filter, call one service function, render (or stream a CSV)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from feedback.auth import role_required
from feedback.dashboard import bp
from feedback.dashboard.forms import DashboardFilterForm
from feedback.errors import render_error
from feedback.fields import filter_query
from feedback.extensions import db
from feedback.review.alerts import alert_context
from feedback.i18n import current_language
from feedback.models import Role
from feedback.models._types import utcnow
from feedback.services import exports, metrics
from feedback.services.scope import case_clause, visible_centers, visible_submissions

DASHBOARD_ROLES = (Role.officer, Role.supervisor, Role.integrity)


def _submission_scope():
    """The scope service's rule for submissions, as a condition the metrics can combine."""
    condition = visible_submissions(current_user).whereclause
    return sa.true() if condition is None else condition


def _parse_filter() -> tuple[DashboardFilterForm, metrics.DashboardFilter]:
    form = DashboardFilterForm(formdata=request.args)
    centers = visible_centers(current_user)
    locale = current_language()
    services = metrics.service_names([c.id for c in centers], locale)
    form.set_choices(centers, services, locale, _("All"))
    form.validate()
    tz = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    today = utcnow().astimezone(ZoneInfo(tz)).date()
    return form, form.to_filter(today, tz)


@bp.get("/")
@role_required(*DASHBOARD_ROLES)
def index():
    """Satisfaction, complaints and cases for the chosen centers, service and period."""
    form, dashboard_filter = _parse_filter()
    now = utcnow()
    board = metrics.dashboard(dashboard_filter, _submission_scope(), case_clause(current_user), now)
    status = 400 if form.errors else 200
    return render_template(
        "dashboard/index.html", form=form, board=board, args=filter_query(form),
        may_export_contacts=current_user.may_view_contact,
        min_ranked=metrics.MIN_RANKED_RESPONSES, **alert_context(now),
    ), status


def _with_contact() -> bool:
    return request.args.get("contact") == "1" and current_user.may_view_contact


@bp.get("/export/submissions.csv")
@role_required(*DASHBOARD_ROLES)
def export_submissions():
    """The filtered submissions as CSV (masked comments; contacts only for roles that may see them)."""
    form, f = _parse_filter()
    if form.errors:
        return _bad_filter(form)
    lines = exports.submissions_csv(f, _submission_scope(), actor=current_user,
                                    contact_cases=case_clause(current_user) if _with_contact() else None)
    db.session.commit()  # the administration log's line, if contacts leave in the file
    return exports.csv_download(lines, exports.dated_filename("submissions", f))


@bp.get("/export/cases.csv")
@role_required(*DASHBOARD_ROLES)
def export_cases():
    """The cases opened in the filtered period as CSV."""
    form, f = _parse_filter()
    if form.errors:
        return _bad_filter(form)
    lines = exports.cases_csv(f, case_clause(current_user), utcnow(), with_contact=_with_contact(),
                              actor=current_user)
    db.session.commit()  # the administration log's line, if contacts leave in the file
    return exports.csv_download(lines, exports.dated_filename("cases", f))


def _bad_filter(form):
    """A download with a bad filter answers 400 with the errors instead of a surprising file."""
    details = "; ".join(f"{form[name].label.text}: {' '.join(map(str, errs))}" for name, errs in form.errors.items())
    return render_error(400, _("The export filter is not valid: %(details)s", details=details))
