"""API views: parse JSON, call the submit service, answer JSON."""

from __future__ import annotations

import hashlib
import re

import sqlalchemy as sa
from flask import current_app, g, jsonify, request

from feedback.api import bp
from feedback.api.auth import holds_api_key, require_api_key
from feedback.api.openapi import openapi_document
from feedback.api.payload import form_errors, to_formdata
from feedback.classifier import get_classifier
from feedback.errors import render_error
from feedback.extensions import db
from feedback.limits import submission_limit_unless
from feedback.models import Center, Channel
from feedback.services.submit import IdempotencyConflict, SubmissionRejected, submit_feedback
from feedback.services.triage import TriageRules
from feedback.validation import FeedbackForm

IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{8,128}$")


def _keys_own(idempotency_key: str | None, api_key) -> str | None:
    """The Idempotency-Key in the namespace of the API key that sent it: machine clients choose
    their keys (a ticket number, say), so two of them may choose the same one; neither must take
    the other's submission for its own, or be refused because of it."""
    if idempotency_key is None or api_key is None:
        return idempotency_key
    return f"key-{api_key.id}:{hashlib.sha256(idempotency_key.encode()).hexdigest()[:48]}"


def _invalid(errors: dict[str, str]):
    return render_error(400, "invalid request", errors=errors)


@bp.get("/centers")
def centers():
    """List active centers with their names and services."""
    rows = db.session.scalars(
        sa.select(Center).where(Center.is_active.is_(True)).order_by(Center.code)
    ).all()
    return jsonify(
        centers=[
            {
                "code": c.code,
                "names": c.names,
                "region": c.region,
                "services": [{"code": s.code, "names": s.names} for s in c.services if s.is_active],
            }
            for c in rows
        ]
    )


@bp.post("/feedback")
# Anyone may send feedback here, as on the survey page, and from one address at the survey's pace;
# a machine client with a key holding feedback:create (a hall's queue system) is not held to it.
@submission_limit_unless(lambda: holds_api_key("feedback:create"))
@require_api_key("feedback:create", optional=True)
def create_feedback():
    """Store a citizen's feedback; the same feedback with the same Idempotency-Key returns its reference."""
    key = request.headers.get("Idempotency-Key")
    if key is not None and not IDEMPOTENCY_KEY.match(key):
        return _invalid({"Idempotency-Key": "8 to 128 letters, digits, '-' or '_'"})
    if not request.is_json:
        return _invalid({"body": "send a JSON object with Content-Type: application/json"})
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return _invalid({"body": "the body is not a valid UTF-8 JSON object"})
    formdata, errors = to_formdata(payload)
    language = payload.get("language") or request.accept_languages.best_match(
        current_app.config["LANGUAGES"]
    ) or current_app.config["BABEL_DEFAULT_LOCALE"]
    if language not in current_app.config["LANGUAGES"]:
        errors["language"] = "one of: " + ", ".join(current_app.config["LANGUAGES"])
    # Messages come in English whatever the citizen's language (feedback.i18n): they are for developers.
    form = FeedbackForm(formdata=formdata, meta={"csrf": False})
    if not form.validate():
        errors.update({k: v for k, v in form_errors(form).items() if k not in errors})
    if errors:
        return _invalid(errors)
    center_code = payload["center"].strip()
    api_key = g.api_key
    if api_key is not None and api_key.center_id is not None and api_key.center.code != center_code:
        return render_error(403, "this API key may only send feedback for its own center")
    try:
        outcome = submit_feedback(
            form.to_input(center_code=center_code, language=language),
            channel=Channel.api,
            classifier=get_classifier(),
            rules=TriageRules.from_config(current_app.config),
            idempotency_key=_keys_own(key, api_key),
        )
    except SubmissionRejected as exc:
        return _invalid(exc.errors)
    except IdempotencyConflict as exc:
        return render_error(409, "conflict", errors={"Idempotency-Key": str(exc)})
    body = {"reference": outcome.submission.reference, "status": "received"}
    return jsonify(body), 201 if outcome.is_created else 200


@bp.get("/openapi.json")
def openapi():
    """Describe this API in OpenAPI 3.1."""
    return jsonify(openapi_document())
