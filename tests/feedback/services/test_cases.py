"""Case workflow, scope per role, urgent triage and account lock-out, as plain service calls."""

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from support import NoModel
from factories import make_case, make_center, make_user
from feedback.extensions import db
from feedback.models import Case, CaseStatus, EventKind, Priority
from feedback.services import cases
from feedback.services.login import LoginPolicy, LoginRefused, authenticate
from feedback.services.scope import get_visible_case
from feedback.services.submit import FeedbackInput, submit_feedback
from feedback.services.triage import TriageRules, triage

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def req_ctx(app):
    # Refusal messages are translated, and the locale is chosen per request.
    with app.test_request_context("/?lang=en"):
        yield


@pytest.mark.parametrize("text", [
    "rüşvət istədi", "rusvet isteyirdi", "pul istədi", "pul istedi", "hədiyyə gətir dedi",
    "это взятка", "vzyatka", "просили деньги", "They wanted a bribe", "he asked for money",
])
def test_bribery_in_any_language_is_urgent_and_restricted(text):
    decision = triage(5, None, NOW, TriageRules(), text=text)
    assert decision.is_flagged and "integrity" in decision.reasons
    assert decision.priority == Priority.urgent and decision.is_restricted
    assert decision.due_dt == NOW + timedelta(hours=4)


@pytest.mark.parametrize("text", ["Məni hədələdi", "he threatened me", "мне угрожали"])
def test_threats_are_urgent(text):
    decision = triage(4, None, NOW, TriageRules(), text=text)
    assert "safety" in decision.reasons and decision.priority == Priority.urgent


def test_plain_praise_and_lookalike_words_are_not_urgent():
    for text in ["Çox yaxşı xidmət, təşəkkür", "great skills", "Pulsuz xidmət idi"]:
        assert not triage(5, None, NOW, TriageRules(), text=text).is_flagged


def test_due_hours_come_from_the_rules():
    rules = TriageRules(due_hours={"urgent": 1, "high": 2, "normal": 3})
    assert triage(1, None, NOW, rules).due_dt == NOW + timedelta(hours=2)
    assert triage(2, None, NOW, rules).due_dt == NOW + timedelta(hours=3)


def test_a_flagged_submission_opens_exactly_one_case(app_ctx):
    make_center("baku-1")
    data = FeedbackInput(center_code="baku-1", rating=1, language="az", comment="pul istedi")
    for _ in range(2):
        submit_feedback(data, channel="qr", classifier=NoModel(), rules=TriageRules(), idempotency_key="same-key-1")
    submit_feedback(FeedbackInput(center_code="baku-1", rating=5, language="az"), channel="qr",
                    classifier=NoModel(), rules=TriageRules())
    (case,) = db.session.scalars(sa.select(Case)).all()
    assert case.is_restricted and case.priority == Priority.urgent and case.urgent_terms == ["pul istedi"]
    assert [e.kind for e in case.events] == [EventKind.opened]


def test_workflow_moves_and_refuses_illegal_steps_with_a_message(req_ctx):
    center = make_center()
    officer = make_user("officer.a", centers=[center])
    case = make_case(center)
    now = case.opened_dt + timedelta(minutes=5)
    with pytest.raises(cases.CaseError, match="cannot become"):
        cases.transition(case, "contacted", actor=officer, now=now, rules=TriageRules())
    with pytest.raises(cases.CaseError):
        cases.resolve(case, "waiting_time", "Done", actor=officer, now=now)  # new → resolved is illegal
    cases.transition(case, "in_progress", actor=officer, now=now, rules=TriageRules())
    assert case.assignee_id == officer.id
    cases.transition(case, "contacted", actor=officer, now=now, rules=TriageRules())
    with pytest.raises(cases.CaseError, match="message"):
        cases.resolve(case, "waiting_time", "  ", actor=officer, now=now)
    cases.resolve(case, "waiting_time", "We opened a second desk.", actor=officer, now=now)
    cases.set_label(case, True, actor=officer, now=now)
    cases.add_note(case, "Called the citizen.", actor=officer, now=now)
    db.session.commit()
    assert case.status == CaseStatus.resolved and case.closed_dt is not None
    assert case.is_complaint_confirmed is True and case.labelled_by_id == officer.id
    kinds = [e.kind for e in case.events]
    assert kinds == ["opened", "status_changed", "assigned", "status_changed", "status_changed", "resolution",
                     "labelled", "note"]
    assert all(e.actor_id == officer.id for e in case.events[1:])


