"""Refuse NUL characters in any input before it reaches the database.

PostgreSQL cannot store or even compare text containing U+0000: a query with one fails, which
would be a 500. No legitimate input holds one, so a request carrying it in its path, query string,
form or JSON body is answered 400 here, naming the fields, whatever view it was meant for.
"""

from __future__ import annotations

from flask import Flask, request
from flask_babel import gettext as _

from feedback.errors import render_error

NUL = "\x00"


def _json_fields_with_nul(value, path: str = "") -> list[str]:
    if isinstance(value, str):
        return [path or "body"] if NUL in value else []
    if isinstance(value, dict):
        found = [path or "body"] if any(NUL in str(key) for key in value) else []
        for key, item in value.items():
            found += _json_fields_with_nul(item, f"{path}.{key}" if path else str(key))
        return found
    if isinstance(value, list):
        return [field for item in value for field in _json_fields_with_nul(item, path)]
    return []


def _fields_with_nul() -> list[str]:
    fields = []
    if NUL in request.path:
        fields.append("path")
    fields += [key for key, value in request.args.items(multi=True) if NUL in key or NUL in value]
    if request.is_json:
        fields += _json_fields_with_nul(request.get_json(silent=True))
    elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        fields += [key for key, value in request.form.items(multi=True) if NUL in key or NUL in value]
    return fields


def _refuse_nul():
    fields = _fields_with_nul()
    if fields:
        message = _("The text contains characters that cannot be stored.")
        return render_error(400, message, errors={field: message for field in dict.fromkeys(fields)})
    return None


def init_app(app: Flask) -> None:
    app.before_request(_refuse_nul)
