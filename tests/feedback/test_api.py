"""The JSON API: create, replay, races and every kind of bad input."""

import json
import re
import threading

import pytest
import sqlalchemy as sa

from factories import make_api_key, make_center, make_submission
from feedback.extensions import db
from feedback.models import Center, Channel, Submission


@pytest.fixture
def center(app):
    with app.app_context():
        return make_center("baku-1").code


def _count(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Submission))


def _post(client, body, key=None, headers=(), **kwargs):
    headers = {**({"Idempotency-Key": key} if key else {}), **dict(headers)}
    return client.post("/api/v1/feedback", json=body, headers=headers, **kwargs)


def test_centers_lists_codes_names_and_services(client, center):
    data = client.get("/api/v1/centers").get_json()
    (listed,) = data["centers"]
    assert listed["code"] == "baku-1" and set(listed["names"]) == {"az", "ru", "en"}
    assert [s["code"] for s in listed["services"]] == ["passport", "id-card"]


def test_create_then_replay_returns_the_same_reference(app, client, center):
    body = {
        "center": center, "service": "passport", "rating": 5, "comment": "Hər şey əla idi",
        "aspects": {"waiting": 5, "courtesy": 4, "resolved": True}, "language": "az",
    }
    first = _post(client, body, key="api-key-00000001")
    assert first.status_code == 201
    assert first.get_json()["status"] == "received"
    reference = first.get_json()["reference"]
    again = _post(client, body, key="api-key-00000001")
    assert again.status_code == 200 and again.get_json()["reference"] == reference
    assert _count(app) == 1
    with app.app_context():
        stored = db.session.scalar(sa.select(Submission))
        assert stored.channel == Channel.api and stored.courtesy_rating == 4 and stored.is_matter_resolved


def test_two_machine_clients_choosing_the_same_key_neither_collide_nor_see_each_others(app, client, center):
    with app.app_context():
        first = make_api_key(("feedback:create",), name="queue system A")
        second = make_api_key(("feedback:create",), name="queue system B")
    body = {"center": center, "rating": 2}
    # Ticket numbers make predictable keys: both halls' systems send "ticket-0001".
    mine = _post(client, body, key="ticket-0001", headers={"Authorization": f"Bearer {first}"})
    theirs = _post(client, body, key="ticket-0001", headers={"Authorization": f"Bearer {second}"})
    anonymous = _post(client, body, key="ticket-0001")
    assert [mine.status_code, theirs.status_code, anonymous.status_code] == [201, 201, 201]
    assert len({r.get_json()["reference"] for r in (mine, theirs, anonymous)}) == 3
    again = _post(client, body, key="ticket-0001", headers={"Authorization": f"Bearer {first}"})
    assert again.status_code == 200 and again.get_json()["reference"] == mine.get_json()["reference"]
    assert _count(app) == 3


def test_a_key_met_on_another_channel_gives_no_reference(app, client, center):
    with app.app_context():
        survey = db.session.scalar(sa.select(Center).where(Center.code == center))
        make_submission(survey, rating=5, idempotency_key="d1c3a8f0e2b54b7f9a6c2e1d0f3b5a7c", channel=Channel.qr)
    replay = _post(client, {"center": center, "rating": 5}, key="d1c3a8f0e2b54b7f9a6c2e1d0f3b5a7c")
    assert replay.status_code == 409 and "reference" not in replay.get_json()
    assert _count(app) == 1


def test_a_key_bound_to_a_center_sends_feedback_for_that_center_only(app, client, center):
    with app.app_context():
        make_center("gence-1")
        bound = make_api_key(("feedback:create",), center=db.session.scalar(sa.select(Center).where(Center.code == center)))
    headers = {"Authorization": f"Bearer {bound}"}
    assert _post(client, {"center": center, "rating": 4}, headers=headers).status_code == 201
    other = _post(client, {"center": "gence-1", "rating": 4}, headers=headers)
    assert other.status_code == 403 and "own center" in other.get_json()["error"]
    assert _count(app) == 1


@pytest.mark.parametrize("comment", ["🤦\u200d♂️ yenə sistem işləmir", "Ailəmlə gəldik 👨\u200d👩\u200d👧, hər şey əla idi",
                                     "Növbə sistemi\u00adnin ekranı işləmirdi"])
def test_emoji_joiners_and_soft_hyphens_are_stored_as_written(app, client, center, comment):
    response = _post(client, {"center": center, "rating": 2, "comment": comment})
    assert response.status_code == 201, response.get_json()
    with app.app_context():
        assert db.session.scalar(sa.select(Submission.comment)) == comment


