"""Live alerts: a center where many citizens are unhappy right now.

A single low rating opens a case; a run of them in a few minutes says something is wrong in the
hall at this moment (the system is down, a desk is closed, the queue has stalled), which a manager
can still put right while those citizens are there. The rule is the one HappyOrNot popularised: at
least half of the ratings of the last quarter of an hour unhappy, counted only once there are a few.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Center, Submission, User
from feedback.services.scope import submission_clause


@dataclass(frozen=True)
class AlertRule:
    window: timedelta
    #: Fewer ratings than this in the window say nothing yet: two unhappy of three is chance.
    min_responses: int
    #: The share of unhappy ratings, from 0 to 1, at which the center is alerted.
    unhappy_share: float
    #: Ratings at or below this are unhappy: the triage's low rating, which flags a submission.
    unhappy_rating: int = 2

    @classmethod
    def from_config(cls, config) -> AlertRule:
        return cls(window=timedelta(minutes=config["ALERT_WINDOW_MINUTES"]),
                   min_responses=config["ALERT_MIN_RESPONSES"], unhappy_share=config["ALERT_UNHAPPY_SHARE"],
                   unhappy_rating=config["TRIAGE_LOW_RATING"])


@dataclass(frozen=True)
class UnhappyCenter:
    center: Center
    responses: int
    unhappy: int
    #: When the first of the window's ratings came in.
    since: datetime


def unhappy_centers(now: datetime, rule: AlertRule, scope: sa.ColumnElement[bool]) -> list[UnhappyCenter]:
    """The centers within ``scope`` (a condition on submissions) that meet the rule at ``now``,
    the most unhappy first. One aggregate over the window's submissions, by the created index."""
    unhappy = sa.func.sum(sa.case((Submission.rating <= rule.unhappy_rating, 1), else_=0))
    responses = sa.func.count(Submission.id)
    rows = db.session.execute(
        sa.select(Submission.center_id, responses.label("responses"), unhappy.label("unhappy"),
                  sa.func.min(Submission.created_dt).label("since"))
        .where(Submission.created_dt > now - rule.window, Submission.created_dt <= now, scope)
        .group_by(Submission.center_id)
        .having(responses >= rule.min_responses, unhappy >= rule.unhappy_share * responses)
    ).all()
    if not rows:
        return []
    centers = {c.id: c for c in db.session.scalars(sa.select(Center).where(Center.id.in_([r.center_id for r in rows])))}
    found = [UnhappyCenter(centers[r.center_id], int(r.responses), int(r.unhappy), r.since) for r in rows]
    return sorted(found, key=lambda u: (-u.unhappy / u.responses, -u.unhappy, u.center.code))


def unhappy_centers_for(user: User, now: datetime, rule: AlertRule) -> list[UnhappyCenter]:
    """The alerts of the centers the user looks after (all of a region for a supervisor), counted
    over the ratings the user's dashboard counts: without restricted cases' for most roles."""
    return unhappy_centers(now, rule, submission_clause(user))
