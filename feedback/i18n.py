"""Language choice: the URL's ``lang``, then the remembered choice, then Accept-Language."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, current_app, has_request_context, request
from flask_babel import get_locale

from feedback.extensions import babel

LANGUAGE_COOKIE = "rey_lang"
LANGUAGE_NAMES = {"az": "Azərbaycanca", "ru": "Русский", "en": "English"}


#: Where the JSON API lives: its answers are JSON (feedback.errors) and English (select_locale).
API_PREFIX = "/api/"


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and domain functions called outside a request
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if request.path.startswith(API_PREFIX):
        # The API's readers are developers: every message it sends is in English, the views' own
        # and those of the framework (404, 413, 429, 503) alike.
        return "en"
    # Each checked on its own: a mistyped ?lang= must not hide the language chosen before.
    chosen = _supported(request.args.get("lang")) or _supported(request.cookies.get(LANGUAGE_COOKIE))
    if chosen:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def _supported(value: str | None) -> str | None:
    """The configured language ``value`` names, if any, whatever its case or region (``RU``, ``ru-RU``)."""
    code = (value or "").strip().lower().replace("_", "-").split("-", 1)[0]
    return code if code in current_app.config["LANGUAGES"] else None


def current_language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def this_page(**changes: str) -> str:
    """The current page's URL with some query parameters set: the language links and forms that
    post back to their own page. Built from the path as requested rather than through url_for, so
    no query parameter can pose as one of url_for's own arguments (``endpoint``, ``_method``) or as
    a part of the path."""
    query = [(k, v) for k, v in request.args.items(multi=True) if k not in changes]
    query += changes.items()
    return request.script_root + request.path + ("?" + urlencode(query) if query else "")


def _remember_choice(response):
    chosen = _supported(request.args.get("lang"))
    if chosen and request.cookies.get(LANGUAGE_COOKIE) != chosen:
        response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax")
    return response


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.after_request(_remember_choice)

    @app.context_processor
    def _language_context():
        return {"current_language": current_language(), "language_names": LANGUAGE_NAMES, "this_page": this_page}