@pytest.mark.parametrize(
    "changed",
    [
        {"center": "ganja-1"},
        {"service": "passport"},
        {"desk": "7"},
        {"rating": 1},
        {"aspects": {"waiting": 2}},
        {"comment": "x"},
        {"contact": "050 123 45 67", "consent": True},
    ],
)
def test_a_key_sent_again_with_different_feedback_is_a_409_and_stores_nothing(app, client, center, changed):
    with app.app_context():
        make_center("ganja-1")
    body = {"center": center, "rating": 4}
    reference = _post(client, body, key="k1-reused-key").get_json()["reference"]
    response = _post(client, {**body, **changed}, key="k1-reused-key")
    assert response.status_code == 409
    # Not the stored feedback's reference, which opens its case's status page: this sender's differs.
    assert "Idempotency-Key" in response.get_json()["errors"] and reference not in response.get_data(as_text=True)
    assert _count(app) == 1
    document = client.get("/api/v1/openapi.json").get_json()
    assert "409" in document["paths"]["/feedback"]["post"]["responses"]


def test_whole_numbers_written_as_floats_are_ratings(app, client, center):
    # JSON Schema's "integer" includes 4.0, and so does the document this API publishes.
    body = {"center": center, "rating": 4.0, "aspects": {"waiting": 5.0, "courtesy": 1.0}}
    response = _post(client, body)
    assert response.status_code == 201, response.get_json()
    with app.app_context():
        stored = db.session.scalar(sa.select(Submission))
        assert (stored.rating, stored.waiting_rating, stored.courtesy_rating) == (4, 5, 1)


def test_citizens_never_see_the_verdict(client, center):
    body = _post(client, {"center": center, "rating": 1, "comment": "Çox pis"}).get_json()
    assert set(body) == {"reference", "status"}


def test_two_racing_requests_with_one_key_store_one_row(app, center):
    barrier = threading.Barrier(4)
    results = []

    def send():
        client = app.test_client()
        barrier.wait()
        response = _post(client, {"center": center, "rating": 3, "comment": "race"}, key="race-key-000001")
        results.append((response.status_code, response.get_json()["reference"]))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(code for code, _ in results) == [200, 200, 200, 201]
    assert len({ref for _, ref in results}) == 1
    assert _count(app) == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({"rating": 5}, "center"),
        ({"center": "nowhere", "rating": 5}, "center"),
        ({"center": "baku-1", "service": "nope", "rating": 5}, "service"),
        ({"center": "baku-1"}, "rating"),
        ({"center": "baku-1", "rating": 0}, "rating"),
        ({"center": "baku-1", "rating": 6}, "rating"),
        ({"center": "baku-1", "rating": "five"}, "rating"),
        ({"center": "baku-1", "rating": 4.5}, "rating"),
        ({"center": "baku-1", "rating": True}, "rating"),
        ({"center": "baku-1", "rating": float("nan")}, "rating"),
        ({"center": "baku-1", "rating": float("inf")}, "rating"),
        ({"center": "baku-1", "rating": 4, "aspects": {"waiting": 2.5}}, "aspects.waiting"),
        ({"center": "baku-1", "rating": 4, "aspects": {"courtesy": False}}, "aspects.courtesy"),
        ({"center": "baku-1", "rating": 4, "comment": "x" * 2001}, "comment"),
        ({"center": "baku-1", "rating": 4, "comment": "nul\x00here"}, "comment"),
        ({"center": "baku-1", "rating": 4, "comment": "reads \u202ereversed"}, "comment"),
        ({"center": "baku-1", "rating": 4, "comment": "an invisible\u200bspace"}, "comment"),
        ({"center": "baku-1", "rating": 4, "comment": "an Arabic letter mark\u061c"}, "comment"),
        ({"center": "baku-1", "rating": 4, "comment": "a word\u2060joiner"}, "comment"),
        ({"center": "baku-1", "rating": 4, "comment": "an invisible\u2062times"}, "comment"),
        ({"center": "baku-1", "rating": 4, "comment": "an invisible\u2064plus"}, "comment"),
        ({"center": "baku-1", "rating": 4, "comment": "\ufeffa no-break space of no width"}, "comment"),
        ({"center": "baku-1", "rating": 4, "comment": "ok", "contact": "050\u2060123", "consent": True}, "contact"),
        ({"center": "baku-1", "rating": 4, "desk": "\u202e12"}, "desk"),
        ({"center": "baku-1", "rating": 4, "desk": "1\x002"}, "desk"),
        ({"center": "baku-1", "rating": 4, "comment": 42}, "comment"),
        ({"center": "baku-1", "rating": 4, "aspects": {"waiting": 9}}, "aspects.waiting"),
        ({"center": "baku-1", "rating": 4, "aspects": {"mood": 3}}, "aspects.mood"),
        ({"center": "baku-1", "rating": 4, "aspects": [1, 2]}, "aspects"),
        ({"center": "baku-1", "rating": 4, "language": "fr"}, "language"),
        ({"center": "baku-1", "rating": 4, "contact": "050 123 45 67"}, "consent"),
        ({"center": "baku-1", "rating": 4, "consent": "yes"}, "consent"),
        ({"center": "baku-1", "rating": 4, "admin": True}, "admin"),
        ({"center": ["baku-1"], "rating": 4}, "center"),
    ],
)
def test_invalid_feedback_is_a_400_naming_the_field(app, client, center, body, field):
    response = _post(client, body)
    assert response.status_code == 400
    assert field in response.get_json()["errors"]
    assert _count(app) == 0


