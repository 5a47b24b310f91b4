"""submit_feedback: the one domain function that stores a submission."""

from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from factories import make_center
from feedback.classifier import get_classifier
from feedback.extensions import db
from feedback.models import Channel, Submission
from feedback.services.submit import FeedbackInput, SubmissionRejected, submit_feedback
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


def test_stores_once_per_idempotency_key(center):
    first = _submit("Hər şey yaxşı idi", key="same-key-0001")
    second = _submit("a different body is ignored", key="same-key-0001")
    assert first.is_created and not second.is_created
    assert second.submission.id == first.submission.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 1


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
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 0


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
