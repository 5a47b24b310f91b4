"""The citizen's form flow without a browser: GET the form, POST with its token, see the reference."""

import re
import time
import types
from urllib.parse import urlsplit

import itsdangerous.timed
import pytest
import sqlalchemy as sa

from support import csrf_token_from
from factories import make_center
from feedback.extensions import db
from feedback.models import Channel, Submission
from feedback.services.posters import survey_url

REFERENCE = re.compile(r'class="reference"[^>]*>([2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4})<')


def _count():
    return db.session.scalar(sa.select(sa.func.count()).select_from(Submission))


def _form(client, path="/c/baku-1"):
    page = client.get(path)
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_form_flow_stores_feedback_and_shows_reference(app, client):
    with app.app_context():
        make_center("baku-1")
    html = _form(client, "/c/baku-1?service=passport&lang=en")
    assert 'name="rating"' in html and "How was your visit?" in html
    response = client.post(
        "/c/baku-1?lang=en",
        data={
            "csrf_token": csrf_token_from(html),
            "idempotency_key": "form-key-0001",
            "rating": "2",
            "service": "passport",
            "waiting_rating": "1",
            "matter_resolved": "no",
            "comment": "Waited two hours, nobody explained why.",
            "contact": "+994 50 123 45 67",
            "consent": "y",
        },
    )
    assert response.status_code == 302
    thanks = client.get(response.headers["Location"])
    reference = REFERENCE.search(thanks.get_data(as_text=True)).group(1)
    assert "or to have what you wrote erased" in thanks.get_data(as_text=True)  # see admin.erasure
    with app.app_context():
        stored = db.session.scalar(sa.select(Submission).where(Submission.reference == reference))
        assert stored.rating == 2 and stored.waiting_rating == 1 and stored.is_matter_resolved is False
        assert stored.service.code == "passport"
        assert stored.channel == Channel.qr and stored.language == "en"
        assert stored.contact == "+994 50 123 45 67" and stored.is_contact_consented
        assert stored.comment_masked == stored.comment  # no personal data in it
        assert stored.is_flagged and "low_rating" in stored.flag_reasons


def test_double_post_of_one_form_stores_once(app, client):
    with app.app_context():
        make_center("baku-1")
    html = _form(client)
    data = {"csrf_token": csrf_token_from(html), "idempotency_key": "double-click-01", "rating": "5"}
    first = client.post("/c/baku-1", data=data)
    second = client.post("/c/baku-1", data=data)
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert _count() == 1


@pytest.mark.parametrize("arrival, channel", [("list", Channel.web), ("poster", Channel.qr)])
def test_feedback_counts_the_way_the_citizen_came(app, client, arrival, channel):
    """From the website's list of centers it is web feedback; from a poster's QR code (printed, already
    hanging in the halls) it stays qr."""
    with app.app_context():
        make_center("baku-1")
    if arrival == "list":
        index = client.get("/?lang=en").get_data(as_text=True)
        path = re.search(r'<a href="(/c/baku-1[^"]*)"', index).group(1).replace("&amp;", "&")
    else:
        path = urlsplit(survey_url("https://rey.example", "baku-1", "7"))._replace(scheme="", netloc="").geturl()
    html = _form(client, path)
    action = re.search(r'<form method="post" action="([^"]*)"', html).group(1).replace("&amp;", "&")
    response = client.post(action, data={"csrf_token": csrf_token_from(html), "rating": "5",
                                         "desk": re.search(r'name="desk" type="hidden" value="([^"]*)"', html).group(1)})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Submission.channel)) == channel


def test_a_key_with_a_line_break_is_no_key_and_the_feedback_is_stored(app, client):
    # "$" in the key's pattern matched before a final line break: 129 characters went to a column
    # of 128, a 500 on PostgreSQL. A key of the column's whole length still counts.
    with app.app_context():
        make_center("baku-1")
    token = csrf_token_from(_form(client))
    for key in ("k" * 128 + "\n", "k" * 128, "k" * 128):
        assert client.post("/c/baku-1", data={"csrf_token": token, "idempotency_key": key, "rating": "5"}).status_code == 302
    with app.app_context():
        assert db.session.scalars(sa.select(Submission.idempotency_key).order_by(Submission.id)).all() == [None, "k" * 128]


