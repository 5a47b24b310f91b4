"""Centers and the services they offer, as the admin maintains them. Callers commit."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import gettext as _

from feedback.extensions import db
from feedback.models import Center, Service
from feedback.models.center import CODE_PATTERN


class DirectoryError(ValueError):
    """A change was refused; ``errors`` maps fields to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _names(names: dict) -> dict:
    cleaned = {lang: (value or "").strip() for lang, value in names.items() if (value or "").strip()}
    if not cleaned.get("az"):
        raise DirectoryError({"name_az": _("The Azerbaijani name is required.")})
    return cleaned


def _check_code(code: str) -> str:
    code = (code or "").strip().lower()
    if not re.match(CODE_PATTERN, code):
        raise DirectoryError({"code": _("Use 2–40 lower-case letters, digits and dashes.")})
    return code


def save_center(center: Center | None, *, code: str, names: dict, region: str, is_active: bool) -> Center:
    """Create a center (``center`` None) or change one; codes are unique."""
    code = _check_code(code)
    clash = db.session.scalar(sa.select(Center).where(Center.code == code))
    if clash is not None and clash is not center:
        raise DirectoryError({"code": _("Another center has this code.")})
    if center is None:
        center = Center(code=code, names={})
        db.session.add(center)
    center.code = code
    center.names = _names(names)
    center.region = (region or "").strip()
    center.is_active = is_active
    db.session.flush()
    return center


def save_service(
    center: Center, service: Service | None, *, code: str, names: dict, position: int, is_active: bool
) -> Service:
    """Create or change a service of a center; codes are unique within the center."""
    code = _check_code(code)
    clash = db.session.scalar(sa.select(Service).where(Service.center_id == center.id, Service.code == code))
    if clash is not None and clash is not service:
        raise DirectoryError({"code": _("This center already has a service with this code.")})
    if service is None:
        service = Service(center=center, code=code, names={})
        db.session.add(service)
    service.code = code
    service.names = _names(names)
    service.position = position or 0
    service.is_active = is_active
    db.session.flush()
    return service
