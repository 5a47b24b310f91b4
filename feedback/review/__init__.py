"""The officers' side: login, the case queue, the case page."""

from flask import Blueprint

bp = Blueprint("review", __name__, template_folder="../templates")

from feedback.review import account, routes, two_factor  # noqa: E402,F401  (routes attach themselves to bp)
