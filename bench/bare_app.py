"""The yardstick: a bare Flask JSON endpoint served by the same gunicorn settings as Rəy."""

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/api/v1/feedback")
def feedback():
    """Parse the JSON body and answer like Rəy does, with no database and no model."""
    payload = request.get_json(silent=True) or {}
    return jsonify(reference="ABCD-2345", status="received", rating=payload.get("rating")), 201
