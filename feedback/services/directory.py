"""Centers and the services they offer: the admin maintains them (callers commit), submissions
find theirs by code."""

from __future__ import annotations

import re
import threading
import time
from typing import Callable, NamedTuple

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import event

from feedback.database import flush_unless_taken
from feedback.extensions import db
from feedback.models import AdminAction, Center, Service, Submission, User
from feedback.models.center import CODE_PATTERN
from feedback.services import audit
from feedback.services.names import is_showable, unshowable_message

_EXTENSION_KEY = "rey.directory"


class DirectoryError(ValueError):
    """A change was refused; ``errors`` maps fields to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _names(names: dict) -> dict:
    cleaned = {lang: (value or "").strip() for lang, value in names.items() if (value or "").strip()}
    if not cleaned.get("az"):
        raise DirectoryError({"name_az": _("The Azerbaijani name is required.")})
    unshowable = {f"name_{lang}": unshowable_message() for lang, value in cleaned.items() if not is_showable(value)}
    if unshowable:
        raise DirectoryError(unshowable)
    return cleaned


def _region(region: str | None) -> str:
    region = (region or "").strip()
    if not is_showable(region):
        raise DirectoryError({"region": unshowable_message()})
    return region


def _check_code(code: str) -> str:
    code = (code or "").strip().lower()
    if not re.match(CODE_PATTERN, code):
        raise DirectoryError({"code": _("Use 2–40 lower-case letters, digits and dashes.")})
    return code


def _refuse_code_change_once_used(condition) -> None:
    """Posters printed with the code, queue systems and API clients sending it, links in citizens'
    phones and outboxes: once feedback came in under a code, changing it would break them all quietly."""
    if db.session.scalar(sa.select(sa.exists().where(condition))):
        raise DirectoryError({"code": _("Feedback already came in under this code: it is on printed posters "
                                        "and in links, so it cannot change. Change the names instead, or "
                                        "add a new one.")})


def _flush_or_refuse(errors: dict[str, str]) -> None:
    # The code is the only thing a center or service row can clash on.
    if not flush_unless_taken():
        raise DirectoryError(errors)


def _fields(row, names: tuple[str, ...]) -> dict:
    return {name: getattr(row, name) for name in names}


_CENTER_FIELDS = ("code", "names", "region", "is_active")
_SERVICE_FIELDS = ("code", "names", "position", "is_active")


def save_center(center: Center | None, *, code: str, names: dict, region: str, is_active: bool,
                actor: User | None = None) -> Center:
    """Create a center (``center`` None) or change one; codes are unique."""
    code, names, region = _check_code(code), _names(names), _region(region)
    clash = db.session.scalar(sa.select(Center).where(Center.code == code))
    if clash is not None and clash is not center:
        raise DirectoryError({"code": _("Another center has this code.")})
    if center is not None and code != center.code:
        _refuse_code_change_once_used(Submission.center_id == center.id)
    before = _fields(center, _CENTER_FIELDS) if center is not None else dict.fromkeys(_CENTER_FIELDS)
    if center is None:
        center = Center(code=code, names={})
        db.session.add(center)
    center.code = code
    center.names = names
    center.region = region
    center.is_active = is_active
    _flush_or_refuse({"code": _("Another center has this code.")})
    changed = audit.changes(before, _fields(center, _CENTER_FIELDS))
    if changed:
        audit.record(AdminAction.center_saved, center.code, actor=actor, details=changed)
    return center


def save_service(
    center: Center, service: Service | None, *, code: str, names: dict, position: int, is_active: bool,
    actor: User | None = None,
) -> Service:
    """Create or change a service of a center; codes are unique within the center."""
    code, names = _check_code(code), _names(names)
    clash = db.session.scalar(sa.select(Service).where(Service.center_id == center.id, Service.code == code))
    if clash is not None and clash is not service:
        raise DirectoryError({"code": _("This center already has a service with this code.")})
    if service is not None and code != service.code:
        _refuse_code_change_once_used(Submission.service_id == service.id)
    before = _fields(service, _SERVICE_FIELDS) if service is not None else dict.fromkeys(_SERVICE_FIELDS)
    if service is None:
        service = Service(center=center, code=code, names={})
        db.session.add(service)
    service.code = code
    service.names = names
    service.position = position or 0
    service.is_active = is_active
    _flush_or_refuse({"code": _("This center already has a service with this code.")})
    changed = audit.changes(before, _fields(service, _SERVICE_FIELDS))
    if changed:
        audit.record(AdminAction.service_saved, f"{center.code} · {service.code}", actor=actor, details=changed)
    return service


class Target(NamedTuple):
    """The ids a submission's center and service codes name; None where a code names nothing open."""

    center_id: int | None
    service_id: int | None


