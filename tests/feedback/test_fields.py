"""The pages' form base: a form is filled from the posted form's text fields only, so a file part
or a JSON body where a page's form expects text is a field not sent (a 400), never a 500."""

import io

import pytest
import sqlalchemy as sa

from support import csrf_token_from, login_admin
from factories import make_center, make_user
from feedback.extensions import db
from feedback.models import Center, Submission


@pytest.fixture
def token(app, client):
    with app.app_context():
        make_center("baku-1")
    return csrf_token_from(client.get("/c/baku-1?lang=en").get_data(as_text=True))


def _stored(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Submission))


def test_a_comment_sent_as_a_file_counts_as_no_comment(app, client, token):
    response = client.post("/c/baku-1?lang=en", content_type="multipart/form-data", data={
        "csrf_token": token, "rating": "5", "matter_resolved": "yes",
        "comment": (io.BytesIO(b"Uzun novbe"), "comment.txt"),
    })
    # The text fields go through as usual; the file is not read as the comment.
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Submission.comment)) == ""


def test_a_username_sent_as_a_file_is_missing(app, client):
    with app.app_context():
        make_user("officer.1")
    token = csrf_token_from(client.get("/review/login?lang=en").get_data(as_text=True))
    response = client.post("/review/login?lang=en", content_type="multipart/form-data", data={
        "csrf_token": token, "username": (io.BytesIO(b"officer.1"), "username.txt"), "password": "correct horse 42",
    })
    assert response.status_code == 400
    assert "This field is required." in response.get_data(as_text=True)
    assert client.get("/review/").status_code == 302  # still signed out


@pytest.mark.parametrize("body", [
    {"rating": 5, "matter_resolved": "yes", "comment": 5},
    {"rating": "5", "matter_resolved": "yes", "comment": {"text": "x"}},
    [1, 2],
    "five",
    False,
])
def test_a_json_body_is_not_the_survey_form(app, client, token, body):
    response = client.post("/c/baku-1?lang=en", json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 400
    assert "Please choose a rating from 1 to 5." in response.get_data(as_text=True)
    assert _stored(app) == 0


def test_staff_forms_read_only_text_fields(app, client):
    token = login_admin(app, client)
    with_file = client.post("/admin/centers/new?lang=en", content_type="multipart/form-data", data={
        "csrf_token": token, "code": (io.BytesIO(b"gence-1"), "code.txt"), "name_az": "Gəncə",
    })
    as_json = client.post("/admin/centers/new?lang=en", json={"code": ["gence-1"], "name_az": "Gəncə"},
                          headers={"X-CSRFToken": token})
    for response in (with_file, as_json):
        assert response.status_code == 400
        assert "This field is required." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(sa.select(Center.code)).all() == []
