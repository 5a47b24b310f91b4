"""A kiosk tablet in Chromium: register it, rate with one tap, and see it forget everything —
after the thank-you and after a spell of idleness (timings shortened through the config)."""

import pytest
import sqlalchemy as sa

from browser.helpers import register_kiosk
from feedback.extensions import db
from feedback.models import Channel, Submission

pytestmark = pytest.mark.browser
START = "/kiosk/baku-1/3"


@pytest.fixture
def server(make_live_server):
    return make_live_server(KIOSK_IDLE_SECONDS=1, KIOSK_THANKS_SECONDS=1.5)


@pytest.fixture
def kiosk_page(server, tablet_page):
    assert register_kiosk(server, tablet_page) == START
    return tablet_page


def _mark(page):
    """Tag the current document so a reload (a new document) can be told apart."""
    page.evaluate("() => { window.__sameDocument = true; }")


def _wait_for_new_document(page, timeout=6000):
    page.wait_for_function("() => !window.__sameDocument && document.readyState === 'complete'", timeout=timeout)


def test_one_tap_rates_then_the_thank_you_returns_to_an_empty_start(server, kiosk_page, screenshot, axe):
    axe(kiosk_page, name="kiosk-start")
    screenshot(kiosk_page, "kiosk-start")
    kiosk_page.fill("#comment", "private words about desk three")
    kiosk_page.get_by_role("button", name="Bad", exact=True).click()
    kiosk_page.wait_for_url(server.url(START + "/thanks"))
    assert "Thank you" in kiosk_page.locator("h1").inner_text()
    screenshot(kiosk_page, "kiosk-thanks")
    kiosk_page.wait_for_url(server.url(START + "?lang=az"), timeout=6000)
    assert kiosk_page.input_value("#comment") == ""
    # This person read the kiosk in English; the next one starts in the hall's default language.
    assert kiosk_page.locator("html").get_attribute("lang") == "az"
    # Back must not bring the thank-you page or the typed comment to the next person.
    kiosk_page.go_back()
    kiosk_page.wait_for_load_state()
    assert "/thanks" not in kiosk_page.url
    if kiosk_page.locator("#comment").count():
        assert kiosk_page.input_value("#comment") == ""
    assert "private words" not in kiosk_page.content()
    with server.app.app_context():
        (stored,) = db.session.scalars(sa.select(Submission).where(Submission.channel == Channel.kiosk)).all()
        assert stored.rating == 2 and stored.desk == "3" and stored.comment == "private words about desk three"


def test_an_abandoned_comment_is_wiped_after_idleness(server, kiosk_page):
    kiosk_page.fill("#comment", "half-written complaint")
    _mark(kiosk_page)
    _wait_for_new_document(kiosk_page)
    assert kiosk_page.url == server.url(START + "?lang=az")
    assert kiosk_page.input_value("#comment") == ""
    with server.app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 0


def test_an_untouched_start_page_is_left_alone(server, kiosk_page):
    _mark(kiosk_page)
    kiosk_page.wait_for_timeout(2500)
    assert kiosk_page.evaluate("() => window.__sameDocument === true")


def test_a_refused_comment_comes_back_to_be_corrected_and_is_still_wiped(server, kiosk_page):
    typed = "iki saat\u200b gözlədim"   # a zero-width space: refused, so the page comes back with it
    kiosk_page.fill("#comment", typed)
    with kiosk_page.expect_response(lambda response: response.request.method == "POST"):
        kiosk_page.get_by_role("button", name="Bad", exact=True).click()
    kiosk_page.locator(".error-summary").wait_for()
    assert kiosk_page.input_value("#comment") == typed
    # After a spell of idleness the page is emptied before it leaves (what it held as it went is
    # noted for the test), and the start comes back empty.
    kiosk_page.evaluate("""() => window.addEventListener("pagehide", () => sessionStorage.setItem(
        "left-with", document.querySelector("#comment").value))""")
    _mark(kiosk_page)
    _wait_for_new_document(kiosk_page)
    assert kiosk_page.url == server.url(START + "?lang=az")
    assert kiosk_page.evaluate("() => sessionStorage.getItem('left-with')") == ""
    assert kiosk_page.input_value("#comment") == ""
    with server.app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 0


def test_an_error_page_takes_the_tablet_back_to_its_start(server, kiosk_page):
    kiosk_page.evaluate("() => { document.querySelector('input[name=csrf_token]').value = 'stale'; }")
    with kiosk_page.expect_response(lambda response: response.request.method == "POST") as refused:
        kiosk_page.get_by_role("button", name="Good", exact=True).click()
    assert refused.value.status == 400
    kiosk_page.wait_for_url(server.url(START + "?lang=az"), timeout=6000)
    assert kiosk_page.locator("[data-kiosk-face]").count() == 5


def test_without_javascript_a_tap_is_stored_and_the_thank_you_still_returns_to_the_start(server, new_context):
    page = new_context(viewport={"width": 800, "height": 1280}, java_script_enabled=False).new_page()
    assert register_kiosk(server, page) == START
    page.get_by_role("button", name="Very good", exact=True).click()
    page.wait_for_url(server.url(START + "/thanks"))
    page.wait_for_url(server.url(START + "?lang=az"), timeout=6000)
    with server.app.app_context():
        (stored,) = db.session.scalars(sa.select(Submission).where(Submission.channel == Channel.kiosk)).all()
        assert stored.rating == 5