def test_a_blank_center_is_refused_as_the_document_says(client, center):
    response = _post(client, {"center": " \t", "rating": 4})
    assert response.status_code == 400 and "center" in response.get_json()["errors"]
    document = client.get("/api/v1/openapi.json").get_json()
    schema = document["components"]["schemas"]["FeedbackInput"]["properties"]["center"]
    assert not re.search(schema.get("pattern", ""), " \t")


@pytest.mark.parametrize(
    "data, content_type",
    [
        (b'{"center": "baku-1", "rating": ', "application/json"),
        (b'\xff\xfe{"center": "baku-1"}', "application/json"),
        (b"[1, 2, 3]", "application/json"),
        (b"null", "application/json"),
        (b"center=baku-1&rating=5", "application/x-www-form-urlencoded"),
    ],
)
def test_malformed_bodies_get_json_errors(app, client, center, data, content_type):
    response = client.post("/api/v1/feedback", data=data, content_type=content_type)
    assert response.status_code == 400
    assert "body" in response.get_json()["errors"]
    assert _count(app) == 0


def test_bad_idempotency_key_is_refused(client, center):
    response = _post(client, {"center": center, "rating": 5}, key="short")
    assert response.status_code == 400 and "Idempotency-Key" in response.get_json()["errors"]


def test_a_body_of_several_megabytes_is_refused_with_json(app, client, center):
    big = json.dumps({"center": center, "rating": 5, "comment": "a" * (4 * 1024 * 1024)})
    response = client.post("/api/v1/feedback", data=big, content_type="application/json")
    assert response.status_code == 413
    assert "error" in response.get_json()
    assert _count(app) == 0


def test_unknown_api_path_and_wrong_method_answer_json(client):
    assert client.get("/api/v1/nothing").get_json()["error"]
    response = client.get("/api/v1/feedback")
    assert response.status_code == 405 and response.get_json()["error"]


def test_openapi_document_describes_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    documented = set(document["paths"])
    routed = {
        rule.rule.removeprefix("/api/v1")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi"
    }
    assert routed <= documented


TOO_LARGE = json.dumps({"padding": "a" * (65 * 1024)})


@pytest.mark.parametrize(
    "method, path, kwargs, status",
    [
        ("get", "/api/v1/centers?q=%00", {}, 400),
        ("get", "/api/v1/centers", {"data": TOO_LARGE, "content_type": "application/json"}, 413),
        # Checked before the view, so before the API key too.
        ("post", "/api/v1/visits", {"data": TOO_LARGE, "content_type": "application/json"}, 413),
    ],
)
def test_every_status_the_api_answers_is_documented(client, method, path, kwargs, status):
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code == status and response.get_json()["error"]
    documented = client.get("/api/v1/openapi.json").get_json()["paths"]
    operation = documented[path.split("?")[0].removeprefix("/api/v1")][method]
    assert str(status) in operation["responses"]


@pytest.mark.parametrize("headers", [{}, {"Accept-Language": "ru"}, {"Accept-Language": "az"}])
def test_every_api_message_is_in_english_for_developers(client, headers):
    """The views' own messages and the framework's (404, 405, 400 from the input guard) alike;
    the default language of pages (Azerbaijani) must not leak in."""
    assert client.get("/api/v1/no-such-thing", headers=headers).get_json()["error"] == "We could not find that page."
    assert client.delete("/api/v1/feedback", headers=headers).get_json()["error"] == "That action is not allowed here."
    guarded = client.post("/api/v1/feedback", json={"center": "x", "rating": 1, "comment": "a\x00"}, headers=headers)
    assert guarded.get_json()["error"] == "The text contains characters that cannot be stored."
    invalid = client.post("/api/v1/feedback", json={"center": "x", "rating": 9}, headers=headers)
    assert invalid.status_code == 400 and "rating" in invalid.get_json()["errors"]
    assert all(message.isascii() for message in invalid.get_json()["errors"].values())
