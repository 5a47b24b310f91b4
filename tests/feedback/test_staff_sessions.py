"""A staff sign-in ends after a while without activity and after a working day (shared computers)."""

import time
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from support import login_admin, sql_sent
from feedback.extensions import db
from feedback.models import EndedSignIn
from feedback.staff_sessions import SEEN_AT, SIGNED_IN_AT, Ending, SessionPolicy

POLICY = SessionPolicy(idle_seconds=30 * 60, longest_seconds=10 * 3600)
NOW = 1_800_000_000.0


@pytest.mark.parametrize("signed_in_ago, seen_ago, ending", [
    (3600, 29 * 60, None),
    (3600, 30 * 60, Ending.idle),
    (10 * 3600, 0, Ending.too_long),  # busy all day: still ends
    (10 * 3600 - 1, 60, None),
])
def test_the_policy(signed_in_ago, seen_ago, ending):
    assert POLICY.ending(signed_in_at=NOW - signed_in_ago, seen_at=NOW - seen_ago, now=NOW) == ending


def _session_times(client):
    with client.session_transaction() as session:
        return session.get(SIGNED_IN_AT), session.get(SEEN_AT)


def _set_session_times(client, *, signed_in_ago: float, seen_ago: float):
    with client.session_transaction() as session:
        session[SIGNED_IN_AT] = time.time() - signed_in_ago
        session[SEEN_AT] = time.time() - seen_ago


def test_signing_in_starts_the_clock_and_activity_moves_it(app, client):
    before = time.time()
    login_admin(app, client)
    signed_in_at, seen_at = _session_times(client)
    assert before <= signed_in_at <= time.time() and seen_at >= signed_in_at

    _set_session_times(client, signed_in_ago=3600, seen_ago=20 * 60)
    assert client.get("/admin/").status_code == 200
    signed_in_at, seen_at = _session_times(client)
    assert time.time() - seen_at < 5 and time.time() - signed_in_at > 3500, "activity counts, sign-in time stays"


def test_an_idle_session_ends_and_the_login_page_says_why(app, client):
    login_admin(app, client)
    _set_session_times(client, signed_in_ago=3600, seen_ago=31 * 60)
    response = client.get("/admin/?lang=en")
    assert response.status_code == 302 and "/review/login" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You were signed out after 30 minutes without activity." in page
    assert client.get("/admin/").status_code == 302, "the session is over, not just this request"
    assert _session_times(client) == (None, None)


def test_a_busy_session_still_ends_after_the_longest_sign_in(app, client):
    login_admin(app, client)
    _set_session_times(client, signed_in_ago=10 * 3600 + 5, seen_ago=10)
    response = client.get("/review/?lang=az")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "10 saat" in page


@pytest.mark.config(STAFF_IDLE_MINUTES=5)
def test_the_idle_limit_comes_from_config(app, client):
    login_admin(app, client)
    _set_session_times(client, signed_in_ago=600, seen_ago=6 * 60)
    assert client.get("/admin/").status_code == 302


def test_a_session_from_before_the_limits_gets_them_without_ending(app, client):
    login_admin(app, client)
    with client.session_transaction() as session:
        del session[SIGNED_IN_AT], session[SEEN_AT]
    assert client.get("/admin/").status_code == 200
    signed_in_at, seen_at = _session_times(client)
    assert signed_in_at is not None and time.time() - seen_at < 5


def test_citizens_pages_are_untouched(app, client):
    client.get("/")
    assert _session_times(client) == (None, None)


def test_typing_keeps_a_sign_in_alive_and_an_ended_one_says_so(app, client):
    # static/js/staff.js calls /review/account/alive while someone types in a staff form.
    login_admin(app, client)
    _set_session_times(client, signed_in_ago=3600, seen_ago=29 * 60)
    alive = client.get("/review/account/alive")
    assert alive.status_code == 204 and alive.headers["Cache-Control"] == "no-store"
    assert time.time() - _session_times(client)[1] < 5, "the idle clock starts again"
    _set_session_times(client, signed_in_ago=3600, seen_ago=31 * 60)
    over = client.get("/review/account/alive")
    assert over.status_code == 302 and "/review/login" in over.headers["Location"]
    assert client.get("/review/account/alive").status_code == 302


@pytest.mark.config(STAFF_IDLE_MINUTES=1)
def test_a_short_idle_limit_counts_activity_in_finer_steps(app, client):
    # A minute's limit, counted in steps of a minute, could not be extended by "Stay signed in".
    login_admin(app, client)
    _set_session_times(client, signed_in_ago=600, seen_ago=10)
    assert client.get("/review/account/alive").status_code == 204
    assert time.time() - _session_times(client)[1] < 5


def _copy_of_the_cookie(app, client):
    """Another browser holding a copy of ``client``'s session cookie, as taken from a shared computer."""
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value)
    return thief


def test_signing_out_ends_every_copy_of_the_sessions_cookie(app, client):
    token = login_admin(app, client)
    thief = _copy_of_the_cookie(app, client)
    assert thief.get("/admin/").status_code == 200, "the copy works while the sign-in lasts"
    assert client.post("/review/logout", data={"csrf_token": token}).status_code == 302
    assert thief.get("/admin/").status_code == 302, "the copy is signed out with it"
    assert client.get("/admin/").status_code == 302
    # Signing in again is a new sign-in, not the ended one.
    login_admin(app, client, "admin.2")
    assert client.get("/admin/").status_code == 200


def test_a_sign_in_found_over_ends_its_copies_too(app, client):
    login_admin(app, client)
    thief = _copy_of_the_cookie(app, client)
    _set_session_times(client, signed_in_ago=3600, seen_ago=31 * 60)
    assert client.get("/admin/").status_code == 302
    assert thief.get("/admin/").status_code == 302, "the copy's own times would still hold"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(EndedSignIn)) == 1


def test_ended_sign_ins_are_forgotten_once_they_would_have_ended_anyway(app, client):
    token = login_admin(app, client)
    with app.app_context():
        db.session.add(EndedSignIn(token_hash="0" * 64, until_dt=datetime.now(timezone.utc) - timedelta(seconds=1)))
        db.session.commit()
    client.post("/review/logout", data={"csrf_token": token})
    with app.app_context():
        (row,) = db.session.scalars(sa.select(EndedSignIn)).all()
        assert row.token_hash != "0" * 64
        assert timedelta(hours=9) < row.until_dt - datetime.now(timezone.utc) <= timedelta(hours=10)


def test_a_staff_pages_static_files_are_spared_the_ended_sign_in_lookup(app, client):
    login_admin(app, client)
    with app.app_context(), sql_sent(db.engine) as seen:
        assert client.get("/static/css/staff.css").status_code == 200
        assert client.get("/admin/").status_code == 200
    # The page itself asks whether its sign-in has ended (and loads the user); the stylesheet asks nothing.
    assert [s for s in seen["statements"] if "ended_sign_ins" in s] == [seen["statements"][0]]
