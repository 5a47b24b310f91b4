"""Staff sign-in: the password, then the code of those with two-factor sign-in, and the lock-out
after failed attempts, which spares browsers the account signed in on before (known_devices).
Callers commit."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from feedback import monitoring
from feedback.auth import hash_password, needs_rehash, verify_password
from feedback.database import add_one
from feedback.extensions import db
from feedback.models import KnownDevice, User
from feedback.services import known_devices, two_factor
from feedback.services.accounts import find_user

log = logging.getLogger(__name__)


class LoginRefused(Exception):
    """Login failed; ``locked_until`` is set when the account is locked. ``reason`` is for the
    operations team's figures only: the person is told no more than "not right" or "locked"."""

    def __init__(self, reason: str, locked_until: datetime | None = None):
        super().__init__("locked" if locked_until else "invalid credentials")
        self.reason = reason
        self.locked_until = locked_until


def _refused(reason: str, locked_until: datetime | None = None) -> LoginRefused:
    monitoring.sign_ins_refused.labels(reason).inc()
    return LoginRefused(reason, locked_until)


@dataclass(frozen=True)
class LoginPolicy:
    #: Failed logins in a row that lock the account.
    max_failures: int = 5
    #: How long a lock lasts; it doubles with each further failure while locked out.
    lockout: timedelta = timedelta(minutes=15)
    #: Days a browser that signed in stays spared the lock without signing in again (known_devices).
    known_device_days: int = 90

    @classmethod
    def from_config(cls, config) -> LoginPolicy:
        return cls(
            max_failures=config["LOGIN_MAX_FAILURES"],
            lockout=timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"]),
            known_device_days=config["KNOWN_DEVICE_DAYS"],
        )

    def known_device(self, user: User, token: str | None, now: datetime) -> KnownDevice | None:
        return known_devices.recognise(user, token, now=now, max_failures=self.max_failures,
                                       days=self.known_device_days)


# Verifying against a real hash for unknown names keeps their timing the same as a wrong password's.
_DUMMY_HASH: dict[str, str] = {}


def _spend_verify_time(password: str) -> None:
    if "hash" not in _DUMMY_HASH:
        _DUMMY_HASH["hash"] = hash_password("not-a-real-password-0")
    verify_password(_DUMMY_HASH["hash"], password)


def authenticate(username: str, password: str, *, now: datetime, policy: LoginPolicy,
                 device_token: str | None = None) -> User:
    """Return the user for correct credentials, or raise LoginRefused and record the failure.
    ``device_token`` is the known-device cookie of the browser, if it has one."""
    user = find_user(username)
    if user is None or not user.is_active:
        _spend_verify_time(password)
        log.info("login refused for unknown or disabled account %r", username[:40])
        raise _refused("unknown_account" if user is None else "disabled_account")
    device = policy.known_device(user, device_token, now)
    if _is_locked(user, now) and device is None:
        # While locked even the right password is refused, so guessing gains nothing.
        _spend_verify_time(password)
        raise _refused("locked", locked_until=user.locked_until_dt)
    if not verify_password(user.password_hash, password):
        _refuse(user, "wrong_password", now=now, policy=policy, device=device)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if user.totp_secret is None:
        _signed_in(user, now)
    # else the failures still count until the code is right too: otherwise the right password
    # would clear them, and whoever has it could guess codes for ever, a few at a time.
    db.session.flush()
    return user


def authenticate_code(user: User, code: str, *, now: datetime, policy: LoginPolicy,
                      device_token: str | None = None) -> User:
    """The second step for an account with two-factor sign-in, its password right moments ago:
    return the user for the right code, or raise LoginRefused and count the failure as a login's."""
    if not user.is_active:
        raise _refused("disabled_account")
    device = policy.known_device(user, device_token, now)
    if _is_locked(user, now) and device is None:
        raise _refused("locked", locked_until=user.locked_until_dt)
    if not two_factor.verify_code(user, code, now):
        # The password was right: whoever typed this code may have it.
        _refuse(user, "wrong_code", now=now, policy=policy, device=device)
    _signed_in(user, now)
    db.session.flush()
    return user


def _is_locked(user: User, now: datetime) -> bool:
    return user.locked_until_dt is not None and user.locked_until_dt > now


def _refuse(user: User, reason: str, *, now: datetime, policy: LoginPolicy, device: KnownDevice | None = None):
    """Count a failed login, lock the account after too many, and raise LoginRefused. A known
    browser's failures are its own: they neither lock the account nor lengthen its lock."""
    if device is not None:
        known_devices.count_failure(device)
        raise _refused(reason)
    # Guesses sent at once must each count, or a burst would count as one failure.
    failures = add_one(user, User.failed_logins)
    if failures >= policy.max_failures:
        extra = failures - policy.max_failures
        user.locked_until_dt = now + policy.lockout * (2 ** min(extra, 6))
        monitoring.accounts_locked.inc()
        log.warning("account %s locked until %s", user.username, user.locked_until_dt)
    db.session.flush()
    raise _refused(reason, locked_until=user.locked_until_dt if _is_locked(user, now) else None)


def _signed_in(user: User, now: datetime) -> None:
    # A lock still running stays: the sign-in came from a browser it spares, and the guesser whose
    # failures set it is still locked out.
    if not _is_locked(user, now):
        user.failed_logins = 0
        user.locked_until_dt = None
    user.last_login_dt = now