@pytest.mark.parametrize(
    "lang, message",
    [
        ("en", "This form had already been sent, so your changes were not saved."),
        ("az", "Bu forma artıq göndərilmişdi, ona görə dəyişiklikləriniz saxlanmadı."),
    ],
)
def test_a_form_sent_again_with_changes_says_so_and_can_be_sent_as_new_feedback(app, client, lang, message):
    with app.app_context():
        make_center("baku-1")
    html = _form(client, f"/c/baku-1?lang={lang}")
    data = {"csrf_token": csrf_token_from(html), "idempotency_key": "back-and-edit-01", "rating": "5"}
    assert client.post(f"/c/baku-1?lang={lang}", data=data).status_code == 302
    changed = client.post(f"/c/baku-1?lang={lang}", data={**data, "rating": "2", "comment": "Fikrimi dəyişdim"})
    page = changed.get_data(as_text=True)
    assert changed.status_code == 409 and message in page and "Fikrimi dəyişdim" in page
    new_key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
    assert new_key != "back-and-edit-01"
    again = client.post(f"/c/baku-1?lang={lang}", data={**data, "rating": "2", "comment": "Fikrimi dəyişdim",
                                                        "idempotency_key": new_key})
    assert again.status_code == 302
    with app.app_context():
        assert sorted(db.session.scalars(sa.select(Submission.rating))) == [2, 5]


def test_missing_csrf_token_is_refused_in_the_page_language(app, client):
    with app.app_context():
        make_center("baku-1")
    response = client.post("/c/baku-1?lang=en", data={"rating": "5"})
    assert response.status_code == 400
    assert "This page was open for a long time" in response.get_data(as_text=True)
    with app.app_context():
        assert _count() == 0


def _answers(token: str) -> dict:
    return {"csrf_token": token, "idempotency_key": "long-open-page-01", "rating": "2",
            "waiting_rating": "1", "comment": "Növbə çox uzun idi, heç kim izah etmədi"}


def _assert_kept_and_sent_once(app, client, page, language, expected_message):
    """The refused page keeps the answers and a fresh token, and sending it again stores them once."""
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert expected_message in html
    assert "Növbə çox uzun idi, heç kim izah etmədi</textarea>" in html
    assert 'name="rating" value="2" checked' in html and 'name="waiting_rating" value="1" checked' in html
    with app.app_context():
        assert _count() == 0
    again = client.post(f"/c/baku-1?lang={language}", data=_answers(csrf_token_from(html)))
    assert again.status_code == 302
    with app.app_context():
        assert _count() == 1


@pytest.mark.parametrize("language, message", [
    ("az", "Bu səhifə uzun müddət açıq qaldı"),
    ("ru", "Эта страница была открыта долго"),
    ("en", "This page was open for a long time"),
])
def test_a_page_whose_browser_forgot_its_session_keeps_the_answers(app, client, language, message):
    # A phone's browser restored the tab after dropping its session cookie: the token matches no session.
    with app.app_context():
        make_center("baku-1")
    token = csrf_token_from(_form(app.test_client(), f"/c/baku-1?lang={language}"))
    page = client.post(f"/c/baku-1?lang={language}", data=_answers(token))
    _assert_kept_and_sent_once(app, client, page, language, message)


def test_a_page_open_longer_than_the_token_lives_keeps_the_answers(app, client, monkeypatch):
    with app.app_context():
        make_center("baku-1")
    token = csrf_token_from(_form(client, "/c/baku-1?lang=en"))
    later = time.time() + app.config["WTF_CSRF_TIME_LIMIT"] + 60
    monkeypatch.setattr(itsdangerous.timed, "time", types.SimpleNamespace(time=lambda: later))
    page = client.post("/c/baku-1?lang=en", data=_answers(token))
    _assert_kept_and_sent_once(app, client, page, "en", "This page was open for a long time")


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("rating", "", "Please choose a rating from 1 to 5."),
        ("rating", "6", "The rating must be a whole number from 1 to 5."),
        ("rating", "five", "The rating must be a whole number from 1 to 5."),
        ("comment", "x" * 2001, "The comment can be at most 2000 characters."),
        ("comment", "bad\x00byte", "The text contains characters that cannot be stored."),
        ("contact", "050 123 45 67", "Please tick the box to let us use your contact details."),
    ],
)
def test_bad_form_input_is_explained_and_stores_nothing(app, client, field, value, message):
    with app.app_context():
        make_center("baku-1")
    html = _form(client, "/c/baku-1?lang=en")
    data = {"csrf_token": csrf_token_from(html), "rating": "4", field: value}
    response = client.post("/c/baku-1?lang=en", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert _count() == 0


@pytest.mark.parametrize("blank", ["", "  "])
def test_optional_ratings_left_blank_are_stored_as_no_answer(app, client, blank):
    """A browser sends an untouched optional rating as an empty value: that is no answer, not 0."""
    with app.app_context():
        make_center("baku-1")
    html = _form(client)
    data = {"csrf_token": csrf_token_from(html), "rating": "3", "waiting_rating": blank, "courtesy_rating": blank}
    response = client.post("/c/baku-1", data=data)
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.scalar(sa.select(Submission))
        assert stored.rating == 3 and stored.waiting_rating is None and stored.courtesy_rating is None


@pytest.mark.parametrize("language, message", [
    ("az", "Xidməti siyahıdan seçin."), ("ru", "Выберите услугу из списка."), ("en", "Choose a service from the list."),
])
def test_unknown_service_is_explained_in_the_page_language(app, client, language, message):
    with app.app_context():
        make_center("baku-1")
    html = _form(client, f"/c/baku-1?lang={language}")
    response = client.post(
        f"/c/baku-1?lang={language}", data={"csrf_token": csrf_token_from(html), "rating": "4", "service": "nope"}
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert _count() == 0


def test_a_desk_too_long_for_the_form_is_left_out_rather_than_blocking_the_feedback(app, client):
    with app.app_context():
        make_center("baku-1")
    html = _form(client, "/c/baku-1?desk=" + "7" * 21)
    assert 'name="desk" type="hidden" value=""' in html
    response = client.post("/c/baku-1?desk=" + "7" * 21, data={"csrf_token": csrf_token_from(html), "rating": "4",
                                                              "desk": ""})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Submission)).desk is None


