"""The tablet's identity: a signed cookie carrying the kiosk id and its random device token.

The signature (Flask's secret key) turns away forged or garbled cookies before the database is
asked; the token, stored only as a hash, is what revocation and re-registration invalidate.
"""

from __future__ import annotations

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

from feedback.models import Kiosk
from feedback.services.kiosks import kiosk_for_device

COOKIE = "rey_kiosk"
_SALT = "rey-kiosk-device"
_FIVE_YEARS = 5 * 365 * 24 * 3600


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=_SALT)


def current_kiosk() -> Kiosk | None:
    """The kiosk this browser was registered as, if its token is still valid."""
    value = request.cookies.get(COOKIE)
    if not value:
        return None
    try:
        data = _serializer().loads(value)
        kiosk_id, token = int(data["k"]), str(data["t"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    return kiosk_for_device(kiosk_id, token)


def set_device_cookie(response, kiosk: Kiosk, token: str) -> None:
    response.set_cookie(
        COOKIE,
        _serializer().dumps({"k": kiosk.id, "t": token}),
        max_age=_FIVE_YEARS,
        path="/kiosk",
        httponly=True,
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        samesite="Strict",
    )
