"""The JSON API for machine clients and the citizens' offline sender, under /api/v1."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from feedback.api import routes  # noqa: E402,F401  (routes attach themselves to bp)
