"""GET /api/v1/exports/*.csv: the dashboard's CSV exports for machine clients holding ``exports:read``.

The same files an officer downloads, for a reporting system to fetch on a schedule: masked
comments, never a citizen's contact, never a restricted case. A key bound to a center exports that
center only. Messages are in English, like the rest of the API.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app, g, request

from feedback.api import bp
from feedback.api.auth import require_api_key
from feedback.errors import render_error
from feedback.extensions import db
from feedback.fields import FIRST_DAY, LAST_DAY
from feedback.models import Center, Service
from feedback.models._types import utcnow
from feedback.services import exports
from feedback.services.metrics import DEFAULT_PERIOD_DAYS, MAX_PERIOD_DAYS, DashboardFilter, Period
from feedback.services.scope import key_case_clause, key_submission_clause

_PARAMETERS = {"from", "until", "center", "service"}


#: The OpenAPI document's pattern for a day. date.fromisoformat alone would also take ISO week dates
#: (2026-W01-1) and the basic format (20260105), which a client then relies on against the document.
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def _day(value: str | None, name: str, errors: dict) -> date | None:
    if value is None:
        return None
    try:
        if not _DAY.fullmatch(value):
            raise ValueError(value)
        day = date.fromisoformat(value)
    except ValueError:
        errors[name] = "a date as YYYY-MM-DD"
        return None
    if not FIRST_DAY <= day <= LAST_DAY:
        errors[name] = f"a date from {FIRST_DAY.year} to {LAST_DAY.year}"
        return None
    return day


def _service_exists(code: str) -> bool:
    """A service code names one service per center; any center's will do for the filter."""
    return db.session.scalar(sa.select(Service.id).where(Service.code == code).limit(1)) is not None


def _export_filter(args, key) -> tuple[DashboardFilter | None, dict[str, str], int]:
    """The filter the query string asks for, or the errors and the status to answer them with."""
    errors = {name: "unknown parameter" for name in sorted(set(args) - _PARAMETERS)}
    tz = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    until = _day(args.get("until"), "until", errors) or utcnow().astimezone(ZoneInfo(tz)).date()
    start = _day(args.get("from"), "from", errors) or until - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    if start > until:
        errors["until"] = "on or after from"
    elif (until - start).days >= MAX_PERIOD_DAYS:
        errors["from"] = f"at most {MAX_PERIOD_DAYS} days before until"
    for name in ("center", "service"):
        if name in args and not args[name].strip():
            errors[name] = "a code, not blank"
    center_id = None
    if args.get("center") and "center" not in errors:
        center_id = db.session.scalar(sa.select(Center.id).where(Center.code == args["center"]))
        if center_id is None:
            errors["center"] = "unknown center"
    service = args.get("service")
    if service and "service" not in errors and not _service_exists(service):
        errors["service"] = "unknown service"
    # A client sending center=a&center=b may expect both: answering with the first only would hide it.
    errors.update({name: "given more than once" for name in sorted(_PARAMETERS) if len(args.getlist(name)) > 1})
    if errors:
        return None, errors, 400
    if key.center_id is not None and center_id not in (None, key.center_id):
        return None, {"center": "this key may export only its own center"}, 403
    return DashboardFilter(Period(start, until, tz=tz), center_id=center_id, service_code=service or None), {}, 200


def _export(name: str, lines_of):
    """The file ``lines_of(filter)`` writes for the filter the query string asks for."""
    f, errors, status = _export_filter(request.args, g.api_key)
    if f is None:
        return render_error(status, "invalid request" if status == 400 else "forbidden", errors=errors)
    return exports.csv_download(lines_of(f), exports.dated_filename(name, f))


@bp.get("/exports/submissions.csv")
@require_api_key("exports:read")
def export_submissions():
    """The submissions of a period as CSV."""
    return _export("submissions", lambda f: exports.submissions_csv(f, key_submission_clause(g.api_key)))


@bp.get("/exports/cases.csv")
@require_api_key("exports:read")
def export_cases():
    """The cases opened in a period as CSV."""
    return _export("cases", lambda f: exports.cases_csv(f, key_case_clause(g.api_key), utcnow()))
