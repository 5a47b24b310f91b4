"""Staff accounts: create, change profile and password, end sessions, disable (signing in is
feedback/services/login.py). Callers commit."""

from __future__ import annotations

import logging
import re
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from feedback.auth import hash_password, verify_password
from feedback.database import flush_unless_taken
from feedback.extensions import db
from feedback.models import AdminAction, Center, Role, User
from feedback.models.user import USERNAME_PATTERN
from feedback.services import audit
from feedback.services.names import is_showable, unshowable_message

log = logging.getLogger(__name__)
MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """An account operation was refused; ``errors`` maps fields to messages for the form."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


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
    if _is_guessable(password):
        return _("Guessers try passwords like this first (digits alone, a common word, a row of the "
                 "keyboard). Use a few words that do not belong together.")
    return None


#: Words people make passwords of, in the three languages and about the service itself: each is
#: among the first a guesser tries, whatever digits and marks are added around it.
_FIRST_GUESSES = frozenset("""
    password passwort parol parola пароль qwerty qwertz azerty йцукен admin administrator adminadmin
    welcome letmein iloveyou sevirem mensevirem salam salamlar привет privet dragon monkey football
    futbol master secret sirr login user test testtest rey asan asanxidmet xidmet xidmət baku baki
    bakı azerbaijan azerbaycan azərbaycan ministry nazirlik qarabag qarabağ sumqayit sumqayıt gence
    gəncə officer operator manager
""".split())

#: Rows people run a finger along, forwards or backwards: "1234567890", "qwertyuiop", "йцукен...".
_RUNS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю",
         "abcdefghijklmnopqrstuvwxyz")


def _is_guessable(password: str) -> bool:
    """Digits alone (a phone number, a date), a common word with digits and marks around it, or
    a run along the keyboard or the alphabet, perhaps repeated."""
    folded = password.casefold()
    letters = "".join(c for c in folded if c.isalpha())
    if not letters or letters in _FIRST_GUESSES:
        return True
    kept = "".join(c for c in folded if c.isalnum())
    return any(_along(kept, run) or _along(kept, run[::-1]) for run in _RUNS)


def _along(text: str, run: str) -> bool:
    """Whether each character of ``text`` follows the one before it in ``run`` (wrapping round)."""
    positions = [run.find(c) for c in text]
    return -1 not in positions and all(b == (a + 1) % len(run) for a, b in zip(positions, positions[1:]))


def find_user(username: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.username == username.strip().lower()))


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
    """Lengths the columns hold (the admin form checks them, the CLI comes here directly), and
    characters that can be shown in the audit trails."""
    errors = {}
    for field, value, column in (("display_name", display_name, User.display_name),
                                 ("region", region, User.region)):
        limit = column.type.length
        if len((value or "").strip()) > limit:
            errors[field] = ngettext("Field cannot be longer than %(max)d character.",
                                     "Field cannot be longer than %(max)d characters.", limit, max=limit)
        elif not is_showable(value):
            errors[field] = unshowable_message()
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
    if not flush_unless_taken():  # the username is the only thing a new account can clash on
        raise AccountError({"username": _("This username is taken.")})
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
