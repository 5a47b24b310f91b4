"""Citizen pages for one-visit links issued by the queue system: ``/v/<token>``."""

from flask import Blueprint

bp = Blueprint("visits", __name__, template_folder="../templates")

from feedback.visits import routes  # noqa: E402,F401  (routes attach themselves to bp)
