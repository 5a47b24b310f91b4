"""The second ceiling: the bare endpoint plus the one other thing no submission can skip, storing it.

Served by the same gunicorn settings as Rəy, on the same database (DATABASE_URL) and its engine
settings, with no validation, masking, model or triage: one ``INSERT … ON CONFLICT
(idempotency_key) DO NOTHING RETURNING id`` of the submission's row in autocommit, as Rəy sends it.
On a machine that also runs PostgreSQL, that write's cost on both sides bounds any endpoint that
keeps what it acknowledges; bench_load.py prints its throughput beside the bare one's.
"""

import os
import secrets
from datetime import datetime, timezone

import sqlalchemy as sa
from flask import Flask, jsonify, request
from sqlalchemy.dialects import postgresql

from feedback.config import from_environment
from feedback.models import Center, Channel, Submission

app = Flask(__name__)
_config = from_environment(app.instance_path)
engine = sa.create_engine(_config["SQLALCHEMY_DATABASE_URI"], **_config["SQLALCHEMY_ENGINE_OPTIONS"])
with engine.connect() as _connection:
    center_id = _connection.scalar(sa.select(Center.id).where(Center.code == os.environ.get("BENCH_CENTER", "bench-1")))
if center_id is None:
    raise SystemExit("no center bench-1 in DATABASE_URL")
engine.dispose()  # gunicorn forks workers from this process: each must open its own connections
_submissions = Submission.__table__
_insert = (
    postgresql.insert(_submissions)
    .on_conflict_do_nothing(index_elements=[_submissions.c.idempotency_key])
    .returning(_submissions.c.id)
)


@app.post("/api/v1/feedback")
def feedback():
    """Parse the JSON body and store its row as Rəy does; nothing is checked, masked or classified."""
    payload = request.get_json(silent=True) or {}
    comment = payload.get("comment") if isinstance(payload.get("comment"), str) else ""
    now = datetime.now(timezone.utc)
    row = {
        "reference": secrets.token_urlsafe(7)[:9], "center_id": center_id, "rating": payload.get("rating") or 3,
        "comment": comment, "comment_masked": comment, "language": "az", "channel": Channel.api,
        "idempotency_key": request.headers.get("Idempotency-Key"), "created_dt": now,
        "model_reasons": [], "flag_reasons": [],
    }
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        new_id = connection.execute(_insert, row).scalar()
    return jsonify(reference=row["reference"], status="received" if new_id else "seen"), 201
