"""The admin page for API keys: only admins; list without secrets; issue (the secret shown once, not
cached, and it works); revoke; every change in the administration log with who made it."""

import re

import pytest
import sqlalchemy as sa

from support import csrf_token_from, login_admin, once_from
from factories import make_api_key, make_center, make_user
from feedback.extensions import db
from feedback.models import AdminAction, AdminEvent, ApiKey
from feedback.services.api_keys import verify_api_key

_SECRET = re.compile(r'id="api-key-secret"[^>]*value="(rey_[^"]+)"')


@pytest.fixture
def center_id(app):
    with app.app_context():
        return make_center("baku-1").id


@pytest.fixture
def admin(app, client, center_id):
    login_admin(app, client)
    return client


def _form_fields(html: str) -> dict:
    return {"csrf_token": csrf_token_from(html), "once": once_from(html)}


def _issue(client, lang="en", **fields):
    html = client.get(f"/admin/api-keys?lang={lang}").get_data(as_text=True)
    return client.post(f"/admin/api-keys?lang={lang}", data={**_form_fields(html), **fields})


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _log(app):
    with app.app_context():
        return db.session.execute(sa.select(AdminEvent.action, AdminEvent.actor_name, AdminEvent.subject)
                                  .order_by(AdminEvent.id)).all()


def test_the_page_is_for_admins_only(app, client):
    assert client.get("/admin/api-keys").status_code in (302, 401)
    with app.app_context():
        make_user("officer.1", "officer")
        key_id = db.session.scalar(sa.select(ApiKey.id).where(ApiKey.prefix == make_api_key().split("_")[1]))
    token = csrf_token_from(client.get("/review/login").get_data(as_text=True))
    client.post("/review/login", data={"csrf_token": token, "username": "officer.1", "password": "correct horse 42"})
    assert client.get("/admin/api-keys").status_code == 403
    token = csrf_token_from(client.get("/review/account/password").get_data(as_text=True))
    assert client.post("/admin/api-keys", data={"csrf_token": token, "name": "x", "scopes": "exports:read"}) \
        .status_code == 403
    assert client.post(f"/admin/api-keys/{key_id}/revoke", data={"csrf_token": token}).status_code == 403
    assert _count(app, ApiKey) == 1 and _log(app)[-1][0] == AdminAction.api_key_issued


def test_the_list_shows_the_keys_and_no_secret(app, admin, center_id):
    with app.app_context():
        from feedback.models import Center

        everywhere = make_api_key(("visits:create", "exports:read"), name="queue system Baku")
        one_center = make_api_key(("exports:read",), name="reports Gəncə", center=db.session.get(Center, center_id))
        hashes = list(db.session.scalars(sa.select(ApiKey.secret_hash)))
    page = admin.get("/admin/api-keys?lang=en").get_data(as_text=True)
    assert "queue system Baku" in page and "reports Gəncə" in page
    for key in (everywhere, one_center):
        _rey, prefix, secret = key.split("_", 2)  # the secret itself may hold "_"
        assert prefix in page and secret not in page
    assert not any(h in page for h in hashes)
    assert "all centers" in page and "baku-1" in page and "never" in page and "Active" in page
    assert "<code>exports:read</code>, <code>visits:create</code>" in page


