"""API-key authentication for machine clients: ``@require_api_key("visits:create")``."""

from __future__ import annotations

import functools

from flask import g, request

from feedback.errors import render_error
from feedback.extensions import db
from feedback.services.api_keys import ApiKeyError, verify_api_key


def presented_key() -> str | None:
    """The key from ``Authorization: Bearer <key>`` or, for simple clients, ``X-API-Key``."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.headers.get("X-API-Key")


def require_api_key(scope: str):
    """Let the view run only for a valid, unrevoked key holding ``scope``; the key is ``g.api_key``."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            try:
                g.api_key = verify_api_key(presented_key(), scope)
            except ApiKeyError as exc:
                response, status = render_error(exc.status, str(exc))
                if status == 401:
                    response.headers["WWW-Authenticate"] = 'Bearer realm="rey-api"'
                return response, status
            result = view(*args, **kwargs)
            # The view's service has committed its own work; this only keeps last_used_dt.
            if g.api_key in db.session.dirty:
                db.session.commit()
            return result

        return wrapper

    return decorator
