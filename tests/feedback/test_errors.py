"""While the database cannot be reached, requests get a 503 with Retry-After, not a 500.

API clients and the citizens' offline outbox retry a 503 after the time it names; the page says so in
the reader's language. The app here points at a database that is not there: a closed port for
PostgreSQL, a file in a folder that does not exist for SQLite.
"""

import re
import secrets
import threading
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext

from factories import make_center, make_kiosk
from support import BACKENDS, _postgres_url, csrf_token_from
from feedback import create_app
from feedback.config import from_environment
from feedback.errors import RETRY_AFTER_SECONDS
from feedback.extensions import db
from feedback.models import Submission

UNREACHABLE = {
    "sqlite": "sqlite:////nonexistent-folder/rey.sqlite3",
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:1/test",
}
UNAVAILABLE = "The service is briefly unavailable. Please try again in a minute."


def _app(tmp_path, **config):
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret", "RATELIMIT_ENABLED": False,
                       "MODELS_DIR": str(tmp_path / "no-models"), **config})


def _app_on_postgresql(tmp_path, schema: str, connect_args: dict | None = None, **config):
    """An app on a schema of the test database with one center, for tests that do to the database
    what the app fixture's could not survive; ``_drop`` ends it."""
    options = {**from_environment(str(tmp_path), {"DATABASE_URL": _postgres_url()})["SQLALCHEMY_ENGINE_OPTIONS"],
               "connect_args": {"options": f"-csearch_path={schema}", **(connect_args or {})}}
    app = _app(tmp_path, SQLALCHEMY_DATABASE_URI=_postgres_url(), SQLALCHEMY_ENGINE_OPTIONS=options, **config)
    with app.app_context():
        db.create_all()
        make_center("baku-1")
        db.session.commit()
    return app


def _stored(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Submission))


def _drop(app) -> None:
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(params=list(UNREACHABLE))
def cut_off(request, tmp_path):
    """A client of the app whose database is gone (not created: there is nothing to create it in)."""
    app = _app(tmp_path, SQLALCHEMY_DATABASE_URI=UNREACHABLE[request.param])
    return app, app.test_client()


