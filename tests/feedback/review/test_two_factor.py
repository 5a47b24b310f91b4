"""Two-factor sign-in through the client: the code step, setting it up, the roles that must have it,
and the administrator's and the command line's reset."""

import re
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa

from support import csrf_token_from, login_admin
from factories import make_center, make_user
from feedback.config import from_environment
from feedback.extensions import db
from feedback.models import AdminAction, AdminEvent, User
from feedback.models._types import utcnow
from feedback.services import two_factor

PASSWORD = "correct horse 42"
ADMINS = frozenset({"admin"})


def password_step(client, username, query=""):
    token = csrf_token_from(client.get(f"/review/login?lang=en{query}").get_data(as_text=True))
    return client.post(f"/review/login?lang=en{query}",
                       data={"csrf_token": token, "username": username, "password": PASSWORD})


def code_step(client, code, path="/review/login/code?lang=en"):
    page = client.get(path)
    assert page.status_code == 200, page.headers.get("Location")
    return client.post(path, data={"csrf_token": csrf_token_from(page.get_data(as_text=True)), "code": code})


def shown_secret(html):
    """The key the set-up page shows for typing in (groups of four)."""
    (grouped,) = re.findall(r'<code class="secret">([A-Z2-7 ]+)</code>', html)
    return grouped.replace(" ", "")


def user(username):
    return db.session.scalar(sa.select(User).where(User.username == username))


@pytest.fixture
def officer(app):
    """An officer with two-factor sign-in, set up ten minutes ago; returns the secret."""
    with app.app_context():
        center = make_center("center-a")
        officer = make_user("officer.a", centers=[center])
        make_user("officer.plain", centers=[center])
        secret = two_factor.new_secret()
        then = utcnow() - timedelta(minutes=10)
        two_factor.enable(officer, secret, pyotp.TOTP(secret).at(then), then, password="correct horse 42")
        db.session.commit()
    return secret


def test_password_then_code(client, officer):
    to_code = password_step(client, "officer.a", "&next=/dashboard/")
    assert to_code.status_code == 302 and "/review/login/code" in to_code.headers["Location"]
    assert client.get("/review/").status_code == 302, "the password alone signs no one in"
    done = code_step(client, pyotp.TOTP(officer).at(utcnow()), to_code.headers["Location"])
    assert done.status_code == 302 and done.headers["Location"] == "/dashboard/"
    assert client.get("/review/").status_code == 200


def test_without_two_factor_the_password_is_enough(client, officer):
    response = password_step(client, "officer.plain")
    assert response.status_code == 302 and response.headers["Location"] == "/review/"
    assert client.get("/review/").status_code == 200


@pytest.mark.config(LOGIN_MAX_FAILURES=3)
def test_wrong_codes_count_toward_the_lock_out(app, client, officer):
    right = pyotp.TOTP(officer).at(utcnow())
    wrong = "000000" if right != "000000" else "111111"
    password_step(client, "officer.a")
    first = code_step(client, wrong)
    assert first.status_code == 401 and "The code is not right." in first.get_data(as_text=True)
    code_step(client, "12 34 5x")
    locked = code_step(client, wrong)
    assert locked.status_code == 401 and "locked" in locked.get_data(as_text=True)
    assert code_step(client, right).status_code == 401, "locked: even the right code is refused"
    assert client.get("/review/").status_code == 302
    with app.app_context():
        assert user("officer.a").failed_logins == 3


def test_an_expired_or_missing_sign_in_goes_back_to_the_password(client, officer):
    fresh = client.get("/review/login/code?lang=en")
    assert fresh.status_code == 302 and fresh.headers["Location"].startswith("/review/login")
    password_step(client, "officer.a")
    with client.session_transaction() as session:
        marker = session["two_factor_pending"]
        session["two_factor_pending"] = {**marker, "at": marker["at"] - two_factor.PENDING_SECONDS - 1}
    token = csrf_token_from(client.get("/review/login").get_data(as_text=True))
    expired = client.post("/review/login/code?lang=en", follow_redirects=True,
                          data={"csrf_token": token, "code": pyotp.TOTP(officer).at(utcnow())})
    assert expired.request.path == "/review/login" and "not finished in time" in expired.get_data(as_text=True)
    assert client.get("/review/").status_code == 302


