"""POST /api/v1/visits: API-key auth (401/403), validation, and the link it returns."""

import re

import pytest
import sqlalchemy as sa

from factories import make_api_key, make_center
from feedback.extensions import db
from feedback.models import Visit
from feedback.services.api_keys import revoke_api_key


@pytest.fixture
def key(app):
    with app.app_context():
        make_center("baku-1")
        make_center("ganja-1")
        return make_api_key(("visits:create",))


def _post(client, body, key=None, header="Authorization"):
    headers = {}
    if key:
        headers[header] = f"Bearer {key}" if header == "Authorization" else key
    return client.post("/api/v1/visits", json=body, headers=headers)


@pytest.mark.config(PUBLIC_BASE_URL="https://rey.example.az")
def test_issues_an_absolute_one_visit_link(app, client, key):
    response = _post(client, {"center": "baku-1", "desk": "12", "service": "passport", "ticket": "A-104"}, key)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["url"] == f"https://rey.example.az/v/{body['token']}"
    assert body["expires_at"].endswith("Z")
    with app.app_context():
        visit = db.session.scalar(sa.select(Visit))
        assert visit.desk == "12" and visit.ticket == "A-104" and visit.service.code == "passport"
        assert body["token"] not in visit.token_hash


def test_x_api_key_header_works_too(client, key):
    assert _post(client, {"center": "baku-1"}, key, header="X-API-Key").status_code == 201


def test_without_a_key_is_401_json_with_challenge(client, key):
    response = _post(client, {"center": "baku-1"})
    assert response.status_code == 401
    assert response.get_json()["error"] and "Bearer" in response.headers["WWW-Authenticate"]


def test_revoked_key_is_401(app, client, key):
    with app.app_context():
        revoke_api_key(key.split("_")[1])
        db.session.commit()
    assert _post(client, {"center": "baku-1"}, key).status_code == 401


def test_key_without_the_scope_is_403(app, client, key):
    with app.app_context():
        exporter = make_api_key(("exports:read",))
    response = _post(client, {"center": "baku-1"}, exporter)
    assert response.status_code == 403 and "visits:create" in response.get_json()["error"]


def test_key_limited_to_another_center_is_403(app, client, key):
    with app.app_context():
        from feedback.models import Center

        ganja = db.session.scalar(sa.select(Center).where(Center.code == "ganja-1"))
        ganja_key = make_api_key(("visits:create",), center=ganja)
    assert _post(client, {"center": "baku-1"}, ganja_key).status_code == 403
    assert _post(client, {"center": "ganja-1"}, ganja_key).status_code == 201


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "center"),
        ({"center": "nowhere"}, "center"),
        ({"center": "baku-1", "service": "tax"}, "service"),
        ({"center": "baku-1", "language": "fr"}, "language"),
        ({"center": "baku-1", "desk": "x" * 21}, "desk"),
        ({"center": "baku-1", "desk": 12}, "desk"),
        ({"center": "baku-1", "desk": "\u202e12"}, "desk"),
        ({"center": "baku-1", "ticket": "A-\u200b104"}, "ticket"),
        ({"center": "baku-1", "colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_400_and_stores_nothing(app, client, key, body, field):
    response = _post(client, body, key)
    assert response.status_code == 400 and field in response.get_json()["errors"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Visit)) == 0


@pytest.mark.parametrize("field, blank", [("center", " "), ("service", ""), ("desk", ""), ("ticket", " \t")])
def test_blank_values_are_refused_as_the_document_says(client, key, field, blank):
    response = _post(client, {"center": "baku-1", field: blank}, key)
    assert response.status_code == 400 and field in response.get_json()["errors"]
    document = client.get("/api/v1/openapi.json").get_json()
    schema = document["components"]["schemas"]["VisitInput"]["properties"][field]
    assert len(blank) < schema.get("minLength", 0) or not re.search(schema.get("pattern", ""), blank)


def test_non_json_body_is_400(client, key):
    response = client.post("/api/v1/visits", data="center=baku-1", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 400 and "body" in response.get_json()["errors"]


def test_openapi_documents_visits_with_its_security(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/visits"]["post"]
    assert operation["security"] == [{"apiKey": []}]
    assert set(operation["responses"]) >= {"201", "400", "401", "403"}
    assert document["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"


def test_a_successful_call_records_when_the_key_was_last_used(app, client, key):
    from feedback.models import ApiKey

    assert _post(client, {"center": "baku-1"}, key).status_code == 201
    with app.app_context():
        assert db.session.scalar(sa.select(ApiKey.last_used_dt)) is not None
