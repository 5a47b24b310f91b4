"""POST /api/v1/visits: the queue system asks for a one-visit feedback link."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, g, jsonify, request, url_for

from feedback.api import bp
from feedback.api.auth import require_api_key
from feedback.errors import render_error
from feedback.extensions import db
from feedback.services.submit import SubmissionRejected
from feedback.services.visits import VisitForbidden, issue_visit
from feedback.validation import has_control_characters

_FIELDS = {"center": 40, "service": 40, "desk": 20, "ticket": 40, "language": 8}


def _parse(payload) -> tuple[dict, dict]:
    if not isinstance(payload, dict):
        return {}, {"body": "send a JSON object with Content-Type: application/json"}
    errors = {key: "unknown field" for key in sorted(set(payload) - set(_FIELDS))}
    values = {}
    for key, max_length in _FIELDS.items():
        value = payload.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip() or len(value.strip()) > max_length:
            errors[key] = f"must be a non-empty string of at most {max_length} characters"
        elif has_control_characters(value):
            # The desk reaches the citizen's feedback, and the ticket the queue system's records.
            errors[key] = "must not contain control characters, invisible characters or direction marks"
        else:
            values[key] = value.strip()
    if "center" not in values:
        errors.setdefault("center", "required: a center code from GET /api/v1/centers")
    language = values.get("language")
    if language and language not in current_app.config["LANGUAGES"]:
        errors["language"] = "one of: " + ", ".join(current_app.config["LANGUAGES"])
    return values, errors


@bp.post("/visits")
@require_api_key("visits:create")
def create_visit():
    """Issue a one-use link whose feedback is marked verified."""
    values, errors = _parse(request.get_json(silent=True) if request.is_json else None)
    if errors:
        return render_error(400, "invalid request", errors=errors)
    try:
        issued = issue_visit(
            values["center"],
            service_code=values.get("service"),
            desk=values.get("desk"),
            ticket=values.get("ticket"),
            language=values.get("language"),
            api_key=g.api_key,
            ttl=timedelta(hours=current_app.config["VISIT_LINK_TTL_HOURS"]),
        )
    except SubmissionRejected as exc:
        return render_error(400, "invalid request", errors=exc.errors)
    except VisitForbidden as exc:
        return render_error(403, str(exc))
    db.session.commit()
    path = url_for("visits.visit", token=issued.token)
    body = {
        "url": current_app.config["PUBLIC_BASE_URL"] + path,
        "token": issued.token,
        "expires_at": issued.visit.expires_dt.isoformat().replace("+00:00", "Z"),
    }
    return jsonify(body), 201
