"""CSV exports: the dashboard's submissions and cases, masked for the reader's role, and the
administration log for auditors.

Every export shows the masked comment; the citizen's contact appears only for roles that may see
contacts and only when asked for, and such an export is logged. Rows stream from the database in
batches, so a year of feedback does not have to fit in memory.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from collections.abc import Iterator
from datetime import datetime

import sqlalchemy as sa
from flask import Response, stream_with_context
from sqlalchemy.orm import aliased

from feedback.extensions import db
from feedback.models import OPEN_STATUSES, AdminAction, AdminEvent, Case, Center, Service, Submission, User
from feedback.services import audit
from feedback.services.metrics import DashboardFilter, case_conditions, submission_conditions

log = logging.getLogger(__name__)
BATCH = 1000
#: Spreadsheets run cells starting with these as formulas, also after leading white space; a leading
#: apostrophe keeps them text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: A phone number such as +994 50 123 45 67 is data, not a formula; keep it readable.
_PHONE = re.compile(r"^\+[\d ()-]{6,}$")

SUBMISSION_COLUMNS = (
    "reference", "created_utc", "center", "service", "desk", "rating", "waiting_rating", "courtesy_rating",
    "is_matter_resolved", "language", "channel", "comment_masked", "complaint_probability", "is_flagged",
    "flag_reasons",
)
CASE_COLUMNS = (
    "case_id", "reference", "center", "service", "status", "priority", "is_restricted", "opened_utc", "due_utc",
    "closed_utc", "is_overdue", "resolution_category", "is_complaint_confirmed", "rating", "comment_masked",
)
ADMIN_LOG_COLUMNS = ("event_id", "created_utc", "action", "subject", "by", "details")
#: Who made a change from a shell on the server; no username has a space.
COMMAND_LINE = "command line"


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, list | tuple):
        value = " ".join(str(v) for v in value)
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    text = str(getattr(value, "value", value))
    is_formula = text.startswith(_FORMULA_STARTS) or text.lstrip().startswith(_FORMULA_STARTS)
    return "'" + text if is_formula and not _PHONE.match(text) else text


def _lines(header, query) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    yield "\ufeff" + buffer.getvalue()  # the BOM makes spreadsheet programs read UTF-8 (ə, ş, ы)
    # Executed only once the response streams: a server-side cursor opened earlier would not survive
    # the request's after-request handlers ending the transaction.
    for row in db.session.execute(query):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_cell(v) for v in row])
        yield buffer.getvalue()


def _log_contact_export(kind: str, f: DashboardFilter, actor: User | None) -> None:
    # Citizens' phone numbers leaving in a file: who took them, and which, goes into the
    # administration log, committed by the caller before the file streams.
    center = db.session.get(Center, f.center_id) if f.center_id else None
    audit.record(AdminAction.contacts_exported, f"{kind}.csv", actor=actor, details={
        "from": f.period.start.isoformat(), "until": f.period.end.isoformat(),
        "center": center.code if center else None, "region": f.region, "service": f.service_code})
    log.info("%s export with contacts by %s: %s", kind, actor.username if actor else "command line", f)


def submissions_csv(f: DashboardFilter, scope, *, contact_cases=None,
                    actor: User | None = None) -> Iterator[str]:
    """CSV lines of the submissions matching the filter within ``scope`` (a SQL condition).

    ``contact_cases``, a condition on cases (the reader's case scope), adds a contact column that
    holds the contacts of the submissions whose case it admits, and no others: a contact is given
    for following a complaint up, so a file carries it only where its reader may follow it up."""
    columns = [
        Submission.reference, Submission.created_dt, Center.code, Service.code, Submission.desk,
        Submission.rating, Submission.waiting_rating, Submission.courtesy_rating, Submission.is_matter_resolved,
        Submission.language, Submission.channel, Submission.comment_masked, Submission.complaint_probability,
        Submission.is_flagged, Submission.flag_reasons,
    ]
    header = list(SUBMISSION_COLUMNS)
    if contact_cases is not None:
        followed_up = sa.select(Case.submission_id).where(contact_cases)
        columns.append(sa.case((Submission.id.in_(followed_up), Submission.contact), else_=None))
        header.append("contact")
        _log_contact_export("submissions", f, actor)
    query = (
        sa.select(*columns)
        .join(Center, Center.id == Submission.center_id)
        .outerjoin(Service, Service.id == Submission.service_id)
        .where(*submission_conditions(f, scope))
        .order_by(Submission.created_dt, Submission.id)
        .execution_options(yield_per=BATCH)
    )
    return _lines(header, query)


def cases_csv(f: DashboardFilter, case_scope, now: datetime, *, with_contact: bool = False,
              actor: User | None = None) -> Iterator[str]:
    """CSV lines of the cases opened in the filter's period within ``case_scope``."""
    sub = aliased(Submission)
    is_overdue = sa.and_(Case.status.in_(sorted(OPEN_STATUSES)), Case.due_dt < now)
    columns = [
        Case.id, sub.reference, Center.code, Service.code, Case.status, Case.priority, Case.is_restricted,
        Case.opened_dt, Case.due_dt, Case.closed_dt, is_overdue, Case.resolution_category,
        Case.is_complaint_confirmed, sub.rating, sub.comment_masked,
    ]
    header = list(CASE_COLUMNS)
    if with_contact:
        columns.append(sub.contact)
        header.append("contact")
        _log_contact_export("cases", f, actor)
    query = (
        sa.select(*columns)
        .join(sub, sub.id == Case.submission_id)
        .join(Center, Center.id == Case.center_id)
        .outerjoin(Service, Service.id == Case.service_id)
        .where(*case_conditions(f, case_scope))
        .order_by(Case.opened_dt, Case.id)
        .execution_options(yield_per=BATCH)
    )
    return _lines(header, query)


def admin_log_csv(*, action: AdminAction | None = None, actor_name: str | None = None) -> Iterator[str]:
    """CSV lines of the administration log, oldest first, filtered as the log page is.

    For auditors who keep the log outside the system or read it in a spreadsheet: a change's details
    are one JSON object, its before and after values as ``{"from": …, "to": …}``.
    """
    by = sa.case((AdminEvent.actor_name == "", COMMAND_LINE), else_=AdminEvent.actor_name)
    query = (
        audit.matching(action=action, actor_name=actor_name)
        .with_only_columns(AdminEvent.id, AdminEvent.created_dt, AdminEvent.action, AdminEvent.subject, by,
                           AdminEvent.details)
        .order_by(AdminEvent.id)
        .execution_options(yield_per=BATCH)
    )
    return _lines(ADMIN_LOG_COLUMNS, query)


def dated_filename(name: str, f: DashboardFilter) -> str:
    """``rey-<name>-<first day>-<last day>.csv``: what the file holds and which days."""
    return f"rey-{name}-{f.period.start.isoformat()}-{f.period.end.isoformat()}.csv"


def csv_download(lines: Iterator[str], filename: str) -> Response:
    """The lines as a CSV file, streamed as they are read and kept out of caches."""
    return Response(
        stream_with_context(lines),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
