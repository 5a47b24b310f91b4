"""A phone that loses its signal: the survey is kept in IndexedDB and arrives exactly once later."""

from __future__ import annotations

from browser.helpers import stored_with, wait_for

OUTBOX_COUNT = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open('rey-offline', 1);
  open.onupgradeneeded = () => open.result.createObjectStore('outbox', {keyPath: 'key'});
  open.onsuccess = () => {
    const request = open.result.transaction('outbox').objectStore('outbox').count();
    request.onsuccess = () => { open.result.close(); resolve(request.result); };
    request.onerror = () => reject(request.error);
  };
  open.onerror = () => reject(open.error);
})"""


def _fill(page, comment: str) -> None:
    page.locator("label[for=rating-2]").click()
    page.fill("#comment", comment)


def test_offline_submission_is_kept_and_arrives_exactly_once(live_server, new_context, screenshot):
    context = new_context(viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(live_server.url("/c/baku-3?lang=en&desk=4"))
    # The service worker has cached the survey page and its assets once it controls the page.
    page.evaluate("() => navigator.serviceWorker.ready")
    page.reload()
    assert page.evaluate("() => !!navigator.serviceWorker.controller")

    context.set_offline(True)
    comment = "Offline test: the queue moved slowly at desk four."
    _fill(page, comment)
    page.click("button[type=submit]")
    notice = page.locator("#offline-notice")
    notice.wait_for(state="visible")
    assert "saved on this device" in notice.inner_text()
    assert page.evaluate(OUTBOX_COUNT) == 1
    assert stored_with(live_server, comment) == []
    # The form is ready for the next citizen, with a new idempotency key.
    assert page.locator("input[name=rating]:checked").count() == 0
    screenshot(page, "offline-saved-phone-en")

    # Offline, the survey page still opens from the service worker's cache and says what waits.
    page.reload()
    assert page.locator("h1").inner_text() == "How was your visit?"
    page.locator("#offline-notice").wait_for(state="visible")
    assert page.evaluate(OUTBOX_COUNT) == 1

    context.set_offline(False)  # the "online" event sends the outbox
    rows = wait_for(lambda: stored_with(live_server, comment))
    assert len(rows) == 1
    assert rows[0].rating == 2 and rows[0].desk == "4" and rows[0].language == "en"
    wait_for(lambda: page.evaluate(OUTBOX_COUNT) == 0)
    assert page.evaluate(OUTBOX_COUNT) == 0
    assert "has been sent" in page.locator("#offline-notice").inner_text()

    # Loading the page again retries whatever is left: nothing, so still exactly one row.
    page.reload()
    page.wait_for_load_state("networkidle")
    assert len(stored_with(live_server, comment)) == 1


def test_a_lost_answer_is_retried_under_the_same_key_and_stored_once(live_server, new_context):
    # Without the service worker in the way, Playwright sees the page's own requests.
    context = new_context(service_workers="block")
    page = context.new_page()
    page.goto(live_server.url("/c/sumqayit?lang=ru"))
    comment = "Ответ потерялся, но отзыв дошёл."

    def deliver_then_drop(route):
        # The server stores the survey, then the phone loses the answer on the way back.
        route.fetch(max_redirects=0)
        route.abort("internetdisconnected")

    page.route("**/c/sumqayit*", lambda route: deliver_then_drop(route)
               if route.request.method == "POST" else route.continue_())
    _fill(page, comment)
    page.click("button[type=submit]")
    page.locator("#offline-notice").wait_for(state="visible")
    assert len(stored_with(live_server, comment)) == 1
    assert page.evaluate(OUTBOX_COUNT) == 1

    page.unroute("**/c/sumqayit*")
    page.reload()  # the next page load sends the outbox with the same idempotency key
    wait_for(lambda: page.evaluate(OUTBOX_COUNT) == 0)
    assert page.evaluate(OUTBOX_COUNT) == 0
    rows = stored_with(live_server, comment)
    assert len(rows) == 1 and rows[0].language == "ru"


def test_offline_without_a_rating_the_page_asks_for_one_and_keeps_the_comment(live_server, new_context):
    context = new_context()
    page = context.new_page()
    page.goto(live_server.url("/c/baku-1?lang=az"))
    context.set_offline(True)
    page.fill("#comment", "Reytinqi unutdum.")
    page.click("button[type=submit]")
    assert page.locator("#rating-error").inner_text() == "Lütfən, 1-dən 5-ə qədər qiymət seçin."
    assert page.evaluate("() => document.activeElement.name") == "rating"
    assert page.input_value("#comment") == "Reytinqi unutdum."
    assert page.evaluate(OUTBOX_COUNT) == 0


def test_a_busy_server_keeps_the_survey_on_the_phone_until_it_is_taken(live_server, new_context):
    """429 (many citizens behind one address, as on a center's Wi-Fi) keeps the survey in the
    outbox, like a lost connection, instead of leaving the citizen on an error page."""
    context = new_context(service_workers="block")
    page = context.new_page()
    page.goto(live_server.url("/c/baku-1?lang=az"))
    comment = "Məşğul server: rəy itməməlidir."
    page.route("**/c/baku-1*", lambda route: route.fulfill(status=429, body="busy")
               if route.request.method == "POST" else route.continue_())
    _fill(page, comment)
    page.click("button[type=submit]")
    notice = page.locator("#offline-notice")
    notice.wait_for(state="visible")
    assert "çox adam" in notice.inner_text(), "the notice says why, in the page's language"
    assert page.url.startswith(live_server.url("/c/baku-1")), "still on the survey, not an error page"
    assert page.evaluate(OUTBOX_COUNT) == 1 and stored_with(live_server, comment) == []

    page.unroute("**/c/baku-1*")
    page.reload()  # the next page load (or the 30 s timer) sends it
    wait_for(lambda: page.evaluate(OUTBOX_COUNT) == 0)
    rows = stored_with(live_server, comment)
    assert len(rows) == 1 and rows[0].rating == 2
