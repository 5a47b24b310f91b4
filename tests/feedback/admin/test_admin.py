"""Admin pages: only admins, centers/services/users saved, bad input answered with a message."""

import sqlalchemy as sa

from support import csrf_token_from, login_admin
from factories import make_center, make_user
from feedback.auth import verify_password
from feedback.extensions import db
from feedback.models import Center, Service, User


def test_admin_creates_center_service_and_officer(app, client):
    token = login_admin(app, client)
    created = client.post("/admin/centers/new", data={"csrf_token": token, "code": "qusar", "name_az": "Qusar mərkəzi",
                                                      "region": "Quba", "is_active": "y"})
    assert created.status_code == 303
    with app.app_context():
        center_id = db.session.scalar(sa.select(Center.id).where(Center.code == "qusar"))
    assert client.post(f"/admin/centers/{center_id}/services/new", data={
        "csrf_token": token, "code": "passport", "name_az": "Pasport", "position": "1", "is_active": "y"}).status_code == 303
    assert client.post("/admin/users/new", data={
        "csrf_token": token, "username": "officer.q", "role": "officer", "centers": ["qusar"],
        "password": "long enough pw 1"}).status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(Service).where(Service.code == "passport")).center.code == "qusar"
        assert [c.code for c in db.session.scalar(sa.select(User).where(User.username == "officer.q")).centers] == ["qusar"]


def test_bad_admin_input_gets_messages_not_500(app, client):
    token = login_admin(app, client)
    with app.app_context():
        make_center("taken")
    duplicate = client.post("/admin/centers/new?lang=en", data={"csrf_token": token, "code": "taken", "name_az": "X"})
    assert duplicate.status_code == 400 and "Another center has this code" in duplicate.get_data(as_text=True)
    no_center = client.post("/admin/users/new?lang=en", data={
        "csrf_token": token, "username": "lonely", "role": "officer", "password": "long enough pw 1"})
    assert no_center.status_code == 400 and "at least one center" in no_center.get_data(as_text=True)
    weak = client.post("/admin/users/new?lang=en", data={
        "csrf_token": token, "username": "weakpw", "role": "supervisor", "password": "short"})
    assert weak.status_code == 400 and "at least 10 characters" in weak.get_data(as_text=True)
    assert client.get("/admin/centers/9999").status_code == 404
    assert client.get("/admin/users/9999").status_code == 404
    assert client.post("/admin/users/9999/active", data={"csrf_token": token, "active": "0"}).status_code == 404


def test_disabling_a_user_ends_their_session(app, client):
    token = login_admin(app, client)
    with app.app_context():
        center = make_center("c-1")
        officer_id = make_user("officer.d", centers=[center]).id
    officer = app.test_client()
    login_token = csrf_token_from(officer.get("/review/login").get_data(as_text=True))
    officer.post("/review/login", data={"csrf_token": login_token, "username": "officer.d", "password": "correct horse 42"})
    assert officer.get("/review/").status_code == 200
    client.post(f"/admin/users/{officer_id}/active", data={"csrf_token": token, "active": "0"})
    assert officer.get("/review/").status_code == 302


def test_an_admin_cannot_take_away_their_own_admin_role(app, client):
    """Like disabling one's own account: it could leave no one to administer the service."""
    token = login_admin(app, client)
    with app.app_context():
        make_center("c-1")
        own_id = db.session.scalar(sa.select(User.id).where(User.username == "admin.1"))
    response = client.post(f"/admin/users/{own_id}?lang=en", data={
        "csrf_token": token, "username": "admin.1", "role": "officer", "centers": ["c-1"]})
    assert response.status_code == 400 and "your own administrator role" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(User.role).where(User.id == own_id)).value == "admin"


def test_an_admin_changes_their_own_password_only_where_the_current_one_is_asked(app, client):
    """An administrator's desk left signed in must not let a passer-by take the account over."""
    token = login_admin(app, client)
    with app.app_context():
        own_id = db.session.scalar(sa.select(User.id).where(User.username == "admin.1"))
    response = client.post(f"/admin/users/{own_id}?lang=en", data={
        "csrf_token": token, "username": "admin.1", "role": "admin", "password": "a brand new secret 9"})
    assert response.status_code == 400 and "password page" in response.get_data(as_text=True)
    with app.app_context():
        admin = db.session.get(User, own_id)
        assert verify_password(admin.password_hash, "correct horse 42")
        assert not verify_password(admin.password_hash, "a brand new secret 9")


def test_users_cli_refuses_a_name_or_region_longer_than_stored_with_a_message(app, runner):
    """The admin form caps them; the CLI reached the database, which on PostgreSQL failed the INSERT."""
    for option, field, limit in (("--region", "region", 80), ("--name", "display_name", 120)):
        result = runner.invoke(args=["users", "create", "sup.long", "--role", "supervisor", option, "x" * (limit + 1)],
                               input="long enough pw 1\nlong enough pw 1\n")
        # The CLI speaks the default language (Azerbaijani): the field and the limit name the problem.
        assert result.exit_code == 2 and f"Error: {field}: " in result.output and str(limit) in result.output, \
            result.output
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.username == "sup.long")) is None


def test_the_users_list_shows_two_factor_and_the_last_sign_in(app, client):
    """Who has no second factor, and which accounts nobody has used lately (to disable them)."""
    import pyotp

    from feedback.models._types import utcnow
    from feedback.services import two_factor

    login_admin(app, client)  # signs admin.1 in, so it has a last sign-in
    with app.app_context():
        center = make_center("c-1")
        guarded = make_user("officer.t", centers=[center])
        secret = two_factor.new_secret()
        two_factor.enable(guarded, secret, pyotp.TOTP(secret).at(utcnow()), utcnow(), password="correct horse 42")
        make_user("officer.dormant", centers=[center])
        db.session.commit()
    page = client.get("/admin/users?lang=en").get_data(as_text=True)
    rows = {row.split("</a>")[0].rsplit(">", 1)[-1]: row for row in page.split("<tr>")[2:]}
    assert "two-factor on" in rows["officer.t"] and "two-factor on" not in rows["officer.dormant"]
    assert "never" in rows["officer.dormant"] and "never" not in rows["admin.1"]
