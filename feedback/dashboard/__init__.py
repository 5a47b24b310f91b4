"""The dashboard: satisfaction and case figures for a chosen center or region, service and period."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__, template_folder="../templates")

from feedback.dashboard import routes  # noqa: E402,F401  (routes attach themselves to bp)
