"""The web app's adapter to the complaint model: a model that fails must not cost a complaint."""

import logging
import shutil

import pytest
import sqlalchemy as sa
from prometheus_client import REGISTRY

from factories import make_center
from feedback.classifier import ComplaintClassifier, get_classifier
from feedback.extensions import db
from feedback.models import Case, Submission
from ml.registry import rollback, set_current


class _FailingModel:
    """Stands in for a model with a bug that some comment sets off."""

    version = "broken-1"
    threshold = 0.5

    def predict(self, texts):
        raise ValueError("index out of range in the vocabulary")


@pytest.fixture
def failing_model(app):
    with app.app_context():
        make_center("baku-1")
        db.session.commit()
        classifier = get_classifier()
        classifier._model, classifier._loaded = _FailingModel(), True
    return classifier


def test_a_model_that_fails_on_a_comment_gives_no_verdict(app, failing_model, caplog):
    failures = REGISTRY.get_sample_value("rey_classifier_failures_total") or 0.0
    with app.app_context(), caplog.at_level(logging.ERROR, logger="feedback.classifier"):
        assert failing_model.judge("Növbə çox uzun idi") is None
    assert "broken-1 failed" in caplog.text
    # Monitoring sees it too (feedback.monitoring), so a model that fails often raises an alert.
    assert REGISTRY.get_sample_value("rey_classifier_failures_total") == failures + 1


def test_the_feedback_is_stored_and_triaged_on_its_rating_and_words(app, client, failing_model):
    low = client.post("/api/v1/feedback", json={"center": "baku-1", "rating": 1, "comment": "Növbə çox uzun idi"})
    bribe = client.post("/api/v1/feedback", json={"center": "baku-1", "rating": 5,
                                                  "comment": "Əməkdaş rüşvət istədi"})
    assert (low.status_code, bribe.status_code) == (201, 201)
    with app.app_context():
        stored = {s.rating: s for s in db.session.scalars(sa.select(Submission))}
    assert stored[1].is_flagged and stored[1].flag_reasons == ["low_rating"]
    assert stored[1].complaint_probability is None and stored[1].model_version is None
    assert stored[5].is_flagged and "integrity" in stored[5].flag_reasons


def _two_versions(root, trained_models_dir):
    for name in ("v1", "v2"):
        shutil.copytree(trained_models_dir / "test-model", root / name)
        set_current(root, name)


def test_a_rollback_made_in_another_process_reaches_this_one(tmp_path, trained_models_dir):
    """The admin page rolls back in one gunicorn worker; every other worker must follow."""
    root = tmp_path / "models"
    _two_versions(root, trained_models_dir)
    worker = ComplaintClassifier(root, check_seconds=0)
    assert worker.version == "v2"
    assert rollback(root) == "v1"  # what the admin page or `flask ml rollback` does elsewhere
    assert worker.version == "v1" and worker.judge("Növbə çox uzun idi").model_version == "v1"
    # Within its check period a worker goes on with what it has, reading nothing.
    patient = ComplaintClassifier(root, check_seconds=3600)
    assert patient.version == "v1"
    set_current(root, "v2")
    assert patient.version == "v1" and worker.version == "v2"


def test_a_new_model_that_fails_to_load_leaves_the_one_in_use(tmp_path, trained_models_dir):
    root = tmp_path / "models"
    _two_versions(root, trained_models_dir)
    worker = ComplaintClassifier(root, check_seconds=0)
    assert worker.version == "v2"
    (root / "broken").mkdir()
    (root / "CURRENT").write_text("broken\n")
    assert worker.version == "v2" and worker.error, "citizens' comments are still classified"


@pytest.mark.model
@pytest.mark.parametrize("comment", [
    "Zəng edin +994 50 123 45 67, sənəd hələ hazır deyil",
    "Позвоните 050-123-45-67, документ не готов",
    "My email is john@example.com and nobody answered",
])
def test_the_app_judges_a_comment_as_the_command_line_does(app, client, trained_models_dir, comment):
    """`python -m ml predict` on the same text: the app's masks ("[phone]") must not reach the
    model as words it never learnt, nor come back as a reason."""
    from ml import load_model
    from ml.registry import current_version_dir

    (expected,) = load_model(current_version_dir(trained_models_dir)).predict([comment])
    stored = _submit_happy(app, client, comment)
    assert "[" in stored.comment_masked  # officers still see the masked text
    assert stored.complaint_probability == pytest.approx(expected.complaint_probability, abs=1e-6)
    assert list(stored.model_reasons) == expected.reasons


@pytest.mark.model
@pytest.mark.parametrize("comment", ["-", "...", " . ", "—", "+"])
def test_a_comment_with_nothing_to_read_is_triaged_as_no_comment(app, client, trained_models_dir, comment):
    """People leave the box "empty" with a dash or dots; a happy rating must not open a case."""
    stored = _submit_happy(app, client, comment)
    assert stored.comment.strip() == comment.strip()  # kept as typed
    assert stored.complaint_probability is None and not stored.is_flagged
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0


def _submit_happy(app, client, comment):
    """A rating of 5 with ``comment`` through the API; the stored submission."""
    with app.app_context():
        make_center("baku-1")
        db.session.commit()
    response = client.post("/api/v1/feedback", json={"center": "baku-1", "rating": 5, "comment": comment})
    assert response.status_code == 201
    with app.app_context():
        return db.session.scalars(sa.select(Submission)).one()
