"""services.directory: which open center and service a submission's codes name, and how long a
process may trust what it read."""

import pytest
import sqlalchemy as sa

from factories import make_center
from support import NoModel, sql_sent
from feedback.extensions import db
from feedback.models import Center, Channel, Service
from feedback.services.directory import OpenTargets, open_targets, save_center
from feedback.services.submit import FeedbackInput, SubmissionRejected, submit_feedback
from feedback.services.triage import TriageRules


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def _submit(center_code="baku-1", service_code=None):
    data = FeedbackInput(center_code=center_code, service_code=service_code, rating=4, language="az")
    return submit_feedback(data, channel=Channel.api, classifier=NoModel(), rules=TriageRules())


def _reads_of(table, statements):
    return [s for s in statements if s.lstrip().upper().startswith("SELECT") and f"FROM {table}" in s]


def _behind_our_back(statement):
    """Change the directory the way another server process would: not through this process's ORM."""
    with db.engine.begin() as conn:
        conn.execute(statement)


@pytest.fixture
def center(app_ctx):
    return make_center("baku-1")


def test_a_second_submission_to_the_same_center_and_service_reads_neither(center):
    with sql_sent(db.engine) as first:
        _submit(service_code="passport")
    with sql_sent(db.engine) as second:
        _submit(service_code="passport")
    assert _reads_of("centers", first["statements"]) and _reads_of("services", first["statements"])
    assert _reads_of("centers", second["statements"]) == []
    assert _reads_of("services", second["statements"]) == []


def test_a_center_closed_in_this_process_takes_no_feedback_at_once(center):
    _submit()
    save_center(center, code="baku-1", names={"az": "Bakı 1"}, region="Bakı", is_active=False)
    db.session.commit()
    with pytest.raises(SubmissionRejected) as rejected:
        _submit()
    assert rejected.value.errors == {"center": "unknown center"}


def test_a_service_closed_in_this_process_takes_no_feedback_at_once(center):
    _submit(service_code="passport")
    db.session.scalar(sa.select(Service).where(Service.code == "passport")).is_active = False
    db.session.commit()
    with pytest.raises(SubmissionRejected) as rejected:
        _submit(service_code="passport")
    assert rejected.value.errors == {"service": "unknown service at this center"}


def test_a_change_by_another_process_is_seen_once_the_memory_expires(center):
    clock = Clock()
    targets = OpenTargets(ttl=60, clock=clock)
    assert targets.find("baku-1", None).center_id == center.id
    _behind_our_back(sa.update(Center).where(Center.code == "baku-1").values(is_active=False))
    clock.now += 59
    assert targets.find("baku-1", None).center_id == center.id
    clock.now += 2
    assert targets.find("baku-1", None).center_id is None


def test_codes_that_name_nothing_open_are_read_every_time(center):
    targets = OpenTargets(ttl=60, clock=Clock())
    assert targets.find("ganja-1", None).center_id is None
    assert targets.find("baku-1", "tax").service_id is None
    _behind_our_back(sa.insert(Center).values(code="ganja-1", names={"az": "Gəncə 1"}, region="Gəncə"))
    _behind_our_back(sa.insert(Service).values(center_id=center.id, code="tax", names={"az": "Vergi"}))
    assert targets.find("ganja-1", None).center_id is not None
    assert targets.find("baku-1", "tax").service_id is not None


@pytest.mark.config(DIRECTORY_CACHE_SECONDS=0)
def test_zero_seconds_reads_the_directory_for_every_submission(center):
    _submit()
    _behind_our_back(sa.update(Center).where(Center.code == "baku-1").values(is_active=False))
    with pytest.raises(SubmissionRejected):
        _submit()


def test_a_remembered_center_deleted_since_rejects_the_feedback_instead_of_failing(app_ctx):
    center = make_center("baku-1", services=())
    assert open_targets().find("baku-1", None).center_id == center.id
    _behind_our_back(sa.delete(Center).where(Center.code == "baku-1"))
    with pytest.raises(SubmissionRejected) as rejected:
        _submit()
    assert rejected.value.errors == {"center": "unknown center"}


def test_a_code_feedback_came_in_under_stays_and_names_still_change(center):
    """Printed posters, queue systems and citizens' links carry the code."""
    from feedback.services.directory import DirectoryError, save_service

    _submit(service_code="passport")
    passport = db.session.scalar(sa.select(Service).where(Service.code == "passport"))
    with pytest.raises(DirectoryError) as refused:
        save_center(center, code="baku-one", names={"az": "Bakı 1"}, region="Bakı", is_active=True)
    assert refused.value.errors.keys() == {"code"}
    with pytest.raises(DirectoryError):
        save_service(center, passport, code="pasport", names={"az": "Pasport"}, position=1, is_active=True)
    db.session.rollback()
    save_center(center, code="baku-1", names={"az": "Bakı 1 (yeni bina)"}, region="Bakı", is_active=True)
    db.session.commit()
    assert db.session.scalar(sa.select(Center.names).where(Center.code == "baku-1")) == {"az": "Bakı 1 (yeni bina)"}
    # A center nobody has rated yet may still have its typo put right.
    fresh = make_center("gnaja-1")
    save_center(fresh, code="ganja-1", names={"az": "Gəncə 1"}, region="Gəncə", is_active=True)
    db.session.commit()
    assert fresh.code == "ganja-1"
