"""The JSON API for machine clients and the citizens' offline sender, under /api/v1."""

from flask import Blueprint

from feedback.limits import api_limit

bp = Blueprint("api", __name__)
api_limit(bp)

from feedback.api import routes  # noqa: E402,F401  (routes attach themselves to bp)
from feedback.api import visits  # noqa: E402,F401
from feedback.api import exports  # noqa: E402,F401
