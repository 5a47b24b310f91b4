"""While the database cannot be reached, requests get a 503 with Retry-After, not a 500.

API clients and the citizens' offline outbox retry a 503 after the time it names; the page says so in
the reader's language. The app here points at a database that is not there: a closed port for
PostgreSQL, a file in a folder that does not exist for SQLite.
"""

import pytest
from flask_babel import force_locale, gettext

from feedback import create_app
from feedback.errors import RETRY_AFTER_SECONDS

UNREACHABLE = {
    "sqlite": "sqlite:////nonexistent-folder/rey.sqlite3",
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:1/test",
}
UNAVAILABLE = "The service is briefly unavailable. Please try again in a minute."


@pytest.fixture(params=list(UNREACHABLE))
def cut_off(request, tmp_path):
    """A client of the app whose database is gone (not created: there is nothing to create it in)."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "RATELIMIT_ENABLED": False,
                      "MODELS_DIR": str(tmp_path / "no-models"),
                      "SQLALCHEMY_DATABASE_URI": UNREACHABLE[request.param]})
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


def test_the_health_probe_stays_up_and_readiness_says_not_ready(cut_off):
    app, client = cut_off
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 503
