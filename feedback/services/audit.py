"""The administration log: one line per change an administrator makes, written in the change's
own transaction, so that a change and its line are stored together or not at all.

Case work has its own trail (CaseEvent); this one covers who may see and do what (accounts, roles,
API keys, kiosks), what the service offers (centers and services), the model, and citizens'
contacts purged or exported. ``actor`` None means the command line on the server.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import AdminAction, AdminEvent, User
from feedback.models._types import utcnow

#: Lines shown on the log page, newest first.
PAGE_SIZE = 200


def record(action: AdminAction, subject: str, *, actor: User | None, details: dict | None = None,
           now: datetime | None = None) -> AdminEvent:
    """Add a line to the log in the current transaction; the caller commits with its change."""
    event = AdminEvent(
        action=action,
        subject=subject[:200],
        actor_id=actor.id if actor is not None else None,
        actor_name=actor.username if actor is not None else "",
        details=details or {},
        created_dt=now or utcnow(),
    )
    db.session.add(event)
    return event


def change(before, after) -> dict:
    """How one field changed, as the log keeps it."""
    return {"from": before, "to": after}


def changes(before: dict, after: dict) -> dict:
    """``{field: change(before, after)}`` for the fields whose value differs."""
    return {name: change(before[name], after[name]) for name in before if before[name] != after[name]}


def is_change(value) -> bool:
    return isinstance(value, dict) and value.keys() == {"from", "to"}


def matching(*, action: AdminAction | None = None, actor_name: str | None = None) -> sa.Select:
    """Lines of one kind or by one person, if given (``actor_name`` "" is the command line); unordered."""
    query = sa.select(AdminEvent)
    if action is not None:
        query = query.where(AdminEvent.action == action)
    if actor_name is not None:
        query = query.where(AdminEvent.actor_name == actor_name)
    return query


def recent(limit: int = PAGE_SIZE, *, before_id: int | None = None, action: AdminAction | None = None,
           actor_name: str | None = None) -> list[AdminEvent]:
    """The newest lines first, filtered as ``matching``; ``before_id`` pages back through older ones."""
    query = matching(action=action, actor_name=actor_name).order_by(AdminEvent.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(AdminEvent.id < before_id)
    return list(db.session.scalars(query))
