"""Refuse text that cannot be stored, in any input, before it reaches the database.

PostgreSQL cannot store or even compare text containing U+0000: a query with one fails, which
would be a 500. A lone UTF-16 surrogate (U+D800 to U+DFFF) is not a character at all: JSON can
spell one as an escape such as "\\ud800", and the database driver then fails to encode the text
as UTF-8, another 500. No legitimate input holds either, so a request carrying one in its path,
query string, form or JSON body (keys included) is answered 400 here, naming the fields, whatever
view it was meant for.
"""

from __future__ import annotations

import re

from flask import Flask, request
from flask_babel import gettext as _

from feedback.errors import render_error

_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def _unstorable(text: str) -> bool:
    return _UNSTORABLE.search(text) is not None


def _json_fields_unstorable(value, path: str = "") -> list[str]:
    if isinstance(value, str):
        return [path or "body"] if _unstorable(value) else []
    if isinstance(value, dict):
        found = [path or "body"] if any(_unstorable(key) for key in value) else []
        for key, item in value.items():
            # Under a bad key the object is named already, and the key itself is no field name to
            # send back.
            if not _unstorable(key):
                found += _json_fields_unstorable(item, f"{path}.{key}" if path else key)
        return found
    if isinstance(value, list):
        return [field for item in value for field in _json_fields_unstorable(item, path)]
    return []


def _keys_unstorable(multidict) -> list[str]:
    return [key for key, value in multidict.items(multi=True) if _unstorable(key) or _unstorable(value)]


def _fields_unstorable() -> list[str]:
    fields = []
    if _unstorable(request.path):
        fields.append("path")
    fields += _keys_unstorable(request.args)
    if request.is_json:
        fields += _json_fields_unstorable(request.get_json(silent=True))
    elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        fields += _keys_unstorable(request.form)
    return fields


def _refuse_unstorable():
    fields = _fields_unstorable()
    if fields:
        message = _("The text contains characters that cannot be stored.")
        return render_error(400, message, errors={field: message for field in dict.fromkeys(fields)})
    return None


def init_app(app: Flask) -> None:
    app.before_request(_refuse_unstorable)
