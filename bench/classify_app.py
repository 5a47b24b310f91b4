"""The ceiling: the bare endpoint plus the one thing no submission can skip, classifying its comment.

Served by the same gunicorn settings as Rəy, with the same model and no database. However lean the
rest of a submission became, it could not be faster than this; bench_load.py prints this
endpoint's throughput beside the bare one's so the gap between Rəy and the bare endpoint can be
split into the classifier's share and ours.
"""

import os
from pathlib import Path

from flask import Flask, jsonify, request

from ml import load_model
from ml.registry import current_version_dir

app = Flask(__name__)
_version = current_version_dir(Path(os.environ["REY_MODELS_DIR"]))
if _version is None:
    raise SystemExit("no current model under REY_MODELS_DIR")
model = load_model(_version)
model.predict(["warm up"])


@app.post("/api/v1/feedback")
def feedback():
    """Parse the JSON body, classify the comment as Rəy does, and answer; nothing is stored."""
    payload = request.get_json(silent=True) or {}
    comment = payload.get("comment")
    probability = None
    if isinstance(comment, str) and comment.strip():
        (prediction,) = model.predict([comment])
        probability = float(prediction.complaint_probability)
    return jsonify(reference="ABCD-2345", status="received", complaint_probability=probability), 201
