"""Refuse text that cannot be stored, in any input, before it reaches the database.

PostgreSQL cannot store or even compare text containing U+0000: a query with one fails, which
would be a 500. A lone UTF-16 surrogate (U+D800 to U+DFFF) is not a character at all: JSON can
spell one as an escape such as "\\ud800", and the database driver then fails to encode the text
as UTF-8, another 500. No legitimate input holds either, so a request carrying one in its path,
query string, form or JSON body (keys included) is answered 400 here, naming the fields, whatever
view it was meant for.

A JSON body nested deeper than the parser can follow counts as malformed, as any other body that
does not parse: the parser then raises RecursionError, which ``request.get_json(silent=True)``
does not catch (only ValueError), so a body of 30,000 brackets was a 500 on every endpoint.
"""

from __future__ import annotations

import re

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _

from feedback.errors import render_error

_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def _unstorable(text: str) -> bool:
    return _UNSTORABLE.search(text) is not None


def _json_fields_unstorable(body) -> list[str]:
    # A loop rather than recursion: the parser follows nesting almost as deep as Python's recursion
    # limit allows, and a recursive walk on top of the request's own frames went past it.
    found = []
    pending = [(body, "")]
    while pending:
        value, path = pending.pop()
        if isinstance(value, str):
            if _unstorable(value):
                found.append(path or "body")
        elif isinstance(value, dict):
            if any(_unstorable(key) for key in value):
                found.append(path or "body")
            # Under a bad key the object is named already, and the key itself is no field name to
            # send back. Reversed, so the fields come out in the order they were written.
            pending += [(item, f"{path}.{key}" if path else key)
                        for key, item in reversed(value.items()) if not _unstorable(key)]
        elif isinstance(value, list):
            pending += [(item, path) for item in reversed(value)]
    return found


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


class _JSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that too deep a nesting is a ValueError like any other malformed JSON."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError as exc:
            raise ValueError("JSON nested too deeply to parse") from exc


def init_app(app: Flask) -> None:
    app.json = _JSONProvider(app)
    app.before_request(_refuse_unstorable)