def test_a_key_issued_on_the_page_works_and_is_logged_with_the_admin(app, admin, center_id):
    response = _issue(admin, name="queue system Baku 1", scopes=["visits:create"], center=str(center_id))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "cannot be shown again" in html
    secret = _SECRET.search(html).group(1)
    with app.app_context():
        stored = db.session.scalar(sa.select(ApiKey))
        assert stored.name == "queue system Baku 1" and stored.scopes == ["visits:create"]
        assert stored.center.code == "baku-1"
        assert secret.split("_", 2)[2] not in stored.secret_hash
        assert verify_api_key(secret, "visits:create").id == stored.id
    # A real client with the shown key is let in.
    answer = app.test_client().post("/api/v1/visits", json={"center": "baku-1"},
                                    headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 201, answer.get_json()
    assert _log(app) == [(AdminAction.api_key_issued, "admin.1", f"queue system Baku 1 ({stored.prefix})")]
    # The list never shows the secret again.
    assert secret.split("_", 2)[2] not in admin.get("/admin/api-keys").get_data(as_text=True)


def test_reloading_the_page_that_shows_a_secret_issues_no_second_key(app, admin):
    html = admin.get("/admin/api-keys?lang=en").get_data(as_text=True)
    fields = {**_form_fields(html), "name": "reports", "scopes": ["exports:read"], "center": ""}
    assert admin.post("/admin/api-keys?lang=en", data=fields).status_code == 200
    again = admin.post("/admin/api-keys?lang=en", data=fields)  # the browser's "send the form again"
    assert again.status_code == 303 and again.headers["Location"].endswith("/admin/api-keys")
    listed = admin.get("/admin/api-keys?lang=en").get_data(as_text=True)
    assert "That form had already issued a key" in listed and not _SECRET.search(listed)
    assert _count(app, ApiKey) == 1 and len(_log(app)) == 1
    # The form shown after that issues the next key.
    assert _issue(admin, name="reports 2", scopes=["exports:read"], center="").status_code == 200
    assert _count(app, ApiKey) == 2


def test_a_form_open_in_two_tabs_issues_a_key_from_each(app, admin):
    # The second tab's page is shown after the first one's: both forms are still good to send.
    first = _form_fields(admin.get("/admin/api-keys?lang=en").get_data(as_text=True))
    second = _form_fields(admin.get("/admin/api-keys?lang=en").get_data(as_text=True))
    for fields, name in ((first, "reports"), (second, "queue system")):
        issued = admin.post("/admin/api-keys?lang=en", data={**fields, "name": name, "scopes": ["exports:read"], "center": ""})
        assert issued.status_code == 200 and _SECRET.search(issued.get_data(as_text=True)), name
    assert _count(app, ApiKey) == 2


def test_a_form_this_session_never_showed_issues_nothing_and_says_so(app, admin):
    fields = _form_fields(admin.get("/admin/api-keys?lang=en").get_data(as_text=True))
    sent = admin.post("/admin/api-keys?lang=en", data={**fields, "once": "not-one-we-gave",
                                                       "name": "reports", "scopes": ["exports:read"], "center": ""})
    assert sent.status_code == 303
    listed = admin.get("/admin/api-keys?lang=en").get_data(as_text=True)
    # Not told that a key was issued: none was.
    assert "too old to be sent, so no key was issued" in listed
    assert "had already issued a key" not in listed
    assert _count(app, ApiKey) == 0


def test_a_key_for_all_centers_with_several_scopes(app, admin):
    response = _issue(admin, name="reports", scopes=["exports:read", "visits:create"], center="")
    assert response.status_code == 200
    with app.app_context():
        stored = db.session.scalar(sa.select(ApiKey))
        assert stored.center_id is None and stored.scopes == ["exports:read", "visits:create"]


@pytest.mark.parametrize("fields, field, message", [
    ({"name": "reports"}, "scopes", "Choose at least one scope."),
    ({"name": "reports", "scopes": ["exports:write"]}, "scopes", "Choose scopes from the list."),
    ({"name": "   ", "scopes": ["exports:read"]}, "name", "Please give the key a name that says who uses it."),
    ({"scopes": ["exports:read"]}, "name", "Please give the key a name that says who uses it."),
    ({"name": "x" * 121, "scopes": ["exports:read"]}, "name", None),
    ({"name": "rep\u202eorts", "scopes": ["exports:read"]}, "name", "The name contains characters that cannot be shown."),
    ({"name": "reports", "scopes": ["exports:read"], "center": "999999"}, "center", None),
])
def test_bad_input_is_a_translated_message_and_stores_nothing(app, admin, fields, field, message):
    from flask_babel import force_locale, gettext

    for lang in ("en", "az"):
        response = _issue(admin, lang=lang, **{"center": "", **fields})
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert f'id="{field}-error"' in html
        if message:
            with app.test_request_context(), force_locale(lang):
                expected = gettext(message)
            assert expected in html
            if lang == "az":
                assert expected != message, "the message must be translated"
    assert _count(app, ApiKey) == 0 and _log(app) == []


def test_revoking_on_the_page_stops_the_key_and_is_logged(app, admin):
    with app.app_context():
        secret = make_api_key(("visits:create",), name="old queue")
        key_id = db.session.scalar(sa.select(ApiKey.id))
    listing = admin.get("/admin/api-keys?lang=en").get_data(as_text=True)
    assert f"/admin/api-keys/{key_id}/revoke" in listing
    response = admin.post(f"/admin/api-keys/{key_id}/revoke?lang=en", data={"csrf_token": csrf_token_from(listing)})
    assert response.status_code == 303
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "old queue revoked" in page and "Revoked on" in page
    assert f"/admin/api-keys/{key_id}/revoke" not in page
    answer = app.test_client().post("/api/v1/visits", json={"center": "baku-1"},
                                    headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 401
    assert [(action, who) for action, who, _ in _log(app)] == [
        (AdminAction.api_key_issued, ""), (AdminAction.api_key_revoked, "admin.1")]


def test_revoking_twice_or_an_unknown_key_is_not_an_error_page(app, admin):
    with app.app_context():
        make_api_key(name="old queue")
        key_id = db.session.scalar(sa.select(ApiKey.id))
    token = csrf_token_from(admin.get("/admin/api-keys").get_data(as_text=True))
    assert admin.post(f"/admin/api-keys/{key_id}/revoke", data={"csrf_token": token}).status_code == 303
    again = admin.post(f"/admin/api-keys/{key_id}/revoke?lang=en", data={"csrf_token": token}, follow_redirects=True)
    assert again.status_code == 200 and "already revoked" in again.get_data(as_text=True)
    assert [action for action, _, _ in _log(app)].count(AdminAction.api_key_revoked) == 1
    assert admin.post(f"/admin/api-keys/{key_id + 1000}/revoke", data={"csrf_token": token}).status_code == 404
    assert admin.post(f"/admin/api-keys/{key_id}/revoke", data={}).status_code == 400, "CSRF is checked"


def test_the_page_speaks_azerbaijani_and_russian(admin):
    assert "API açarları" in admin.get("/admin/api-keys?lang=az").get_data(as_text=True)
    assert "API-ключи" in admin.get("/admin/api-keys?lang=ru").get_data(as_text=True)