class OpenTargets:
    """Which open center and service a pair of codes names, remembered for ``ttl`` seconds.

    Every submission names its center, and perhaps a service, by code. Reading the ids is a round
    trip of its own, measured at 12–18% of a submission's CPU. Centers open and close rarely, so each
    process remembers the pairs it has found open. A change saved in this process forgets them at once
    (see ``_forget_on_change``). Other processes (gunicorn workers, servers behind a load balancer) see
    it within ``ttl`` seconds. Until then a closed center still takes feedback, which stores a valid
    row. Codes that name nothing open are read every time, so a center that opens counts at once.
    """

    MAX_ENTRIES = 4096

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic):
        self.ttl, self.clock = ttl, clock
        self._found: dict[tuple[str, str | None], tuple[float, Target]] = {}
        self._lock = threading.Lock()

    def find(self, center_code: str, service_code: str | None) -> Target:
        key = (center_code, service_code or None)
        remembered = self._found.get(key)
        if remembered is not None and self.clock() < remembered[0]:
            return remembered[1]
        target = _read_target(center_code, service_code)
        is_open = target.center_id is not None and (target.service_id is not None or not service_code)
        if is_open and self.ttl > 0:
            with self._lock:
                if len(self._found) >= self.MAX_ENTRIES:
                    self._found.clear()
                self._found[key] = (self.clock() + self.ttl, target)
        return target

    def forget(self) -> None:
        with self._lock:
            self._found.clear()


def _read_target(center_code: str, service_code: str | None) -> Target:
    # Only the ids are needed: loading whole Center objects would cost more than the query.
    center_id = db.session.scalar(
        sa.select(Center.id).where(Center.code == center_code, Center.is_active.is_(True))
    )
    if center_id is None or not service_code:
        return Target(center_id, None)
    service_id = db.session.scalar(
        sa.select(Service.id).where(
            Service.center_id == center_id, Service.code == service_code, Service.is_active.is_(True)
        )
    )
    return Target(center_id, service_id)


def open_targets() -> OpenTargets:
    """This app's OpenTargets (one per app, so tests on fresh databases never share ids)."""
    targets = current_app.extensions.get(_EXTENSION_KEY)
    if targets is None:
        targets = current_app.extensions.setdefault(
            _EXTENSION_KEY, OpenTargets(current_app.config["DIRECTORY_CACHE_SECONDS"])
        )
    return targets


_CHANGED = "rey.directory_changed"


@event.listens_for(db.session, "after_flush")
def _forget_on_change(session, _context) -> None:
    """Forget the open targets when this process changes a center or service, however it does so."""
    if any(isinstance(obj, (Center, Service)) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info[_CHANGED] = True
        _forget()


@event.listens_for(db.session, "after_commit")
def _forget_after_commit(session) -> None:
    # Again once committed: a request may have read and remembered the old state in between.
    if session.info.pop(_CHANGED, False):
        _forget()


@event.listens_for(db.session, "after_rollback")
def _drop_mark(session) -> None:
    session.info.pop(_CHANGED, None)


def _forget() -> None:
    if has_app_context() and _EXTENSION_KEY in current_app.extensions:
        current_app.extensions[_EXTENSION_KEY].forget()
