"""Staff accounts: create, authenticate with lock-out (the password, then the code of those with
two-factor sign-in), change password, disable. Callers commit."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value
from flask_babel import gettext as _
from flask_babel import ngettext

from feedback.auth import hash_password, needs_rehash, verify_password
from feedback import monitoring
from feedback.extensions import db
from feedback.models import AdminAction, Center, KnownDevice, Role, User
from feedback.models.user import USERNAME_PATTERN
from feedback.services import audit, known_devices, two_factor

log = logging.getLogger(__name__)
MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """An account operation was refused; ``errors`` maps fields to messages for the form."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


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
        if self.known_device_days <= 0:
            return None
        return known_devices.recognise(user, token, now=now, max_failures=self.max_failures,
                                       days=self.known_device_days)


def password_problem(password: str, username: str = "") -> str | None:
    """Why a new password is not acceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
    if len(password) > 256:
        return _("Use at most 256 characters.")
    if username and username.lower() in password.lower():
        return _("The password must not contain the username.")
    if len(set(password)) < 4:
        return _("The password is too simple.")
    return None


def find_user(username: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.username == username.strip().lower()))


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
    # Counted in the database, not on the loaded row: guesses sent at once each read the same count,
    # and each writing its own count + 1 would count a burst as one failure.
    failures = db.session.execute(
        sa.update(User).where(User.id == user.id).values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins).execution_options(synchronize_session=False)
    ).scalar_one()
    set_committed_value(user, "failed_logins", failures)
    if failures >= policy.max_failures:
        extra = failures - policy.max_failures
        user.locked_until_dt = now + policy.lockout * (2 ** min(extra, 6))
        monitoring.accounts_locked.inc()
        log.warning("account %s locked until %s", user.username, user.locked_until_dt)
    db.session.flush()
    raise _refused(reason, locked_until=user.locked_until_dt if user.locked_until_dt and user.locked_until_dt > now else None)


def _signed_in(user: User, now: datetime) -> None:
    # A lock still running stays: the sign-in came from a browser it spares, and the guesser whose
    # failures set it is still locked out.
    if not _is_locked(user, now):
        user.failed_logins = 0
        user.locked_until_dt = None
    user.last_login_dt = now


def _centers_by_code(codes) -> list[Center]:
    codes = sorted({c.strip() for c in codes if c and c.strip()})
    if not codes:
        return []
    centers = db.session.scalars(sa.select(Center).where(Center.code.in_(codes))).all()
    missing = set(codes) - {c.code for c in centers}
    if missing:
        raise AccountError({"centers": _("Unknown centers: %(codes)s", codes=", ".join(sorted(missing)))})
    return list(centers)


def _profile_errors(display_name: str, region: str | None) -> dict[str, str]:
    """Lengths the columns hold: the admin form checks them, the CLI comes here directly."""
    errors = {}
    for field, value, column in (("display_name", display_name, User.display_name),
                                 ("region", region, User.region)):
        limit = column.type.length
        if len((value or "").strip()) > limit:
            errors[field] = ngettext("Field cannot be longer than %(max)d character.",
                                     "Field cannot be longer than %(max)d characters.", limit, max=limit)
    return errors


def create_user(
    username: str,
    password: str,
    role: Role | str,
    *,
    display_name: str = "",
    region: str | None = None,
    center_codes=(),
    now: datetime,
    actor: User | None = None,
) -> User:
    """Create an account; officers need at least one center. ``actor``: the administrator (None:
    the command line), for the administration log."""
    username = username.strip().lower()
    errors = {}
    if not re.match(USERNAME_PATTERN, username):
        errors["username"] = _("Use 3–40 lower-case letters, digits, dots, dashes or underscores.")
    elif find_user(username) is not None:
        errors["username"] = _("This username is taken.")
    try:
        role = Role(role)
    except ValueError:
        errors["role"] = _("Unknown role.")
    problem = password_problem(password, username)
    if problem:
        errors["password"] = problem
    errors.update(_profile_errors(display_name, region))
    if errors:
        raise AccountError(errors)
    centers = _centers_by_code(center_codes)
    if role == Role.officer and not centers:
        raise AccountError({"centers": _("An officer needs at least one center.")})
    user = User(
        username=username,
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        role=role,
        region=(region or "").strip() or None,
        centers=centers,
        password_changed_dt=now,
        created_dt=now,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(AdminAction.account_created, username, actor=actor, now=now,
                 details={"role": str(role), **_scope(user)})
    log.info("created %s account %s", role, username)
    return user


def _scope(user: User) -> dict:
    return {"region": user.region, "centers": sorted(c.code for c in user.centers)}


def _profile(user: User) -> dict:
    return {"display_name": user.display_name, "role": str(user.role), **_scope(user)}


def update_user(user: User, *, display_name: str, role: Role | str, region: str | None, center_codes,
                actor: User | None = None) -> User:
    """Change an account's name, role and scope (an admin's edit, by ``actor``)."""
    try:
        role = Role(role)
    except ValueError:
        raise AccountError({"role": _("Unknown role.")}) from None
    if actor is not None and actor.id == user.id and user.role == Role.admin and role != Role.admin:
        # Like disabling one's own account: it could leave no one to administer the service.
        raise AccountError({"role": _("You cannot take away your own administrator role.")})
    administrators = _lock_administrators() if role != Role.admin else set()
    errors = _profile_errors(display_name, region)
    if errors:
        raise AccountError(errors)
    centers = _centers_by_code(center_codes)
    if role == Role.officer and not centers:
        raise AccountError({"centers": _("An officer needs at least one center.")})
    before = _profile(user)
    user.display_name = display_name.strip()
    user.role = role
    user.region = (region or "").strip() or None
    user.centers = centers
    db.session.flush()
    if user.id in administrators:
        _require_an_administrator()
    changed = audit.changes(before, _profile(user))
    if changed:
        audit.record(AdminAction.account_changed, user.username, actor=actor, details=changed)
    return user


def set_password(user: User, new_password: str, *, now: datetime, actor: User | None = None) -> None:
    """Set a new password and end every other session of the account. Set by an administrator or
    the command line (``actor`` not the user), it goes into the administration log."""
    problem = password_problem(new_password, user.username)
    if problem:
        raise AccountError({"new_password": problem})
    user.password_hash = hash_password(new_password)
    user.password_changed_dt = now
    user.failed_logins = 0
    user.locked_until_dt = None
    user.end_sessions()
    db.session.flush()
    if actor is None or actor.id != user.id:
        audit.record(AdminAction.credentials_set, user.username, actor=actor, now=now)


def change_password(user: User, current_password: str, new_password: str, *, now: datetime) -> None:
    """The user's own change: the current password must be right."""
    if not verify_password(user.password_hash, current_password):
        raise AccountError({"current_password": _("The current password is not right.")})
    if current_password == new_password:
        raise AccountError({"new_password": _("Choose a password different from the current one.")})
    set_password(user, new_password, now=now, actor=user)