def test_the_api_answers_503_with_retry_after(cut_off):
    app, client = cut_off
    response = client.post("/api/v1/feedback", json={"center": "baku-1", "rating": 2, "comment": "Növbə uzun idi"},
                           headers={"Idempotency-Key": "retry-me-later-1", "Accept-Language": "en"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.get_json() == {"error": UNAVAILABLE}
    assert client.get("/api/v1/centers").status_code == 503
    # The document says so, so that clients can plan for it.
    operation = client.get("/api/v1/openapi.json").get_json()["paths"]["/feedback"]["post"]
    assert "Retry-After" in operation["responses"]["503"]["headers"]


@pytest.mark.parametrize("lang", ["az", "ru", "en"])
def test_pages_say_so_in_the_readers_language(cut_off, lang):
    app, client = cut_off
    response = client.get(f"/c/baku-1?lang={lang}")
    assert response.status_code == 503 and response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    with app.test_request_context(), force_locale(lang):
        message = gettext(UNAVAILABLE)
    assert message in response.get_data(as_text=True)
    if lang != "en":
        assert message != UNAVAILABLE, "the message is not translated"


@pytest.fixture
def hall_tablet(tmp_path):
    """A kiosk tablet at desk 5 of baku-1 (app, client) and ``outage``, a context in which its
    database cannot be reached: an SQLite file whose folder is moved away, as a restart would."""
    folder = tmp_path / "database"
    folder.mkdir()
    app = _app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder}/rey.sqlite3")
    with app.app_context():
        db.create_all()
        code = make_kiosk(make_center("baku-1"), "5")[1]
    client = app.test_client()
    page = client.get(f"/kiosk/register?code={code}")
    registered = client.post("/kiosk/register", data={"csrf_token": csrf_token_from(page.get_data(as_text=True)),
                                                      "code": code})
    assert registered.status_code == 303

    @contextmanager
    def outage():
        folder.rename(tmp_path / "away")
        with app.app_context():
            db.engine.dispose()
        try:
            yield
        finally:
            (tmp_path / "away").rename(folder)

    return app, client, outage


def _returns_to(page: str) -> tuple[int, str]:
    """Where and after how many seconds a page sends the browser without JavaScript."""
    seconds, url = re.search(r'<meta http-equiv="refresh" content="(\d+);url=([^"]+)">', page).groups()
    return int(seconds), url


@pytest.mark.parametrize("lang", ["az", "ru"])
def test_a_kiosk_tablet_waits_out_the_outage_and_comes_back_to_its_start(hall_tablet, lang):
    """kiosk.js reloads an untouched start page now and then: one reload during a nightly restart
    must not leave the hall's tablet on an error page until someone notices."""
    app, tablet, outage = hall_tablet
    with outage():
        response = tablet.get(f"/kiosk/baku-1/5?lang={lang}")
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    with app.test_request_context(), force_locale(lang):
        assert gettext(UNAVAILABLE) in page
    # Back to the tablet's own start, in the hall's language, no sooner than the server asked.
    seconds, start = _returns_to(page)
    assert start == "/kiosk/baku-1/5?lang=az" and seconds >= RETRY_AFTER_SECONDS
    assert f'data-kiosk-start="{start}"' in page and "js/kiosk.js" in page
    assert 'href="/"' not in page, "a link out of kiosk mode, to the public list of centers"
    assert tablet.get(start).status_code == 200


def test_a_tap_during_the_outage_leaves_the_tablet_on_its_way_back(hall_tablet):
    app, tablet, outage = hall_tablet
    token = csrf_token_from(tablet.get("/kiosk/baku-1/5?lang=en").get_data(as_text=True))
    with outage():
        response = tablet.post("/kiosk/baku-1/5?lang=en", data={"csrf_token": token, "rating": "2",
                                                                "comment": "Növbə uzun idi"})
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and UNAVAILABLE in page
    assert _returns_to(page)[1] == "/kiosk/baku-1/5?lang=az" and 'href="/"' not in page
    assert _stored(app) == 0


def test_the_health_probe_stays_up_and_readiness_says_not_ready(cut_off):
    app, client = cut_off
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 503


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="TEST_DATABASE_URL is not set")
def test_after_a_database_restart_the_next_request_is_served(postgres_schema, tmp_path):
    """PostgreSQL restarting (here: ending this app's connections) must cost no request: the pool
    tests a connection before lending it and opens a new one if it died."""
    name = f"rey-restart-{secrets.token_hex(3)}"
    app = _app_on_postgresql(tmp_path, postgres_schema, {"application_name": name})
    client = app.test_client()
    body = {"center": "baku-1", "rating": 2, "comment": "Növbə uzun idi"}
    assert client.post("/api/v1/feedback", json=body, headers={"Idempotency-Key": "before-restart"}).status_code == 201
    with sa.create_engine(_postgres_url()).connect() as admin:
        ended = admin.scalar(sa.text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                     "WHERE application_name = :name"), {"name": name})
    assert ended >= 1, "the app kept no connection to end"
    response = client.post("/api/v1/feedback", json=body, headers={"Idempotency-Key": "after-restart"})
    assert response.status_code == 201, response.get_json()
    assert _stored(app) == 2
    _drop(app)


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="TEST_DATABASE_URL is not set")
def test_a_request_stuck_behind_a_lock_gets_a_503_and_its_retry_is_stored(postgres_schema, tmp_path):
    """A migration's lock (here: another connection's) must not hold requests without end."""
    app = _app_on_postgresql(tmp_path, postgres_schema, DB_STATEMENT_TIMEOUT_SECONDS=0.3)
    client = app.test_client()
    body, key = {"center": "baku-1", "rating": 2, "comment": "Növbə uzun idi"}, {"Idempotency-Key": "behind-a-lock"}
    holder = sa.create_engine(_postgres_url(), connect_args={"options": f"-csearch_path={postgres_schema}"}).connect()
    holder.execute(sa.text("LOCK TABLE submissions IN ACCESS EXCLUSIVE MODE"))
    # Without the timeout the request would wait for the lock: let it go after 10 s all the same.
    release = threading.Timer(10, holder.rollback)
    release.start()
    try:
        stuck = client.post("/api/v1/feedback", json=body, headers=key)
    finally:
        release.cancel()
        holder.rollback()
        holder.close()
    assert stuck.status_code == 503 and stuck.headers["Retry-After"]
    assert client.post("/api/v1/feedback", json=body, headers=key).status_code == 201
    assert _stored(app) == 1
    _drop(app)


def test_only_the_web_server_limits_statements():
    from feedback.config import for_serving
    from feedback.wsgi import app

    assert for_serving({})["DB_STATEMENT_TIMEOUT_SECONDS"] == 20
    assert for_serving({"REY_DB_STATEMENT_TIMEOUT": "5"})["DB_STATEMENT_TIMEOUT_SECONDS"] == 5
    assert app.config["DB_STATEMENT_TIMEOUT_SECONDS"] == 20
    assert not create_app({"SECRET_KEY": "x"}).config.get("DB_STATEMENT_TIMEOUT_SECONDS"), "the CLI's app"


def test_the_error_line_keeps_no_visit_links_token(cut_off, caplog):
    _app, client = cut_off
    assert client.get("/v/SECRET-visit-token-123").status_code == 503
    logged = [r.getMessage() for r in caplog.records if "database unavailable" in r.getMessage()]
    assert logged and "/v/…" in logged[0]
    assert "SECRET" not in caplog.text
