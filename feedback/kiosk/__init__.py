"""Shared tablets in the hall: ``/kiosk/<center>/<desk>``, one tap to rate, nothing left behind."""

from flask import Blueprint, current_app, url_for

bp = Blueprint("kiosk", __name__, template_folder="../templates")


def start_url(center_code: str, desk: str) -> str:
    """A tablet's start page in the hall's default language: where it returns for the next person
    (after the thanks, idleness or an error), not in the last person's choice."""
    return url_for("kiosk.rate", center_code=center_code, desk=desk, lang=current_app.config["BABEL_DEFAULT_LOCALE"])

from feedback.kiosk import routes  # noqa: E402,F401  (routes attach themselves to bp)
