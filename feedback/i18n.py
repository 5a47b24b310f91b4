"""Language choice: the URL's ``lang``, then the remembered choice, then Accept-Language."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request
from flask_babel import get_locale

from feedback.extensions import babel

LANGUAGE_COOKIE = "rey_lang"
LANGUAGE_NAMES = {"az": "Azərbaycanca", "ru": "Русский", "en": "English"}


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and domain functions called outside a request
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.args.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def _remember_choice(response):
    chosen = request.args.get("lang")
    if chosen in current_app.config["LANGUAGES"] and request.cookies.get(LANGUAGE_COOKIE) != chosen:
        response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax")
    return response


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.after_request(_remember_choice)

    @app.context_processor
    def _language_context():
        return {"current_language": current_language(), "language_names": LANGUAGE_NAMES}
