"""Log lines carry no visit-link tokens and no query strings (kiosk registration codes come in one)."""

import http.client

import pytest

from live_server import served, served_database
from feedback.log_paths import loggable_path


@pytest.mark.parametrize("path, logged", [
    ("/v/q7Hk2-LmZ0pX9sT", "/v/…"),
    ("/v/q7Hk2-LmZ0pX9sT/extra", "/v/…/extra"),
    ("/kiosk/register", "/kiosk/register"),
    ("/c/baku-1", "/c/baku-1"),
    ("/review/v/1", "/review/v/1"),  # only a visit link's own path
    ("", ""),
    (None, ""),
])
def test_a_visit_links_token_is_left_out(path, logged):
    assert loggable_path(path) == logged


@pytest.mark.slow
def test_the_production_servers_access_log_keeps_no_token_or_code(tmp_path):
    with served_database("sqlite", tmp_path) as (_app, env_url, _):
        with served(env_url, tmp_path) as server:
            for path in ("/v/SECRET-visit-token-123", "/kiosk/register?code=SECRET-CODE", "/c/baku-1?lang=ru"):
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
                conn.request("GET", path)
                assert conn.getresponse().status < 500, path
                conn.close()
    logged = (tmp_path / "access.log").read_text()
    assert "SECRET" not in logged
    # The requests are still there to be counted and told apart.
    assert '"GET /v/… HTTP/1.1" ' in logged
    assert '"GET /kiosk/register HTTP/1.1" ' in logged
    assert '"GET /c/baku-1 HTTP/1.1" 200' in logged