def test_setting_it_up(app, client):
    with app.app_context():
        make_user("officer.a", centers=[make_center("center-a")])
    other = app.test_client()
    for c in (client, other):
        password_step(c, "officer.a")
    page = client.get("/review/account/two-factor?lang=en")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert 'src="data:image/svg+xml' in html
    secret = shown_secret(html)
    assert two_factor.is_secret(secret)
    # The session cookie, signed but readable by whoever copies it, never carries the secret.
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session")).value
    stored = app.session_interface.get_signing_serializer(app).loads(cookie)
    assert secret not in repr(stored)
    assert shown_secret(client.get("/review/account/two-factor?lang=en").get_data(as_text=True)) == secret, \
        "the same key until it is confirmed"
    token = csrf_token_from(html)
    later = pyotp.TOTP(secret).at(utcnow() + timedelta(minutes=5))
    wrong = client.post("/review/account/two-factor?lang=en",
                        data={"csrf_token": token, "code": later, "current_password": PASSWORD})
    assert wrong.status_code == 400 and "not right" in wrong.get_data(as_text=True)
    # Whoever sits down at a desk left signed in cannot put their own phone on the account.
    for password in ("", "a guess at it"):
        guessed = client.post("/review/account/two-factor?lang=en",
                              data={"csrf_token": token, "code": pyotp.TOTP(secret).at(utcnow()),
                                    "current_password": password})
        assert guessed.status_code in (400, 401) and "password" in guessed.get_data(as_text=True).lower()
    with app.app_context():
        assert user("officer.a").totp_secret is None
    right = client.post("/review/account/two-factor?lang=en",
                        data={"csrf_token": token, "code": pyotp.TOTP(secret).at(utcnow()), "current_password": PASSWORD})
    assert right.status_code == 303
    with app.app_context():
        assert user("officer.a").totp_secret == secret
    assert client.get("/review/").status_code == 200, "this session goes on"
    assert other.get("/review/").status_code == 302, "the other session ended"
    assert "is on for your account" in client.get("/review/account/two-factor?lang=en").get_data(as_text=True)


@pytest.mark.config(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="2 per minute")
def test_guessing_the_password_on_the_set_up_page_is_limited_with_the_password_pages_guesses(app, client):
    with app.app_context():
        make_user("officer.a", centers=[make_center("center-a")])
    password_step(client, "officer.a")
    page = client.get("/review/account/two-factor?lang=en").get_data(as_text=True)
    code = pyotp.TOTP(shown_secret(page)).at(utcnow())
    fields = {"csrf_token": csrf_token_from(page), "code": code}
    guess = client.post("/review/account/two-factor?lang=en", data={**fields, "current_password": "guess 1"})
    assert guess.status_code == 401 and "The current password is not right." in guess.get_data(as_text=True)
    # One more guess, on the password page: the count is one per account, whichever page it is made on.
    password_page = client.get("/review/account/password?lang=en").get_data(as_text=True)
    assert client.post("/review/account/password?lang=en", data={
        "csrf_token": csrf_token_from(password_page), "current_password": "guess 2",
        "new_password": "a new horse 4242", "confirm": "a new horse 4242"}).status_code == 401
    refused = client.post("/review/account/two-factor?lang=en", data={**fields, "current_password": PASSWORD})
    assert refused.status_code == 429
    with app.app_context():
        assert user("officer.a").totp_secret is None


