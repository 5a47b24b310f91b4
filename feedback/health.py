"""Liveness and readiness probes for load balancers and orchestration, and figures for monitoring."""

from flask import Blueprint, Response, abort, current_app, jsonify, request
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from feedback import monitoring
from feedback.classifier import get_classifier
from feedback.addresses import in_networks
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


@bp.get("/metrics")
def metrics():
    """Request, submission and model figures in Prometheus's text format, for REY_METRICS_NETWORKS only."""
    if not in_networks(request.remote_addr, current_app.config["METRICS_NETWORKS"]):
        abort(404)  # to others the page does not exist
    body, content_type = monitoring.exposition()
    return Response(body, content_type=content_type)
