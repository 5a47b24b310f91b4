"""Triage rules as plain functions: flag, reasons, priority and due date."""

from datetime import datetime, timedelta, timezone

import pytest

from feedback.classifier import Verdict
from feedback.services.triage import Priority, TriageRules, triage

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)
RULES = TriageRules(low_rating=2, confident_probability=0.9, due_hours={"urgent": 4, "high": 24, "normal": 72})


def verdict(p, threshold=0.4):
    return Verdict(probability=p, threshold=threshold, model_version="v", lang="az", reasons=["gözlədim"])


def test_nothing_to_flag():
    decision = triage(5, verdict(0.1), NOW, RULES)
    assert not decision.is_flagged and decision.reasons == [] and decision.due_dt is None


@pytest.mark.parametrize("rating, flagged", [(1, True), (2, True), (3, False), (5, False)])
def test_low_rating_flags_without_text(rating, flagged):
    assert triage(rating, None, NOW, RULES).is_flagged is flagged


def test_model_probability_at_threshold_flags():
    decision = triage(3, verdict(0.4), NOW, RULES)
    assert decision.reasons == ["model"] and decision.priority == Priority.normal
    assert decision.due_dt == NOW + timedelta(hours=72)


def test_confident_complaint_beside_a_high_rating_is_a_mismatch_and_high_priority():
    decision = triage(5, verdict(0.95), NOW, RULES)
    assert decision.reasons == ["model", "rating_text_mismatch"]
    assert decision.priority == Priority.high and decision.due_dt == NOW + timedelta(hours=24)


def test_rating_one_is_high_priority():
    assert triage(1, None, NOW, RULES).priority == Priority.high