@pytest.mark.config(TWO_FACTOR_ROLES=ADMINS)
def test_a_required_role_sets_it_up_before_anything_else(app, client):
    with app.app_context():
        make_user("officer.a", centers=[make_center("center-a")])
        make_user("admin.1", "admin")
    assert password_step(client, "admin.1").headers["Location"] == "/admin/"
    for path in ("/admin/", "/admin/users", "/dashboard/", "/review/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"] == f"/review/account/two-factor?next={path}", path
    page = client.get("/review/account/two-factor?lang=en").get_data(as_text=True)
    assert "Your role must sign in with a code" in page
    assert client.get("/static/css/staff.css").status_code == 200
    # Typing the code on the set-up page keeps the sign-in alive rather than "signed out" (staff.js).
    assert client.get("/review/account/alive").status_code == 204
    assert client.post("/review/logout", data={"csrf_token": csrf_token_from(page)}).status_code == 302
    password_step(client, "admin.1")
    page = client.get("/review/account/two-factor?lang=en").get_data(as_text=True)
    secret = shown_secret(page)
    done = client.post("/review/account/two-factor?next=%2Fadmin%2Fusers%3Flang%3Dru",
                       data={"csrf_token": csrf_token_from(page), "code": pyotp.TOTP(secret).at(utcnow()),
                             "current_password": PASSWORD})
    assert done.headers["Location"] == "/admin/users?lang=ru", "on to the page first asked for"
    assert client.get("/admin/").status_code == 200
    officer = app.test_client()
    password_step(officer, "officer.a")
    assert officer.get("/review/").status_code == 200, "officers are not asked to with the default roles"


def test_required_roles_come_from_the_environment(tmp_path):
    assert from_environment(str(tmp_path), {})["TWO_FACTOR_ROLES"] == ADMINS
    assert from_environment(str(tmp_path), {"REY_TWO_FACTOR_ROLES": ""})["TWO_FACTOR_ROLES"] == frozenset()
    both = from_environment(str(tmp_path), {"REY_TWO_FACTOR_ROLES": "admin, integrity"})["TWO_FACTOR_ROLES"]
    assert both == {"admin", "integrity"}
    with pytest.raises(ValueError, match="REY_TWO_FACTOR_ROLES: unknown role.*boss"):
        from_environment(str(tmp_path), {"REY_TWO_FACTOR_ROLES": "admin,boss"})


def test_an_admin_resets_it_and_the_log_says_so(app, client, officer):
    token = login_admin(app, client)
    with app.app_context():
        user_id = user("officer.a").id
    page = client.get(f"/admin/users/{user_id}?lang=en").get_data(as_text=True)
    assert "Reset two-factor sign-in" in page
    assert client.post(f"/admin/users/{user_id}/two-factor/reset").status_code == 400, "no CSRF token"
    response = client.post(f"/admin/users/{user_id}/two-factor/reset", data={"csrf_token": token})
    assert response.status_code == 303
    with app.app_context():
        assert user("officer.a").totp_secret is None
        events = db.session.scalars(sa.select(AdminEvent)).all()
        assert [(e.action, e.subject, e.actor_name) for e in events
                if e.action == AdminAction.two_factor_reset] == [(AdminAction.two_factor_reset, "officer.a", "admin.1")]
    assert "Off: this account signs in" in client.get(f"/admin/users/{user_id}?lang=en").get_data(as_text=True)
    assert "Two-factor sign-in reset" in client.get("/admin/log?lang=en").get_data(as_text=True)


def test_the_command_line_resets_it_and_the_log_says_so(app, runner, officer):
    result = runner.invoke(args=["users", "reset-two-factor", "officer.a"])
    assert result.exit_code == 0 and "reset" in result.output
    assert "already off" in runner.invoke(args=["users", "reset-two-factor", "officer.a"]).output
    with app.app_context():
        assert user("officer.a").totp_secret is None
        events = db.session.scalars(sa.select(AdminEvent)).all()
        assert [(e.action, e.subject, e.actor_id, e.actor_name) for e in events] == [
            (AdminAction.two_factor_reset, "officer.a", None, "")]
    assert runner.invoke(args=["users", "reset-two-factor", "nobody"]).exit_code != 0


@pytest.mark.config(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="3 per minute")
def test_the_code_step_shares_the_login_limit(client, officer):
    token = csrf_token_from(client.get("/review/login?lang=en").get_data(as_text=True))
    wrong = client.post("/review/login?lang=en", data={"csrf_token": token, "username": "officer.a", "password": "no"})
    assert wrong.status_code == 401
    assert password_step(client, "officer.a").status_code == 302, "a right password does not count"
    token = csrf_token_from(client.get("/review/login/code").get_data(as_text=True))
    answers = [client.post("/review/login/code", data={"csrf_token": token, "code": "bad"}).status_code
               for _ in range(3)]
    assert answers == [401, 401, 429], "the wrong password used one of the three"
