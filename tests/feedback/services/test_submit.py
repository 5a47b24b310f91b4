"""submit_feedback: the one domain function that stores a submission."""

import threading
import time
from dataclasses import replace
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from factories import make_center
from support import sql_sent
from feedback.classifier import get_classifier
from feedback.extensions import db
from feedback.models import Case, CaseEvent, Channel, EventKind, Submission
from feedback.services import cases
from feedback.services.submit import FeedbackInput, IdempotencyConflict, SubmissionRejected, submit_feedback
from feedback.services.triage import TriageRules

RULES = TriageRules()


def _submit(text="", rating=4, key=None, **kwargs):
    data = FeedbackInput(center_code="baku-1", rating=rating, language="az", comment=text, **kwargs)
    return submit_feedback(
        data, channel=Channel.api, classifier=get_classifier(), rules=RULES, idempotency_key=key
    )


@pytest.fixture
def center(app_ctx):
    return make_center("baku-1")


def _count(model=Submission):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_stores_once_per_idempotency_key(center):
    first = _submit("Hər şey yaxşı idi", key="same-key-0001")
    # The language is the page's, not part of the feedback: a retry from a page in Russian is a retry.
    retry = FeedbackInput(center_code="baku-1", rating=4, language="ru", comment="Hər şey yaxşı idi")
    second = submit_feedback(retry, channel=Channel.api, classifier=get_classifier(), rules=RULES,
                             idempotency_key="same-key-0001")
    assert first.is_created and not second.is_created
    assert second.submission.id == first.submission.id
    assert second.submission.reference == first.submission.reference
    assert _count() == 1


@pytest.mark.parametrize(
    "changed",
    [
        {"center_code": "ganja-1"},
        {"service_code": "passport"},
        {"desk": "7"},
        {"rating": 1},
        {"waiting_rating": 2},
        {"courtesy_rating": 5},
        {"is_matter_resolved": True},
        {"comment": "Fikrimi dəyişdim"},
        {"contact": "050 123 45 67", "is_contact_consented": True},
    ],
)
def test_a_key_used_again_for_different_feedback_is_a_conflict_and_stores_nothing(center, changed):
    make_center("ganja-1")
    sent = FeedbackInput(center_code="baku-1", rating=4, language="az", comment="Hər şey yaxşı idi")
    first = submit_feedback(sent, channel=Channel.api, classifier=get_classifier(), rules=RULES,
                            idempotency_key="changed-key-001")
    with pytest.raises(IdempotencyConflict) as conflict:
        submit_feedback(replace(sent, **changed), channel=Channel.api, classifier=get_classifier(), rules=RULES,
                        idempotency_key="changed-key-001")
    assert first.submission.reference not in str(conflict.value)
    db.session.expire_all()
    (stored,) = db.session.scalars(sa.select(Submission)).all()
    assert (stored.comment, stored.rating, stored.center.code) == ("Hər şey yaxşı idi", 4, "baku-1")


def test_a_flagged_submission_and_its_case_are_stored_by_one_commit(center):
    with sql_sent(db.engine) as seen:
        outcome = _submit("Növbə çox uzun idi", rating=1, key="one-commit-0001")
    assert seen["commits"] == 1
    (case,) = db.session.scalars(sa.select(Case)).all()
    assert case.submission_id == outcome.submission.id
    assert [event.kind for event in case.events] == [EventKind.opened]
    assert case.events[0].detail == {"reasons": ["low_rating"], "priority": "high"}


def test_a_retried_flagged_submission_opens_no_second_case(center):
    first = _submit("Növbə çox uzun idi", rating=1, key="flagged-retry-01")
    again = _submit("Növbə çox uzun idi", rating=1, key="flagged-retry-01")
    assert first.is_created and not again.is_created
    assert (_count(), _count(Case), _count(CaseEvent)) == (1, 1, 1)


def test_on_postgresql_a_flagged_submission_is_one_statement_and_its_own_transaction(center):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no data-modifying WITH: three INSERTs and a commit there")
    _submit("", rating=5)  # the center is remembered from now on: no read opens a transaction
    db.session.commit()
    with sql_sent(db.engine) as seen:
        outcome = _submit("Növbə çox uzun idi", rating=1, key="one-statement-01")
    (statement,) = seen["statements"]
    assert all(f"INSERT INTO {table} " in statement for table in ("submissions", "cases", "case_events"))
    assert seen["autocommit"] == [True], "sent outside a transaction, so no BEGIN or COMMIT round trip"
    db.session.expire_all()
    case = db.session.scalars(sa.select(Case)).one()
    assert case.submission_id == outcome.submission.id and case.priority == outcome.decision.priority
    assert [event.kind for event in case.events] == [EventKind.opened]


def test_changes_waiting_in_the_session_are_committed_in_the_submissions_transaction(center):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite always writes the submission inside a transaction")
    earlier = _submit("", rating=5).submission  # kept loaded by the commit, so a change loads nothing
    earlier.desk = "12"  # no statement yet: the change waits for the flush at the commit
    assert earlier in db.session.dirty
    with sql_sent(db.engine) as seen:
        _submit("Növbə çox uzun idi", rating=1)
    assert any(statement.startswith("UPDATE submissions") for statement in seen["statements"])
    assert not any(seen["autocommit"]), "the UPDATE and the INSERT share one transaction"
    db.session.expire_all()
    assert db.session.get(Submission, earlier.id).desk == "12" and _count() == 2


