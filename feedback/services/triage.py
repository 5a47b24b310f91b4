"""Triage rules: whether a submission needs an officer, why, how urgently and by when."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from feedback.classifier import Verdict
from feedback.models.case import Priority


class FlagReason(enum.StrEnum):
    low_rating = "low_rating"
    model = "model"
    #: A high rating beside a comment the model is very sure is a complaint.
    mismatch = "rating_text_mismatch"


@dataclass(frozen=True)
class TriageRules:
    """Configurable thresholds; built from the app config by ``from_config``."""

    low_rating: int = 2
    confident_probability: float = 0.9
    due_hours: dict = field(default_factory=lambda: {"urgent": 4, "high": 24, "normal": 72})

    @classmethod
    def from_config(cls, config) -> TriageRules:
        return cls(
            low_rating=config["TRIAGE_LOW_RATING"],
            confident_probability=config["TRIAGE_CONFIDENT_PROBABILITY"],
            due_hours=dict(config["TRIAGE_DUE_HOURS"]),
        )


@dataclass(frozen=True)
class TriageDecision:
    is_flagged: bool
    reasons: list[str]
    priority: Priority | None = None
    due_dt: datetime | None = None


def triage(rating: int, verdict: Verdict | None, now: datetime, rules: TriageRules) -> TriageDecision:
    """Decide the flag from the rating and, where there was text and a model, the model's verdict."""
    reasons: list[str] = []
    if rating <= rules.low_rating:
        reasons.append(FlagReason.low_rating)
    if verdict is not None and verdict.is_complaint:
        reasons.append(FlagReason.model)
        if rating > rules.low_rating + 1 and verdict.probability >= rules.confident_probability:
            reasons.append(FlagReason.mismatch)
    if not reasons:
        return TriageDecision(is_flagged=False, reasons=[])
    confident = verdict is not None and verdict.probability >= rules.confident_probability
    priority = Priority.high if rating == 1 or confident else Priority.normal
    return TriageDecision(
        is_flagged=True,
        reasons=[str(r) for r in reasons],
        priority=priority,
        due_dt=now + timedelta(hours=rules.due_hours[priority]),
    )