@pytest.mark.parametrize("desk", ["\u202e12", "12\u200b", "1\x1b2"])
def test_a_desk_link_with_hidden_characters_is_left_out_rather_than_stored(app, client, desk):
    """A tampered poster link: the citizen cannot fix it, so the form works and the desk is dropped."""
    with app.app_context():
        make_center("baku-1")
    page = client.get("/c/baku-1", query_string={"desk": desk, "lang": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="desk" type="hidden" value=""' in html
    response = client.post("/c/baku-1?lang=en", data={"csrf_token": csrf_token_from(html), "rating": "4",
                                                      "desk": ""})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Submission)).desk is None


def test_a_crafted_desk_with_a_direction_override_is_refused(app, client):
    with app.app_context():
        make_center("baku-1")
    html = _form(client, "/c/baku-1?lang=en")
    response = client.post("/c/baku-1?lang=en", data={"csrf_token": csrf_token_from(html), "rating": "4",
                                                      "desk": "\u202e12"})
    assert response.status_code == 400
    assert "The text contains characters that cannot be stored." in response.get_data(as_text=True)
    with app.app_context():
        assert _count() == 0


def test_a_crafted_desk_too_long_is_explained(app, client):
    with app.app_context():
        make_center("baku-1")
    html = _form(client, "/c/baku-1?lang=en")
    response = client.post("/c/baku-1?lang=en", data={"csrf_token": csrf_token_from(html), "rating": "4",
                                                      "desk": "7" * 21})
    assert response.status_code == 400
    assert "The desk can be at most 20 characters." in response.get_data(as_text=True)


def test_unknown_center_is_a_friendly_404(client):
    response = client.get("/c/no-such-center?lang=en")
    assert response.status_code == 404
    assert "We could not find that page." in response.get_data(as_text=True)


def test_script_in_a_comment_is_stored_as_text_and_escaped(app, client):
    with app.app_context():
        make_center("baku-1")
    html = _form(client)
    comment = '<script>alert("x")</script> növbə uzun idi'
    response = client.post(
        "/c/baku-1",
        data={"csrf_token": csrf_token_from(html), "rating": "4", "comment": comment, "website": ""},
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Submission.comment)) == comment
    # Re-rendering the form with the same text (a validation error) must escape it.
    again = client.post("/c/baku-1", data={"csrf_token": csrf_token_from(html), "comment": comment})
    body = again.get_data(as_text=True)
    assert "<script>alert" not in body and "&lt;script&gt;" in body


def test_honeypot_submissions_are_dropped_quietly(app, client):
    with app.app_context():
        make_center("baku-1")
    html = _form(client)
    response = client.post(
        "/c/baku-1",
        data={"csrf_token": csrf_token_from(html), "rating": "5", "website": "http://spam.example"},
    )
    assert response.status_code == 302
    with app.app_context():
        assert _count() == 0


def test_pages_follow_the_language_choice(app, client):
    with app.app_context():
        make_center("baku-1")
    assert 'lang="az"' in _form(client)
    assert 'lang="ru"' in _form(client, "/c/baku-1?lang=ru")
    # The choice is remembered for the next page.
    assert 'lang="ru"' in _form(client)
    other = app.test_client()
    html = other.get("/c/baku-1", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert 'lang="en"' in html


@pytest.mark.config(CONTACT_RETENTION_DAYS=30)
@pytest.mark.parametrize("lang, says", [("en", "erased after 30 days"), ("az", "30 gündən sonra silinir"),
                                         ("ru", "через 30 дн. они удаляются")])
def test_the_contact_fields_say_who_sees_them_and_for_how_long(app, client, lang, says):
    """A citizen consents knowing the retention period that `retention purge` keeps."""
    with app.app_context():
        make_center("baku-1")
    html = client.get(f"/c/baku-1?lang={lang}").get_data(as_text=True)
    assert says in html and 'aria-describedby="consent-hint"' in html
