"""Two-factor sign-in for staff: a code from an authenticator app (TOTP, RFC 6238) after the password.

Plain functions on explicit values (``now`` included), so that they are tested without a request.
Callers commit. A secret is stored only once the person has shown, with a correct code, that their
app holds it; turning two-factor off is an administrator's reset, written to the administration log.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
from datetime import datetime

import pyotp
import segno
import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value
from flask_babel import gettext as _

from feedback.auth import verify_password
from feedback.extensions import db
from feedback.models import AdminAction, User
from feedback.services import audit

log = logging.getLogger(__name__)

#: What the authenticator app shows above the account name.
ISSUER = "Rəy"
#: A code is also accepted one time step (30 s) early or late: phones' clocks drift, people are slow.
DRIFT_STEPS = 1
#: How long the password step holds before the code must be typed (seconds).
PENDING_SECONDS = 300

_CODE = re.compile(r"[0-9]{6}")


class TwoFactorError(ValueError):
    """Enrollment was refused; ``errors`` maps fields to messages for the form."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def new_secret() -> str:
    """A fresh random secret (160 bits, base32), as authenticator apps expect."""
    return pyotp.random_base32()


def is_secret(value) -> bool:
    """Whether ``value`` could be a secret this module made."""
    return isinstance(value, str) and re.fullmatch(r"[A-Z2-7]{32}", value) is not None


def new_setup_nonce() -> str:
    """What the session holds while someone sets up their app, in place of the secret itself."""
    return secrets.token_urlsafe(16)


def setup_secret(key: str | bytes, user: User, nonce) -> str | None:
    """The secret offered to ``user`` on the set-up page, worked out from the app's secret key and
    the session's ``nonce`` (None if the nonce is not one of ours). A session cookie is signed, not
    encrypted: whoever copies it can read it, so it must not carry a secret that, once confirmed,
    makes codes for years."""
    if not isinstance(nonce, str) or not re.fullmatch(r"[A-Za-z0-9_-]{22}", nonce):
        return None
    key = key.encode() if isinstance(key, str) else key
    digest = hmac.new(key, f"rey-two-factor-setup|{user.id}|{nonce}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:20]).decode()  # 160 bits, as new_secret()


def provisioning_uri(secret: str, username: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The QR code of ``uri`` as a ``data:`` SVG image: the CSP allows data: images, no inline SVG styles."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, dark="#000", light="#fff")


def _normalised(code) -> str | None:
    # Apps show "123 456"; people copy it with the space, or with a space either side.
    if not isinstance(code, str):
        return None
    code = "".join(code.split())
    return code if _CODE.fullmatch(code) else None


def _matching_step(secret: str, code, now: datetime, *, after: int | None) -> int | None:
    """The time step around ``now`` whose code is ``code`` and which is later than ``after``."""
    code = _normalised(code)
    if code is None:
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if after is not None and step <= after:
            continue  # that code, or an older one, was used already: a replay
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def verify_code(user: User, code, now: datetime) -> bool:
    """Whether ``code`` is the user's current code, not used before; remembers its step if so."""
    if not user.totp_secret:
        return False
    step = _matching_step(user.totp_secret, code, now, after=user.totp_last_step)
    if step is None:
        return False
    # Claimed in the database, not on the loaded row: two sign-ins racing with one code (a code
    # seen over a shoulder) must not both pass. The later one waits for the row and finds it taken.
    claimed = db.session.execute(
        sa.update(User)
        .where(User.id == user.id, sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return False
    set_committed_value(user, "totp_last_step", step)
    return True


def enable(user: User, secret: str, code, now: datetime, *, password: str) -> None:
    """Turn two-factor sign-in on with ``secret``, once ``code`` shows the app holds it and
    ``password`` is the account's; other sessions of the account end (the caller signs the current
    one in again)."""
    if not verify_password(user.password_hash, password):
        raise TwoFactorError({"current_password": _("The current password is not right.")})
    if not is_secret(secret):
        raise TwoFactorError({"code": _("The set-up expired. Scan the new QR code and try again.")})
    step = _matching_step(secret, code, now, after=None)
    if step is None:
        raise TwoFactorError({"code": _("The code is not right. Type the six digits your app shows now.")})
    user.totp_secret = secret
    user.totp_last_step = step
    user.end_sessions()
    db.session.flush()
    log.info("two-factor sign-in turned on for %s", user.username)


def disable(user: User, *, actor: User | None) -> bool:
    """Reset an account's two-factor sign-in (an administrator, or None: the command line); its
    sessions end. False when it was off already, and nothing is logged."""
    if user.totp_secret is None:
        return False
    user.totp_secret = None
    user.totp_last_step = None
    user.end_sessions()
    db.session.flush()
    audit.record(AdminAction.two_factor_reset, user.username, actor=actor)
    log.info("two-factor sign-in reset for %s", user.username)
    return True


def is_required(user: User, roles) -> bool:
    """Whether ``user`` must set up two-factor sign-in before anything else (``roles``: role names)."""
    return user.role in roles and user.totp_secret is None


def pending_marker(user: User, *, now: float) -> dict:
    """What the session holds between the password and the code: not a signed-in user."""
    return {"user": user.id, "version": user.session_version, "at": now}


def pending_user(marker, *, now: float) -> User | None:
    """The user whose password was right moments ago, or None when the marker is missing, malformed,
    expired, or the account changed since (disabled, new password, two-factor reset)."""
    if not isinstance(marker, dict):
        return None
    user_id, version, at = marker.get("user"), marker.get("version"), marker.get("at")
    if not (isinstance(user_id, int) and isinstance(version, int) and isinstance(at, int | float)):
        return None
    if not 0 <= now - at <= PENDING_SECONDS:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.is_active or user.session_version != version or not user.totp_secret:
        return None
    return user
