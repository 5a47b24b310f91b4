"""Someone failing to sign in as an officer locks the account, but not for a browser the officer
has signed in on before: that browser keeps its own count of failures."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from support import csrf_token_from
from factories import make_center, make_user
from feedback.config import from_environment
from feedback.extensions import db
from feedback.models import KnownDevice, User
from feedback.models._types import utcnow
from feedback.services import known_devices
from feedback.services.login import LoginPolicy, LoginRefused, authenticate

PASSWORD = "correct horse 42"
pytestmark = pytest.mark.config(LOGIN_MAX_FAILURES=3)


def login(client, username="officer.a", password=PASSWORD):
    token = csrf_token_from(client.get("/review/login?lang=en").get_data(as_text=True))
    return client.post("/review/login?lang=en", data={"csrf_token": token, "username": username, "password": password})


def logout(client):
    token = csrf_token_from(client.get("/review/").get_data(as_text=True))
    assert client.post("/review/logout", data={"csrf_token": token}).status_code == 302


@pytest.fixture
def officers(app):
    with app.app_context():
        center = make_center("center-a")
        make_user("officer.a", centers=[center])
        make_user("officer.b", centers=[center])


@pytest.fixture
def desk(app, officers):
    """The officer's own browser, signed in once and signed out again."""
    client = app.test_client()
    assert login(client).status_code == 302
    logout(client)
    return client


def lock_out(app, username="officer.a"):
    """A stranger fails until the account is locked."""
    stranger = app.test_client()
    for _ in range(3):
        assert login(stranger, username, "wrong-password").status_code == 401
    locked = login(stranger, username)
    assert locked.status_code == 401 and "locked" in locked.get_data(as_text=True)
    return stranger


def test_a_strangers_failures_do_not_lock_the_officer_out_of_their_own_browser(app, desk):
    stranger = lock_out(app)
    assert login(desk).status_code == 302
    # The lock still holds for the stranger, right password or not.
    assert login(stranger).status_code == 401
    assert login(app.test_client()).status_code == 401


def test_the_cookie_is_for_the_staff_pages_only_and_out_of_scripts_reach(app, officers):
    signed_in = login(app.test_client())
    cookie = next(c for c in signed_in.headers.getlist("Set-Cookie") if c.startswith(known_devices.COOKIE))
    assert "HttpOnly" in cookie and "Path=/review" in cookie and "SameSite=Lax" in cookie
    with app.app_context():
        token = cookie.split(";")[0].split("=", 1)[1]
        # Only a digest of the token is stored.
        assert db.session.scalar(sa.select(KnownDevice.token_hash)) != token


def test_a_known_browser_gets_as_many_tries_as_the_lock_allows_then_no_more(app, desk):
    lock_out(app)
    for _ in range(3):
        wrong = login(desk, password="wrong-password")
        assert wrong.status_code == 401 and "not right" in wrong.get_data(as_text=True)
    # Its tries are spent: now the account's lock holds for it too.
    assert "locked" in login(desk).get_data(as_text=True)


def test_a_known_browsers_failures_neither_lock_nor_lengthen_the_accounts_lock(app, desk):
    for _ in range(2):
        login(desk, password="wrong-password")
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "officer.a"))
        assert user.failed_logins == 0 and user.locked_until_dt is None


def test_the_browser_is_known_for_its_own_account_only(app, desk):
    lock_out(app, "officer.b")
    assert login(desk, "officer.b").status_code == 401


def test_signing_out_everywhere_else_forgets_the_other_browsers_not_this_one(app, desk):
    home = app.test_client()
    assert login(home).status_code == 302
    page = home.get("/review/account/password?lang=en").get_data(as_text=True)
    assert home.post("/review/account/sessions?lang=en", data={"csrf_token": csrf_token_from(page)}).status_code == 303
    logout(home)
    lock_out(app)
    assert login(desk).status_code == 401
    assert login(home).status_code == 302


def test_a_new_password_forgets_the_other_browsers_not_this_one(app, desk):
    home = app.test_client()
    assert login(home).status_code == 302
    page = home.get("/review/account/password?lang=en").get_data(as_text=True)
    changed = home.post("/review/account/password?lang=en", data={
        "csrf_token": csrf_token_from(page), "current_password": PASSWORD,
        "new_password": "a new horse 4242", "confirm": "a new horse 4242"})
    assert changed.status_code == 302, changed.get_data(as_text=True)[:300]
    logout(home)
    lock_out(app)
    assert login(desk, password="a new horse 4242").status_code == 401
    assert login(home, password="a new horse 4242").status_code == 302


@pytest.mark.config(LOGIN_MAX_FAILURES=3, KNOWN_DEVICE_DAYS=0)
def test_no_browser_is_spared_when_turned_off(app, officers):
    client = app.test_client()
    signed_in = login(client)
    assert not any(c.startswith(known_devices.COOKIE) for c in signed_in.headers.getlist("Set-Cookie"))
    logout(client)
    lock_out(app)
    assert login(client).status_code == 401


def test_a_browser_not_signed_in_on_for_longer_than_the_setting_is_forgotten(app_ctx):
    user = make_user("officer.c")
    policy = LoginPolicy(max_failures=3, known_device_days=90)
    then = utcnow()
    token = known_devices.remember(user, None, now=then, days=90)
    user.locked_until_dt = then + timedelta(days=365)
    db.session.commit()
    assert authenticate("officer.c", PASSWORD, now=then + timedelta(days=89), policy=policy, device_token=token)
    with pytest.raises(LoginRefused) as refused:
        authenticate("officer.c", PASSWORD, now=then + timedelta(days=89 + 91), policy=policy, device_token=token)
    assert refused.value.locked_until is not None


@pytest.mark.parametrize("value", ["ninety", "-1", "3651"])
def test_a_wrong_setting_stops_the_app_at_start(tmp_path, value):
    with pytest.raises(ValueError, match="REY_KNOWN_DEVICE_DAYS"):
        from_environment(str(tmp_path), {"SECRET_KEY": "x", "REY_KNOWN_DEVICE_DAYS": value})
