"""Staff authentication: Argon2 password hashing, Flask-Login wiring, and role checks for views."""

from __future__ import annotations

from functools import wraps

import argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import Flask, abort, current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from feedback.extensions import db, login_manager
from feedback.models import Role, User

_EXTENSION_KEY = "rey.password_hasher"


def _hasher() -> argon2.PasswordHasher:
    return current_app.extensions[_EXTENSION_KEY]


def hash_password(password: str) -> str:
    """Hash with Argon2id; the parameters travel inside the hash, so they can be raised later."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than the current ones."""
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def load_user(session_id: str) -> User | None:
    """Find the user of a session id ``"<id>.<session_version>"``; stale versions are logged out."""
    user_id, _, version = session_id.partition(".")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user


def role_required(*roles: Role):
    """Let in only logged-in users of the given roles; others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def init_app(app: Flask) -> None:
    # Tests hash hundreds of passwords: they use argon2's cheapest profile unless told otherwise.
    profile_name = app.config.get("PASSWORD_HASH_PROFILE") or (
        "CHEAPEST" if app.testing else "RFC_9106_LOW_MEMORY"
    )
    app.extensions[_EXTENSION_KEY] = argon2.PasswordHasher.from_parameters(
        getattr(argon2.profiles, profile_name)
    )
    login_manager.init_app(app)
    login_manager.login_view = "review.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    # A session cookie replayed from another browser/IP is downgraded and must log in again.
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_user)
