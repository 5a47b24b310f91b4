"""Shared tablets in the hall: ``/kiosk/<center>/<desk>``, one tap to rate, nothing left behind."""

from flask import Blueprint

bp = Blueprint("kiosk", __name__, template_folder="../templates")

from feedback.kiosk import routes  # noqa: E402,F401  (routes attach themselves to bp)