def test_the_stored_submission_is_returned_as_stored_without_reading_it_back(center):
    outcome = _submit("Zəng edin: +994 50 123 45 67", rating=2, key="as-stored-0001",
                      contact="050 123 45 67", is_contact_consented=True, service_code="passport")
    returned = outcome.submission
    with sql_sent(db.engine) as seen:
        as_returned = {c.key: getattr(returned, c.key) for c in sa.inspect(Submission).column_attrs}
    assert seen["statements"] == [], "the caller's .reference must not cost a query after the commit"
    db.session.expire_all()
    stored = db.session.get(Submission, returned.id)
    assert as_returned == {c.key: getattr(stored, c.key) for c in sa.inspect(Submission).column_attrs}
    assert stored.service.code == "passport" and stored.is_flagged and stored.flag_reasons == ["low_rating"]


def test_a_retry_gets_its_reference_even_after_the_center_closed(center):
    first = _submit("Hər şey yaxşı idi", key="closed-later-01")
    center.is_active = False
    db.session.commit()
    again = _submit("Hər şey yaxşı idi", key="closed-later-01")
    assert not again.is_created and again.submission.reference == first.submission.reference
    with pytest.raises(SubmissionRejected):
        _submit("a new one", key="closed-later-02")
    with pytest.raises(IdempotencyConflict):
        _submit("changed after the center closed", key="closed-later-01")


def test_a_retry_waits_for_a_racing_transaction_with_its_key_and_returns_that_reference(app, center):
    """Another server has stored the key but not yet committed: we get its row, not a second one."""
    inserted, other = threading.Event(), {}

    def racing_server():
        with app.app_context():
            # The same feedback as ours: an earlier try of the same client, still being committed.
            row = Submission(reference="RACE-2345", center_id=other["center_id"], rating=4, language="az",
                             comment="the same feedback, retried", channel=Channel.api,
                             idempotency_key="racing-key-0001", created_dt=datetime.now(timezone.utc))
            db.session.add(row)
            db.session.flush()  # the key is taken, uncommitted
            inserted.set()
            time.sleep(0.3)  # let our INSERT arrive while the other transaction is open
            db.session.commit()

    other["center_id"] = center.id
    _submit("", rating=5)  # the center is remembered: on PostgreSQL the retry is sent in autocommit
    thread = threading.Thread(target=racing_server)
    thread.start()
    assert inserted.wait(10)
    outcome = _submit("the same feedback, retried", key="racing-key-0001")
    thread.join()
    assert not outcome.is_created and outcome.submission.reference == "RACE-2345"
    assert _count() == 2


def test_opening_a_case_twice_keeps_the_first(center):
    outcome = _submit("", rating=1)
    db.session.expire_all()
    submission = db.session.get(Submission, outcome.submission.id)
    again = cases.open_case(submission, outcome.decision, now=datetime.now(timezone.utc))
    db.session.commit()
    assert again.submission_id == submission.id
    assert _count(Case) == 1 and len(again.events) == 1


def test_personal_data_is_masked_for_officers_but_kept_as_written(center):
    outcome = _submit("Zəng edin: +994 50 123 45 67, FIN 5ZK2R7M", rating=2)
    stored = outcome.submission
    assert "+994 50 123 45 67" in stored.comment
    assert "123 45 67" not in stored.comment_masked and "5ZK2R7M" not in stored.comment_masked


def test_contact_without_consent_is_not_stored(center):
    outcome = _submit("", rating=3, contact="+994 55 000 00 00", is_contact_consented=False)
    assert outcome.submission.contact is None


def test_unknown_center_and_service_are_rejected_without_storing(center):
    with pytest.raises(SubmissionRejected) as rejected:
        submit_feedback(
            FeedbackInput(center_code="nowhere", rating=3, language="az"),
            channel=Channel.api, classifier=get_classifier(), rules=RULES,
        )
    assert "center" in rejected.value.errors
    with pytest.raises(SubmissionRejected) as rejected:
        _submit(rating=3, service_code="no-such-service")
    assert "service" in rejected.value.errors
    assert _count() == 0


def test_inactive_center_takes_no_feedback(app_ctx):
    make_center("baku-1", is_active=False)
    with pytest.raises(SubmissionRejected):
        _submit(rating=5)


def test_without_a_model_only_the_rating_flags(center):
    assert _submit("Çox pis, 3 saat gözlədim, heç kim kömək etmədi", rating=4).submission.is_flagged is False
    low = _submit("", rating=2).submission
    assert low.is_flagged and low.flag_reasons == ["low_rating"] and low.complaint_probability is None


@pytest.mark.model
def test_the_model_judges_the_comment_and_records_its_verdict(center):
    praise = _submit("Çox sağ olun, hər şey tez və səliqəli oldu, işçilər çox nəzakətli idi", rating=5)
    assert praise.submission.is_flagged is False
    assert praise.submission.model_version == "test-model"
    assert praise.submission.complaint_probability < 0.5
    complaint = _submit("Sistem işləmirdi, 3 saat növbədə gözlədim, heç kim kömək etmədi", rating=4)
    stored = complaint.submission
    assert stored.is_flagged and "model" in stored.flag_reasons
    assert stored.complaint_probability >= get_classifier().model.threshold
    assert stored.model_reasons, "a flagged comment says which words flagged it"
    assert stored.comment_language == "az"


@pytest.mark.model
def test_a_comment_without_text_is_judged_by_its_rating_alone(center):
    outcome = _submit("   ", rating=1)
    assert outcome.submission.complaint_probability is None and outcome.submission.model_version is None
    assert outcome.submission.flag_reasons == ["low_rating"]


def test_created_time_is_timezone_aware_on_every_backend(center):
    now = datetime(2026, 11, 26, 8, 30, tzinfo=timezone.utc)
    data = FeedbackInput(center_code="baku-1", rating=5, language="en")
    stored = submit_feedback(data, channel=Channel.web, classifier=get_classifier(), rules=RULES, now=now)
    db.session.expire_all()
    assert db.session.get(Submission, stored.submission.id).created_dt == now
