"""The citizen's side of a one-visit link: verified feedback, once; clear pages when expired or used."""

import re
import threading
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext

from support import NoModel, csrf_token_from
from factories import make_center
from feedback.extensions import db
from feedback.models import Channel, Submission, Visit
from feedback.services.submit import FeedbackInput, submit_feedback
from feedback.services.triage import TriageRules
from feedback.services.visits import VisitUnavailable, issue_visit, submit_visit_feedback

USED = "Feedback has already been sent through this link. Each visit can be rated once."
EXPIRED = "This feedback link has expired. Thank you for wanting to tell us about your visit."


def _issue(app, *, ttl=timedelta(hours=1), now=None, **kwargs) -> str:
    with app.app_context():
        issued = issue_visit("baku-1", ttl=ttl, now=now, **kwargs)
        db.session.commit()
        return issued.token


@pytest.fixture
def center(app):
    with app.app_context():
        make_center("baku-1")


def _submissions(app):
    with app.app_context():
        return db.session.scalars(sa.select(Submission)).all()


def _send(client, token, rating="2", comment="Uzun növbə", lang="en"):
    page = client.get(f"/v/{token}?lang={lang}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'action="/v/{token}"' in html
    return client.post(f"/v/{token}?lang={lang}", data={
        "csrf_token": csrf_token_from(html), "rating": rating, "comment": comment,
    })


def test_feedback_through_the_link_is_verified_and_carries_the_visit(app, client, center):
    token = _issue(app, desk="7", service_code="passport")
    response = _send(client, token)
    assert response.status_code == 302 and "/thanks/" in response.headers["Location"]
    with app.app_context():
        (stored,) = db.session.scalars(sa.select(Submission)).all()
        assert stored.is_verified and stored.desk == "7" and stored.service.code == "passport"
        visit = db.session.scalar(sa.select(Visit))
        assert visit.used_dt is not None and visit.submission_id == stored.id


def test_ordinary_survey_feedback_is_not_verified(app, client, center):
    html = client.get("/c/baku-1").get_data(as_text=True)
    client.post("/c/baku-1", data={"csrf_token": csrf_token_from(html), "rating": "4"})
    (stored,) = _submissions(app)
    assert not stored.is_verified


def test_a_used_link_takes_no_second_submission(app, client, center):
    token = _issue(app)
    html = client.get(f"/v/{token}?lang=en").get_data(as_text=True)
    first = client.post(f"/v/{token}?lang=en", data={"csrf_token": csrf_token_from(html), "rating": "5"})
    assert first.status_code == 302
    again = client.post(f"/v/{token}?lang=en", data={"csrf_token": csrf_token_from(html), "rating": "1"})
    assert again.status_code == 410 and USED in again.get_data(as_text=True)
    opened = client.get(f"/v/{token}?lang=en")
    assert opened.status_code == 410 and USED in opened.get_data(as_text=True)
    assert [s.rating for s in _submissions(app)] == [5]


def test_a_form_sent_twice_through_its_link_shows_its_thanks_page_both_times(app, client, center):
    """A double tap, or the offline outbox resending after a lost answer: stored once, and the second
    answer still leads to the reference the citizen needs for the status page."""
    token = _issue(app, desk="7")
    html = client.get(f"/v/{token}?lang=en").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(html), "rating": "2", "comment": "Növbə uzun idi",
            "idempotency_key": re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)}
    first = client.post(f"/v/{token}?lang=en", data=data)
    second = client.post(f"/v/{token}?lang=en", data=data)
    assert first.status_code == 302 and "/thanks/" in first.headers["Location"]
    assert second.status_code == 302 and second.headers["Location"] == first.headers["Location"]
    (stored,) = _submissions(app)
    assert stored.reference in first.headers["Location"]


