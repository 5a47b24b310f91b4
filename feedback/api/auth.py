"""API-key authentication for machine clients: ``@require_api_key("visits:create")``, or
``@require_api_key("feedback:create", optional=True)`` where a key is optional but, when sent, must be good."""

from __future__ import annotations

import functools

from flask import g, request

from feedback.errors import render_error
from feedback.extensions import db
from feedback.models import ApiKey
from feedback.services.api_keys import ApiKeyError, verify_api_key


def presented_key() -> str | None:
    """The key from ``Authorization: Bearer <key>`` or, for simple clients, ``X-API-Key``."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.headers.get("X-API-Key")


def _verdict(scope: str) -> ApiKey | ApiKeyError | None:
    """The presented key checked for ``scope``, once per request (a rate limit's exemption asks
    before the view does): the key, why it was refused, or None when no key came."""
    cached = g.get("api_key_verdict")
    if cached is None or cached[0] != scope:
        presented = presented_key()
        try:
            verdict = None if presented is None else verify_api_key(presented, scope)
        except ApiKeyError as exc:
            verdict = exc
        g.api_key_verdict = cached = (scope, verdict)
    return cached[1]


def holds_api_key(scope: str) -> bool:
    """Whether the request carries a valid, unrevoked key holding ``scope``."""
    return isinstance(_verdict(scope), ApiKey)


def _refused(exc: ApiKeyError):
    response, status = render_error(exc.status, str(exc))
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="rey-api"'
    return response, status


def require_api_key(scope: str, *, optional: bool = False):
    """Let the view run only for a valid, unrevoked key holding ``scope``; the key is ``g.api_key``.
    With ``optional``, a request with no key runs too (``g.api_key`` is None); one with a bad key
    is still refused, rather than quietly served as if it had sent none."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            verdict = _verdict(scope)
            if isinstance(verdict, ApiKeyError):
                return _refused(verdict)
            if verdict is None and not optional:
                return _refused(ApiKeyError("missing or malformed API key", 401))
            g.api_key = verdict
            result = view(*args, **kwargs)
            # The view's service has committed its own work; this only keeps last_used_dt.
            if g.api_key is not None and g.api_key in db.session.dirty:
                db.session.commit()
            return result

        return wrapper

    return decorator
