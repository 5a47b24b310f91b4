"""Database models, one module per aggregate."""

from feedback.models.admin_event import AdminAction, AdminEvent
from feedback.models.api_key import ApiKey
from feedback.models.center import Center, Service
from feedback.models.submission import Channel, Submission
from feedback.models.user import CONTACT_ROLES, Role, User, user_centers
from feedback.models.case import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseStatus,
    EventKind,
    Priority,
    ResolutionCategory,
)
from feedback.models.kiosk import Kiosk, KioskTap
from feedback.models.visit import Visit
from feedback.models.sign_in import EndedSignIn
from feedback.models.known_device import KnownDevice

__all__ = [
    "CLOSED_STATUSES", "CONTACT_ROLES", "OPEN_STATUSES", "Case", "CaseEvent", "CaseStatus", "Center",
    "Channel", "EventKind", "Priority", "ResolutionCategory", "Role", "Service", "Submission", "User",
    "user_centers",
    "AdminAction", "AdminEvent", "ApiKey", "EndedSignIn", "Kiosk", "KnownDevice", "KioskTap", "Visit",
]
