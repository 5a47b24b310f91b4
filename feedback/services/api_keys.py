"""Issuing, checking and revoking API keys.

A key reads ``rey_<prefix>_<secret>``: the prefix finds the row, the secret is compared with its
stored SHA-256 in constant time. The full key is shown once, when it is issued.
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from feedback.extensions import db
from feedback.services.digests import digest
from feedback.models import AdminAction, ApiKey, Center, User
from feedback.services import audit
from feedback.services.names import is_showable
from feedback.models.api_key import SCOPES

log = logging.getLogger(__name__)
_KEY = re.compile(r"^rey_([a-z0-9]{12})_([A-Za-z0-9_-]{20,100})$")
# Writing last_used_dt on every call would turn each API read into a write.
_LAST_USED_RESOLUTION = timedelta(minutes=1)
_NAME_LENGTH = ApiKey.name.type.length


class ApiKeyError(ValueError):
    """The key cannot be used; ``status`` is 401 (not a valid key) or 403 (valid, not allowed)."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class IssuedKey:
    api_key: ApiKey
    #: The full key to hand to the client. It is not stored and cannot be shown again.
    secret: str



def issue_api_key(
    name: str, scopes: list[str], *, center: Center | None = None, now: datetime | None = None,
    actor: User | None = None,
) -> IssuedKey:
    """Create a key with the given scopes (optionally limited to one center); flush, do not commit."""
    name = name.strip()
    if not name:
        raise ValueError("give the key a name that says who uses it")
    if len(name) > _NAME_LENGTH:
        # Cut short, two keys' names could read the same in the list and the log.
        raise ValueError(f"give the key a name of at most {_NAME_LENGTH} characters")
    if not is_showable(name):
        raise ValueError("the name contains characters that cannot be shown (control characters or direction marks)")
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise ValueError(f"scopes must be some of: {', '.join(SCOPES)} (got {', '.join(unknown) or 'none'})")
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    api_key = ApiKey(
        name=name,
        prefix=prefix,
        secret_hash=digest(secret),
        scopes=sorted(set(scopes)),
        center_id=center.id if center else None,
        created_dt=now or datetime.now(timezone.utc),
    )
    db.session.add(api_key)
    db.session.flush()
    audit.record(AdminAction.api_key_issued, f"{api_key.name} ({prefix})", actor=actor, now=api_key.created_dt,
                 details={"scopes": api_key.scopes, "center": center.code if center else None})
    log.info("issued API key %s (%s) scopes=%s", prefix, api_key.name, api_key.scopes)
    return IssuedKey(api_key, f"rey_{prefix}_{secret}")


def verify_api_key(presented: str | None, scope: str, *, now: datetime | None = None) -> ApiKey:
    """Return the key if it is genuine, not revoked and holds ``scope``; raise ApiKeyError otherwise."""
    match = _KEY.match((presented or "").strip())
    if not match:
        raise ApiKeyError("missing or malformed API key", 401)
    prefix, secret = match.groups()
    api_key = db.session.scalar(sa.select(ApiKey).where(ApiKey.prefix == prefix))
    # Compare even when no row exists so a wrong prefix costs the same time as a wrong secret.
    expected = api_key.secret_hash if api_key else digest("")
    if not hmac.compare_digest(expected, digest(secret)) or api_key is None:
        raise ApiKeyError("invalid API key", 401)
    if api_key.is_revoked:
        raise ApiKeyError("this API key has been revoked", 401)
    if not api_key.has_scope(scope):
        raise ApiKeyError(f"this API key lacks the scope {scope!r}", 403)
    now = now or datetime.now(timezone.utc)
    if api_key.last_used_dt is None or now - api_key.last_used_dt >= _LAST_USED_RESOLUTION:
        api_key.last_used_dt = now
    return api_key


def revoke_api_key(prefix: str, *, now: datetime | None = None, actor: User | None = None) -> ApiKey:
    """Revoke the key with this prefix (revoking twice keeps the first time); flush, do not commit."""
    prefix = prefix.strip().removeprefix("rey_").split("_")[0]
    api_key = db.session.scalar(sa.select(ApiKey).where(ApiKey.prefix == prefix))
    if api_key is None:
        raise LookupError(f"no API key with prefix {prefix!r}")
    if api_key.revoked_dt is None:
        api_key.revoked_dt = now or datetime.now(timezone.utc)
        db.session.flush()
        audit.record(AdminAction.api_key_revoked, f"{api_key.name} ({prefix})", actor=actor, now=api_key.revoked_dt)
        log.info("revoked API key %s (%s)", prefix, api_key.name)
    return api_key


def list_api_keys() -> list[ApiKey]:
    return list(db.session.scalars(sa.select(ApiKey).order_by(ApiKey.created_dt, ApiKey.id)))
