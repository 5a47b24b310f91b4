"""Names an administrator types are shown to citizens (the survey page, printed posters), to
colleagues and in the administration log: control characters and invisible direction marks, pasted
in with the text, are refused with a message, as the API key form refuses them, not stored."""

import pytest
import sqlalchemy as sa

from support import csrf_token_from, login_admin, once_from
from factories import make_center
from feedback.extensions import db
from feedback.models import AdminEvent, ApiKey, Center, Kiosk, Service, User

#: A vertical tab (from a word processor), an escape, a right-to-left override, a zero-width space.
UNSHOWABLE = ["Bakı\x0b1", "Bakı \x1b[31m1", "Bakı \u202e1 ", "Bakı\u200b1"]
MESSAGE = "The name contains characters that cannot be shown."


@pytest.mark.parametrize("value", UNSHOWABLE)
@pytest.mark.parametrize("field", ["name_az", "name_ru", "region"])
def test_a_center_name_or_region_that_cannot_be_shown_is_refused(app, client, field, value):
    token = login_admin(app, client)
    data = {"csrf_token": token, "code": "qusar", "name_az": "Qusar mərkəzi", "region": "Quba", "is_active": "y"}
    data[field] = value
    response = client.post("/admin/centers/new?lang=en", data=data)
    assert response.status_code == 400 and MESSAGE in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(Center).where(Center.code == "qusar")) is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AdminEvent)) == 0


@pytest.mark.parametrize("value", UNSHOWABLE)
def test_a_service_name_that_cannot_be_shown_is_refused(app, client, value):
    token = login_admin(app, client)
    with app.app_context():
        center_id = make_center("qusar", services=()).id
    response = client.post(f"/admin/centers/{center_id}/services/new?lang=en", data={
        "csrf_token": token, "code": "passport", "name_az": value, "position": "1", "is_active": "y"})
    assert response.status_code == 400 and MESSAGE in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Service)) == 0


@pytest.mark.parametrize("field", ["display_name", "region"])
def test_an_account_name_or_region_that_cannot_be_shown_is_refused(app, client, field):
    token = login_admin(app, client)
    data = {"csrf_token": token, "username": "sup.q", "display_name": "Rəşad Əliyev", "role": "supervisor",
            "region": "Quba", "password": "long enough pw 1"}
    data[field] = "Rəşad \u202eveyilƏ"
    response = client.post("/admin/users/new?lang=en", data=data)
    assert response.status_code == 400 and MESSAGE in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.username == "sup.q")) is None


def test_a_kiosk_label_that_cannot_be_shown_is_refused(app, client):
    login_admin(app, client)
    with app.app_context():
        center_id = make_center("qusar").id
    html = client.get("/admin/kiosks").get_data(as_text=True)
    response = client.post("/admin/kiosks?lang=en", data={
        "csrf_token": csrf_token_from(html), "once": once_from(html), "center": str(center_id), "desk": "5",
        "label": "by the door\x1b"})
    assert response.status_code == 400 and MESSAGE in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Kiosk)) == 0


def test_the_command_line_refuses_names_that_cannot_be_shown(app, runner):
    created = runner.invoke(args=["users", "create", "sup.q", "--role", "supervisor", "--name", "Rəşad\x1b[2J",
                                  "--password", "long enough pw 1"])
    assert created.exit_code == 2 and "display_name: " in created.output and "Traceback" not in created.output
    issued = runner.invoke(args=["api-keys", "create", "--name", "queue\u202e system", "--scope", "visits:create"])
    assert issued.exit_code != 0 and "Error:" in issued.output and "key:" not in issued.output
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.username == "sup.q")) is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiKey)) == 0


def test_names_in_any_script_are_still_taken(app, client):
    """Azerbaijani, Russian, an emoji with its zero-width joiner: all show as typed."""
    token = login_admin(app, client)
    response = client.post("/admin/centers/new?lang=en", data={
        "csrf_token": token, "code": "qusar", "name_az": "Qusar Ə-ğ-ı-İ mərkəzi", "name_ru": "Центр «Кусар»",
        "name_en": "Qusar 👨‍👩‍👧 center", "region": "Quba", "is_active": "y"})
    assert response.status_code == 303
