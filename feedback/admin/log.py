"""The administration log page: who changed accounts, keys, kiosks, centers, the model, retention."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from feedback.admin import bp
from feedback.database import row_id
from feedback.fields import StaffForm
from feedback.models import AdminAction
from feedback.models._types import utcnow
from feedback.services import audit, exports

ACTION_LABELS = {
    AdminAction.account_created: _l("Account created"),
    AdminAction.account_changed: _l("Account changed"),
    AdminAction.account_disabled: _l("Account disabled"),
    AdminAction.account_enabled: _l("Account enabled"),
    AdminAction.credentials_set: _l("Password set by an administrator"),
    AdminAction.api_key_issued: _l("API key issued"),
    AdminAction.api_key_revoked: _l("API key revoked"),
    AdminAction.kiosk_added: _l("Kiosk added"),
    AdminAction.kiosk_code_renewed: _l("Kiosk registration code renewed"),
    AdminAction.kiosk_revoked: _l("Kiosk revoked"),
    AdminAction.center_saved: _l("Center saved"),
    AdminAction.service_saved: _l("Service saved"),
    AdminAction.model_promoted: _l("Model promoted"),
    AdminAction.model_rolled_back: _l("Model rolled back"),
    AdminAction.contacts_purged: _l("Expired personal data purged"),
    AdminAction.contacts_exported: _l("Contact details exported"),
    AdminAction.comments_remasked: _l("Stored comments masked again"),
    AdminAction.two_factor_reset: _l("Two-factor sign-in reset"),
    AdminAction.personal_data_erased: _l("Personal data erased at the citizen's request"),
    AdminAction.backups_pruned: _l("Expired backups deleted"),
}


def _username(value):
    # Usernames are stored lower-case (feedback.models.user); "Admin.1 " names admin.1.
    return value.strip().lower() if isinstance(value, str) else value


def _shown(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return "—" if value is None or value == "" else str(value)


def describe(details: dict) -> list[str]:
    """One line per detail; a change reads "field: before → after"."""
    return [f"{name}: {_shown(value['from'])} → {_shown(value['to'])}" if audit.is_change(value)
            else f"{name}: {_shown(value)}" for name, value in details.items()]


class LogFilterForm(StaffForm):
    """What to show, from the query string; a GET form needs no CSRF token."""

    class Meta:
        csrf = False

    action = SelectField(_l("What"), default="",
                         choices=[("", _l("All"))] + [(a.value, label) for a, label in ACTION_LABELS.items()])
    who = StringField(_l("Who (username)"), validators=[Optional(), Length(max=40)], filters=[_username])


def _filter():
    """The filter form from the query string, and its filter as ``audit.matching``'s arguments."""
    form = LogFilterForm(formdata=request.args)
    if not form.validate():
        return form, None
    return form, {"action": AdminAction(form.action.data) if form.action.data else None,
                  "actor_name": form.who.data or None}


def _refused(form):
    return render_template("admin/log.html", form=form, events=[], labels=ACTION_LABELS), 400


@bp.get("/log")
def log():
    """The newest lines of the administration log, of one kind or by one person; ``?before=`` pages back."""
    form, matching = _filter()
    if matching is None:
        return _refused(form)
    events = audit.recent(before_id=row_id(request.args.get("before")), **matching)
    older = events[-1].id if len(events) == audit.PAGE_SIZE else None
    return render_template("admin/log.html", form=form, events=events, labels=ACTION_LABELS, describe=describe,
                           older=older)


@bp.get("/log.csv")
def log_csv():
    """The whole log, or the lines the filter keeps, as a CSV file for auditors."""
    form, matching = _filter()
    if matching is None:
        return _refused(form)
    return exports.csv_download(exports.admin_log_csv(**matching),
                                f"rey-admin-log-{utcnow().date().isoformat()}.csv")