def test_a_link_page_that_lost_its_session_keeps_the_answers_and_the_link(app, client, center):
    token = _issue(app)
    html = app.test_client().get(f"/v/{token}?lang=en").get_data(as_text=True)  # another browser session
    refused = client.post(f"/v/{token}?lang=en", data={"csrf_token": csrf_token_from(html), "rating": "2",
                                                       "comment": "Uzun növbə"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "This page was open for a long time" in page
    assert "Uzun növbə</textarea>" in page and 'name="rating" value="2" checked' in page
    assert _submissions(app) == []
    again = client.post(f"/v/{token}?lang=en", data={"csrf_token": csrf_token_from(page), "rating": "2",
                                                     "comment": "Uzun növbə"})
    assert again.status_code == 302
    (stored,) = _submissions(app)
    assert stored.is_verified and stored.comment == "Uzun növbə"


def test_expired_link_shows_a_clear_page_and_stores_nothing(app, client, center):
    token = _issue(app, now=datetime.now(timezone.utc) - timedelta(hours=2), ttl=timedelta(hours=1))
    page = client.get(f"/v/{token}?lang=en")
    assert page.status_code == 410 and EXPIRED in page.get_data(as_text=True)
    csrf = csrf_token_from(client.get("/c/baku-1").get_data(as_text=True))
    assert client.post(f"/v/{token}?lang=en", data={"csrf_token": csrf, "rating": "3"}).status_code == 410
    assert _submissions(app) == []


def test_unknown_link_is_404_with_text(client, center):
    page = client.get("/v/not-a-real-token?lang=en")
    assert page.status_code == 404 and "could not find this feedback link" in page.get_data(as_text=True)


def test_the_expired_page_speaks_the_citizens_language(app, client, center):
    token = _issue(app, now=datetime.now(timezone.utc) - timedelta(hours=2), ttl=timedelta(hours=1))
    page = client.get(f"/v/{token}", headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    html = page.get_data(as_text=True)
    with app.test_request_context(), force_locale("ru"):
        expected = gettext(EXPIRED)
    assert page.status_code == 410 and '<html lang="ru"' in html and expected in html


def test_link_opens_in_the_language_given_by_the_queue_system(app, client, center):
    token = _issue(app, language="ru")
    response = client.get(f"/v/{token}")
    assert response.status_code == 302 and response.headers["Location"].endswith("lang=ru")


def test_link_pages_are_not_cached_or_leaked_by_referer(app, client, center):
    token = _issue(app)
    response = client.get(f"/v/{token}?lang=en")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_racing_submissions_through_one_link_store_one(app, center):
    token = _issue(app)
    barrier = threading.Barrier(4)
    outcomes = []

    def send(rating):
        data = FeedbackInput(center_code="baku-1", rating=rating, language="az")
        with app.app_context():
            barrier.wait()
            try:
                submit_visit_feedback(token, data, classifier=NoModel(), rules=TriageRules.from_config(app.config))
                outcomes.append("stored")
            except VisitUnavailable as exc:
                outcomes.append(exc.reason)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=send, args=(rating,)) for rating in (1, 2, 3, 4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["stored", "used", "used", "used"]
    assert len(_submissions(app)) == 1


def test_other_feedback_stored_through_the_link_but_not_yet_marked_used_makes_it_used(app, center):
    """As when two people send through one link at once: the loser's different feedback is refused."""
    token = _issue(app)
    rules = TriageRules.from_config(app.config)
    with app.app_context():
        visit = db.session.scalar(sa.select(Visit))
        # The winner's submission is committed; its marking of the link as used is yet to come.
        submit_feedback(FeedbackInput(center_code="baku-1", rating=5, language="az"), channel=Channel.web,
                        classifier=NoModel(), rules=rules, idempotency_key=f"visit:{visit.id}")
        with pytest.raises(VisitUnavailable) as refused:
            submit_visit_feedback(token, FeedbackInput(center_code="baku-1", rating=1, language="az"),
                                  classifier=NoModel(), rules=rules)
    assert refused.value.reason == "used"
    assert [s.rating for s in _submissions(app)] == [5]


def test_the_same_feedback_stored_through_the_link_but_not_yet_marked_used_gets_its_reference(app, center):
    """As when one form is sent twice at once: the second request gets the first one's submission."""
    token = _issue(app)
    rules = TriageRules.from_config(app.config)
    data = FeedbackInput(center_code="baku-1", rating=2, comment="Növbə uzun idi", language="az")
    with app.app_context():
        visit = db.session.scalar(sa.select(Visit))
        first = submit_feedback(replace(data, is_verified=True), channel=Channel.web, classifier=NoModel(),
                                rules=rules, idempotency_key=f"visit:{visit.id}")
        again = submit_visit_feedback(token, data, classifier=NoModel(), rules=rules)
        assert not again.is_created and again.submission.reference == first.submission.reference
    assert len(_submissions(app)) == 1


def test_a_link_to_a_center_closed_since_shows_the_not_found_page(app, client, center):
    token = _issue(app)
    html = client.get(f"/v/{token}?lang=en").get_data(as_text=True)
    with app.app_context():
        from feedback.models import Center

        db.session.scalar(sa.select(Center)).is_active = False
        db.session.commit()
    response = client.post(f"/v/{token}?lang=en", data={"csrf_token": csrf_token_from(html), "rating": "4"})
    assert response.status_code == 404 and "could not find this feedback link" in response.get_data(as_text=True)
    assert _submissions(app) == []


def test_a_service_unknown_at_the_center_is_explained_in_the_citizens_language(app, client, center):
    token = _issue(app)
    html = client.get(f"/v/{token}?lang=ru").get_data(as_text=True)
    response = client.post(f"/v/{token}?lang=ru", data={"csrf_token": csrf_token_from(html), "rating": "4",
                                                         "service": "no-such-service"})
    assert response.status_code == 400 and "Выберите услугу из списка." in response.get_data(as_text=True)
    assert _submissions(app) == []