def end_other_sessions(user: User) -> None:
    """Sign the account out on every other computer (one left signed in at another desk); the
    caller signs the current session in again. Not an administrative change: nothing is logged."""
    user.end_sessions()
    db.session.flush()


def set_active(user: User, is_active: bool, *, actor: User | None = None) -> None:
    """Disable or re-enable an account; disabling ends its sessions at once."""
    administrators = _lock_administrators() if not is_active else set()
    user.is_active = is_active
    if not is_active:
        user.end_sessions()
    else:
        user.failed_logins = 0
        user.locked_until_dt = None
    db.session.flush()
    if user.id in administrators:
        _require_an_administrator()
    action = AdminAction.account_enabled if is_active else AdminAction.account_disabled
    audit.record(action, user.username, actor=actor)


# Two administrators who take each other's role (or disable each other) at the same moment would
# each see the other still in office and leave the service with no one to administer it.
def _lock_administrators() -> set[int]:
    """The active administrators' ids, their rows locked until the transaction ends (PostgreSQL),
    so that changes that may take an administrator away happen one after the other. SQLite, which
    has no row locks, runs writing transactions one at a time anyway."""
    return set(db.session.scalars(sa.select(User.id).where(User.role == Role.admin, User.is_active.is_(True))
                                  .order_by(User.id).with_for_update()))


def _require_an_administrator() -> None:
    """After the change to an administrator is flushed: refuse it if no active one is left."""
    remaining = db.session.scalar(sa.select(sa.func.count()).select_from(User)
                                  .where(User.role == Role.admin, User.is_active.is_(True)))
    if not remaining:
        raise AccountError({"role": _("The service would have no active administrator left. "
                                      "Make another account an administrator first.")})