@pytest.mark.parametrize("close", ["resolve", "dismiss"])
def test_a_reopened_case_is_due_again_after_its_priority_hours(req_ctx, close):
    # Closed in time, reopened ten days later when the citizen came back: not overdue at once.
    rules = TriageRules(due_hours={"urgent": 1, "high": 5, "normal": 9})
    center = make_center()
    officer = make_user("officer.a", centers=[center])
    case = make_case(center)  # high priority
    first_due = case.due_dt
    start = case.opened_dt + timedelta(minutes=5)
    cases.transition(case, "in_progress", actor=officer, now=start, rules=rules)
    if close == "resolve":
        cases.resolve(case, "waiting_time", "We opened a second desk.", actor=officer, now=start)
    else:
        cases.transition(case, "dismissed", actor=officer, now=start, rules=rules)
    assert case.due_dt == first_due  # moves between open statuses or to closed keep the due date
    reopened = start + timedelta(days=10)
    cases.transition(case, "in_progress", actor=officer, now=reopened, rules=rules)
    db.session.commit()
    assert case.due_dt == rules.due_from(reopened, case.priority) == reopened + timedelta(hours=5)
    assert not case.is_overdue(reopened + timedelta(hours=4)) and case.is_overdue(reopened + timedelta(hours=6))
    # The trail says when the reopened case is due.
    reopening = case.events[-1]
    assert reopening.kind == EventKind.status_changed and reopening.detail["to"] == "in_progress"
    assert datetime.fromisoformat(reopening.detail["due"]) == case.due_dt
    assert all("due" not in e.detail for e in case.events[:-1])


def test_notes_and_resolution_messages_are_kept_masked(req_ctx):
    # Supervisors read the trail but may not see contacts; anyone with the reference reads the message.
    center = make_center()
    officer = make_user("officer.a", centers=[center])
    case = make_case(center)
    now = case.opened_dt + timedelta(minutes=5)
    cases.transition(case, "in_progress", actor=officer, now=now, rules=TriageRules())
    cases.add_note(case, "Zəng etdim +994 55 765 43 21, cavab vermədi", actor=officer, now=now)
    cases.resolve(case, "documents", "Sənədiniz hazırdır, FIN 5ZK2R7M ilə gəlin", actor=officer, now=now)
    db.session.commit()
    note = next(e for e in case.events if e.kind == EventKind.note)
    assert note.detail["text"] == "Zəng etdim [phone], cavab vermədi"
    assert case.resolution_message == "Sənədiniz hazırdır, FIN [fin] ilə gəlin"
    resolution = next(e for e in case.events if e.kind == EventKind.resolution)
    assert "5ZK2R7M" not in resolution.detail["message"]


def test_scope_of_every_role(app_ctx):
    a = make_center("center-a", region="Bakı")
    b = make_center("center-b", region="Gəncə")
    case_a, case_b = make_case(a), make_case(b)
    restricted = make_case(a, restricted=True)
    users = {
        "officer_a": make_user("officer.a", centers=[a]),
        "supervisor_baku": make_user("sup.baku", "supervisor", region="Bakı"),
        "supervisor_all": make_user("sup.all", "supervisor"),
        "integrity": make_user("integrity.1", "integrity"),
        "admin": make_user("admin.1", "admin"),
    }
    expected = {
        "officer_a": {case_a.id},
        "supervisor_baku": {case_a.id},
        "supervisor_all": {case_a.id, case_b.id},
        "integrity": {restricted.id},
        "admin": set(),
    }
    for name, user in users.items():
        seen = {c.id for c in (case_a, case_b, restricted) if get_visible_case(user, c.id)}
        assert seen == expected[name], name


def test_lockout_after_repeated_failures_even_with_the_right_password(req_ctx):
    make_user("officer.a", centers=[make_center()], password="correct horse 42")
    policy = LoginPolicy(max_failures=3, lockout=timedelta(minutes=15))
    for _ in range(3):
        with pytest.raises(LoginRefused):
            authenticate("officer.a", "wrong", now=NOW, policy=policy)
    with pytest.raises(LoginRefused) as refused:
        authenticate("officer.a", "correct horse 42", now=NOW + timedelta(minutes=1), policy=policy)
    assert refused.value.locked_until == NOW + timedelta(minutes=15)
    user = authenticate("officer.a", "correct horse 42", now=NOW + timedelta(minutes=16), policy=policy)
    assert user.failed_logins == 0
