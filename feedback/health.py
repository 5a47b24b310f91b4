"""Liveness and readiness probes for load balancers and orchestration."""

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from feedback.classifier import get_classifier
from feedback.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Answer while the process is up."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """Answer 200 when the database answers and the model is loaded or knowingly absent."""
    checks = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except SQLAlchemyError as exc:
        db.session.rollback()
        checks["database"] = f"error: {exc.__class__.__name__}"
    classifier = get_classifier()
    if classifier.model is not None:
        checks["model"] = classifier.version
    elif classifier.error:
        checks["model"] = f"error: {classifier.error}"
    else:
        checks["model"] = "absent"
    ready = checks["database"] == "ok" and not checks["model"].startswith("error")
    return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503
