"""The live alerts on the staff pages (the queue and the dashboard): what review/_unhappy.html needs."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_login import current_user

from feedback.services.alerts import AlertRule, unhappy_centers_for


def alert_context(now: datetime) -> dict:
    """Template variables: the signed-in user's centers where many citizens are unhappy right now."""
    rule = AlertRule.from_config(current_app.config)
    return {"unhappy": unhappy_centers_for(current_user, now, rule),
            "alert_minutes": round(rule.window.total_seconds() / 60)}
