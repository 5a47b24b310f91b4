"""Error pages for people and JSON errors for API clients; a 500 also rolls the session back."""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, current_app, jsonify, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as database_errors
from werkzeug.exceptions import HTTPException, InternalServerError

from feedback.extensions import db, limiter
from feedback.i18n import API_PREFIX
from feedback.kiosk import start_url
from feedback.log_paths import loggable_path

log = logging.getLogger(__name__)
#: Seconds a client is asked to wait while the database cannot be reached.
RETRY_AFTER_SECONDS = 30
#: The database is down, restarting, unreachable, locked or out of connections: a passing state,
#: unlike a failed constraint or a bad query, which stay 500s.
_UNAVAILABLE = (database_errors.OperationalError, database_errors.InterfaceError, database_errors.TimeoutError)


def wants_json() -> bool:
    return request.path.startswith(API_PREFIX) or (
        request.accept_mimetypes.best == "application/json"
    )


def _messages() -> dict[int, str]:
    # Built per request so each message is in the page's language.
    return {
        400: _("The request could not be understood. Please check what you sent and try again."),
        403: _("You are not allowed to do that."),
        404: _("We could not find that page."),
        405: _("That action is not allowed here."),
        413: _("What you sent is too large."),
        429: _("Too many requests. Please wait a moment and try again."),
        503: _("The service is briefly unavailable. Please try again in a minute."),
        500: _("Something went wrong on our side. Nothing you sent before was lost; please try again."),
    }


def render_error(status: int, message: str | None = None, errors: dict | None = None, *,
                 retry_after: int | None = None):
    """The error in the page's language; ``retry_after`` (seconds) is when trying again makes sense."""
    message = message or _messages().get(status) or _messages()[400 if status < 500 else 500]
    if wants_json():
        body = {"error": message}
        if errors:
            body["errors"] = errors
        return jsonify(body), status
    if request.blueprint == "kiosk":
        return _kiosk_error_page(status, message, retry_after), status
    return render_template("errors/error.html", status=status, message=message), status


def _kiosk_error_page(status: int, message: str, retry_after: int | None) -> str:
    # Nobody in the hall will lead a tablet back from an error page, and a link to the public list
    # of centers would take it out of kiosk mode: the page returns to the kiosk's start by itself.
    config = current_app.config
    args = request.view_args or {}
    if "center_code" in args and "desk" in args:
        # From the address, not the kiosk's record: the database may be what failed.
        start = start_url(args["center_code"], args["desk"])
    else:
        start = url_for("kiosk.register")
    seconds = retry_after or config["KIOSK_IDLE_SECONDS"]
    return render_template("kiosk/error.html", status=status, message=message, start=start, seconds=seconds)


def _seconds_until_the_limit_resets() -> int | None:
    # The value Flask-Limiter will send as Retry-After, rounded up: a page must not come back early.
    limit = limiter.current_limit
    return max(1, math.ceil(limit.reset_at - time.time())) if limit else None


def _handle_http(exc: HTTPException):
    status = exc.code or 500
    return render_error(status, retry_after=_seconds_until_the_limit_resets() if status == 429 else None)


def _handle_csrf(exc: CSRFError):
    return render_error(
        400, _("This form has expired or was not sent from our page. Please reload the page and try again.")
    )


def _handle_unexpected(exc: Exception):
    db.session.rollback()
    original = getattr(exc, "original_exception", exc)
    log.exception("unhandled error on %s %s", request.method, loggable_path(request.path), exc_info=original)
    return render_error(500)


def _handle_database_unavailable(exc: Exception):
    """503 with Retry-After, which API clients and the citizens' offline outbox retry, not a 500."""
    try:
        db.session.rollback()
    except database_errors.SQLAlchemyError:
        pass  # the connection is gone; the session is discarded at the end of the request anyway
    # One line, not a traceback: an outage repeats it for every request.
    log.error("database unavailable on %s %s: %s", request.method, loggable_path(request.path),
              str(getattr(exc, "orig", None) or exc).strip().splitlines()[0])
    response = make_response(render_error(503, retry_after=RETRY_AFTER_SECONDS))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def init_app(app: Flask) -> None:
    for error in _UNAVAILABLE:
        app.register_error_handler(error, _handle_database_unavailable)
    app.register_error_handler(CSRFError, _handle_csrf)
    app.register_error_handler(InternalServerError, _handle_unexpected)
    app.register_error_handler(HTTPException, _handle_http)
