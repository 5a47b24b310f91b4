"""A NUL or a lone surrogate anywhere in a request is a 400 naming the field, never a database error."""

import pytest
import sqlalchemy as sa

from support import csrf_token_from
from factories import make_api_key, make_center
from feedback.extensions import db
from feedback.models import Submission, Visit


@pytest.fixture
def center(app):
    with app.app_context():
        return make_center("baku-1").code


@pytest.mark.parametrize(
    "body, field",
    [
        ({"center": "\x00", "rating": 1}, "center"),
        ({"center": "baku-1", "rating": 1, "service": "pass\x00port"}, "service"),
        ({"center": "baku-1", "rating": 1, "desk": "\x00"}, "desk"),
        ({"center": "baku-1", "rating": 1, "comment": "nul\x00here"}, "comment"),
        ({"center": "baku-1", "rating": 1, "aspects": {"x\x00": 1}}, "aspects"),
    ],
)
def test_api_refuses_nul_naming_the_field(app, client, center, body, field):
    response = client.post("/api/v1/feedback", json=body)
    assert response.status_code == 400
    assert field in response.get_json()["errors"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 0


@pytest.mark.parametrize("path", ["/c/%00", "/c/baku-1?service=%00", "/c/baku-1/thanks/AB%00"])
def test_pages_refuse_nul_in_path_and_query(client, center, path):
    response = client.get(path, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "cannot be stored" in response.get_data(as_text=True)


def test_survey_form_refuses_nul_in_a_hidden_field(app, client, center):
    token = csrf_token_from(client.get("/c/baku-1?lang=en").get_data(as_text=True))
    response = client.post("/c/baku-1", data={"csrf_token": token, "rating": "4", "desk": "7\x00"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 0


# A lone UTF-16 surrogate, as JSON's "\ud800" escape spells it: no UTF-8 encoding exists for it.
SURROGATE = "\ud800"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"center": SURROGATE, "rating": 1}, "center"),
        ({"center": "baku-1", "rating": 1, "service": f"pass{SURROGATE}port"}, "service"),
        ({"center": "baku-1", "rating": 1, "desk": SURROGATE}, "desk"),
        ({"center": "baku-1", "rating": 1, "comment": f"a{SURROGATE}b"}, "comment"),
        ({"center": "baku-1", "rating": 1, "contact": f"050{SURROGATE}", "consent": True}, "contact"),
        ({"center": "baku-1", "rating": 1, SURROGATE: 1}, "body"),
        ({"center": "baku-1", "rating": 1, "aspects": {f"x{SURROGATE}": 1}}, "aspects"),
        ({"center": "baku-1", "rating": 1, "aspects": {f"x{SURROGATE}": {"y": "\x00"}}}, "aspects"),
    ],
)
def test_api_refuses_lone_surrogates_naming_the_field(app, client, center, body, field):
    response = client.post("/api/v1/feedback", json=body, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert response.get_json()["errors"] == {field: "The text contains characters that cannot be stored."}
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 0


def test_visits_api_refuses_a_lone_surrogate(app, client, center):
    with app.app_context():
        key = make_api_key(("visits:create",))
    response = client.post("/api/v1/visits", json={"center": SURROGATE},
                           headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 400 and "center" in response.get_json()["errors"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Visit)) == 0



# Under the 64 KB body limit, but nested deeper than Python's parser can follow.
TOO_DEEP = ["[" * 30000 + "]" * 30000, '{"a":' * 10000 + "1" + "}" * 10000]


@pytest.mark.parametrize("body", TOO_DEEP)
def test_feedback_api_answers_json_nested_too_deeply_as_a_malformed_body(app, client, center, body):
    response = client.post("/api/v1/feedback", data=body, content_type="application/json")
    assert response.status_code == 400 and "body" in response.get_json()["errors"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 0


@pytest.mark.parametrize("body", TOO_DEEP)
def test_visits_api_answers_json_nested_too_deeply_as_a_malformed_body(app, client, center, body):
    with app.app_context():
        key = make_api_key(("visits:create",))
    response = client.post("/api/v1/visits", data=body, content_type="application/json",
                           headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 400 and "body" in response.get_json()["errors"]


def test_centers_ignore_a_body_nested_too_deeply(client, center):
    response = client.get("/api/v1/centers", data=TOO_DEEP[0], content_type="application/json")
    assert response.status_code == 200 and response.get_json()["centers"]


def test_nul_deep_inside_json_that_parses_is_found(app, client, center):
    # Deep enough that walking it one call per level went past the recursion limit.
    nested = "[" * 600 + '"\\u0000"' + "]" * 600
    body = '{"center": "baku-1", "rating": 4, "extra": ' + nested + "}"
    response = client.post("/api/v1/feedback", data=body, content_type="application/json")
    assert response.status_code == 400 and "extra" in response.get_json()["errors"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 0
