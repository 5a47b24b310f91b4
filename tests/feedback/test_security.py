"""Security headers on every kind of response, HSTS and Secure cookies only over HTTPS."""

import pytest

from factories import make_center
from feedback.addresses import in_networks, networks
from feedback.config import from_environment
from support import login_admin

PATHS = ["/", "/c/baku-1", "/api/v1/centers", "/api/v1/openapi.json", "/healthz", "/no-such-page",
         "/static/css/rey.css"]


@pytest.fixture
def center(app):
    with app.app_context():
        return make_center("baku-1").code


@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_the_security_headers(client, center, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["frame-ancestors"] == "'none'"
    assert directives["script-src"] == "'self'" and "unsafe-inline" not in csp
    assert directives["default-src"] == "'self'" and directives["object-src"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers


def test_error_responses_carry_the_headers_too(client):
    response = client.post("/api/v1/feedback", data="{", content_type="application/json")
    assert response.status_code == 400
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_hsts_and_secure_cookies_over_https(client, center):
    response = client.get("/c/baku-1?lang=ru", base_url="https://rey.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies, "the page sets the language and session cookies"
    assert all("; Secure" in cookie for cookie in cookies)


def test_cookies_over_plain_http_are_not_marked_secure(client, center):
    cookies = client.get("/c/baku-1?lang=ru").headers.getlist("Set-Cookie")
    assert cookies and not any("Secure" in cookie for cookie in cookies)


def test_forwarded_proto_is_ignored_without_a_configured_proxy(client, center):
    response = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.config(PROXY_COUNT=1)
def test_forwarded_proto_from_a_configured_proxy_turns_on_hsts(client, center):
    response = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.config(PROXY_COUNT=1)
def test_forwarded_headers_from_a_client_that_is_not_the_proxy_are_ignored(client, center):
    stranger = {"REMOTE_ADDR": "203.0.113.9"}
    forged = {"X-Forwarded-For": "127.0.0.1", "X-Forwarded-Proto": "https"}
    response = client.get("/metrics", headers=forged, environ_base=stranger)
    assert response.status_code == 404, "a forged address must not open the monitoring page"
    assert "Strict-Transport-Security" not in client.get("/healthz", headers=forged, environ_base=stranger).headers


@pytest.mark.config(PROXY_COUNT=1, PROXY_NETWORKS=networks("10.0.0.10", name="test"))
def test_forwarded_headers_from_the_configured_proxy_name_the_client(client, center):
    proxy = {"REMOTE_ADDR": "10.0.0.10"}
    assert client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"}, environ_base=proxy).status_code == 200
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}, environ_base=proxy).status_code == 404
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"},
                      headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 200, "no proxy, its own address"


@pytest.mark.parametrize("value, trusted, untrusted", [
    ("127.0.0.1", "127.0.0.1", "10.0.0.10"),
    ("10.0.0.0/8, 192.168.1.1", "10.2.3.4", "192.168.1.2"),
    ("*", "203.0.113.9", None),
])
def test_the_proxies_addresses_are_read_as_gunicorn_reads_them(tmp_path, value, trusted, untrusted):
    found = from_environment(str(tmp_path), {"REY_FORWARDED_ALLOW_IPS": value})["PROXY_NETWORKS"]
    assert in_networks(trusted, found)
    assert untrusted is None or not in_networks(untrusted, found)


def test_a_typo_in_the_proxies_addresses_stops_the_app(tmp_path):
    with pytest.raises(ValueError, match="REY_FORWARDED_ALLOW_IPS"):
        from_environment(str(tmp_path), {"REY_FORWARDED_ALLOW_IPS": "10.0.0.300"})


def test_templates_have_no_inline_script_or_style():
    # The CSP forbids them, so they would silently break in browsers.
    import re
    from pathlib import Path

    import feedback

    templates = Path(feedback.__file__).parent / "templates"
    offenders = []
    for path in templates.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) or re.search(r"\sstyle=|<style\b|\son[a-z]+=", html):
            offenders.append(str(path.relative_to(templates)))
    assert offenders == []


def test_every_post_form_carries_a_csrf_token():
    import re
    from pathlib import Path

    import feedback

    templates = Path(feedback.__file__).parent / "templates"
    missing = []
    for path in templates.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        for form in re.findall(r"<form\b[^>]*>.*?</form>", html, flags=re.S | re.I):
            if re.search(r"method=[\"']post[\"']", form, flags=re.I) and "csrf_token" not in form:
                missing.append(str(path.relative_to(templates)))
    assert missing == []


def test_a_survey_post_without_csrf_token_is_refused(client, center):
    response = client.post("/c/baku-1", data={"rating": "5"})
    assert response.status_code == 400


def test_staff_pages_are_kept_out_of_the_browser_cache_and_public_ones_are_not(app, client, center):
    """On a shared office computer, Back after signing out must not show a case or its contact."""
    login_admin(app, client)
    for path in ["/review/", "/dashboard/", "/admin/", "/admin/log", "/review/login"]:
        assert client.get(path).headers.get("Cache-Control") == "no-store", path
    # The static files those pages load stay cacheable, and so do the citizens' pages.
    for path in ["/static/css/rey.css", "/c/baku-1"]:
        assert "no-store" not in client.get(path).headers.get("Cache-Control", ""), path
