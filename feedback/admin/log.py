"""The administration log page: who changed accounts, keys, kiosks, centers, the model, retention."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import lazy_gettext as _l

from feedback.admin import bp
from feedback.database import row_id
from feedback.models import AdminAction
from feedback.services import audit

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
    AdminAction.model_rolled_back: _l("Model rolled back"),
    AdminAction.contacts_purged: _l("Contact details purged"),
    AdminAction.contacts_exported: _l("Contact details exported"),
}


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


@bp.get("/log")
def log():
    """The newest lines of the administration log; ``?before=`` pages back."""
    events = audit.recent(before_id=row_id(request.args.get("before")))
    older = events[-1].id if len(events) == audit.PAGE_SIZE else None
    return render_template("admin/log.html", events=events, labels=ACTION_LABELS, describe=describe, older=older)
