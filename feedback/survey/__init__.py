"""The citizens' side: the survey a QR code opens, and the thank-you page."""

from flask import Blueprint

bp = Blueprint("survey", __name__, template_folder="../templates")

from feedback.survey import routes, status  # noqa: E402,F401  (routes attach themselves to bp)
