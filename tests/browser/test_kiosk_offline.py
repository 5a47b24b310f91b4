"""A kiosk tablet in a hall whose network drops: a tap is kept on the tablet and stored exactly once
when the network is back, and the tablet never ends on the browser's own error page."""

import pytest
import sqlalchemy as sa

from browser.helpers import register_kiosk, stored_with, wait_for
from feedback.extensions import db
from feedback.models import Channel, Submission

pytestmark = pytest.mark.browser
NO_CONNECTION = "No connection. Your rating will be sent when the connection is back."
HELD = "() => JSON.parse(localStorage.getItem('rey-kiosk-outbox') || '[]').length"


def _kiosk_ratings(server) -> list[tuple[int, str]]:
    with server.app.app_context():
        rows = db.session.scalars(
            sa.select(Submission).where(Submission.channel == Channel.kiosk).order_by(Submission.id)
        ).all()
        db.session.remove()
        return [(row.rating, row.comment) for row in rows]


def test_a_tap_while_offline_is_kept_then_stored_once_and_thanked(make_live_server, new_context):
    # The citizen stays at the tablet meanwhile: a long idle time, so the page is not wiped under them.
    server = make_live_server(KIOSK_IDLE_SECONDS=60)
    context = new_context(viewport={"width": 800, "height": 1280}, is_mobile=True, has_touch=True)
    page = context.new_page()
    start = register_kiosk(server, page)
    comment = "Offline kiosk: the queue screen was dark."
    page.fill("#comment", comment)

    context.set_offline(True)
    page.get_by_role("button", name="Good", exact=True).click()
    notice = page.locator("[data-kiosk-offline]")
    notice.wait_for(state="visible")
    assert notice.inner_text() == NO_CONNECTION
    # Still the kiosk's own page, with the answer, not the browser's error page; nothing stored yet.
    assert page.url == server.url(start) and page.input_value("#comment") == comment
    assert page.evaluate(HELD) == 1
    assert stored_with(server, comment) == []

    context.set_offline(False)
    page.wait_for_url(server.url(start + "/thanks"))
    assert "Thank you" in page.locator("h1").inner_text()
    (stored,) = stored_with(server, comment)
    assert stored.rating == 4 and stored.channel == Channel.kiosk
    assert page.evaluate(HELD) == 0


def test_a_tap_whose_answer_was_lost_is_sent_again_and_stored_once(make_live_server, new_context):
    """The server stored the tap, but its answer never reached the tablet: the tablet sends it again
    (as it must: it cannot tell), and its idempotency key makes the second one count for nothing."""
    server = make_live_server(KIOSK_IDLE_SECONDS=60, KIOSK_REPEAT_SECONDS=0)
    context = new_context(viewport={"width": 800, "height": 1280}, is_mobile=True, has_touch=True)
    page = context.new_page()
    start = register_kiosk(server, page)
    comment = "The answer to this one is lost on the way back."
    lost = []

    def lose_the_answer(route):
        if route.request.method != "POST" or lost:
            route.continue_()
            return
        route.fetch()  # the server stores the tap ...
        lost.append(True)
        route.abort("internetdisconnected")  # ... and the tablet hears nothing back

    page.route(server.url(start), lose_the_answer)
    page.fill("#comment", comment)
    page.get_by_role("button", name="Very bad", exact=True).click()
    page.locator("[data-kiosk-offline]").wait_for(state="visible")
    assert len(stored_with(server, comment)) == 1

    page.wait_for_url(server.url(start + "/thanks"))
    assert len(stored_with(server, comment)) == 1
    assert page.evaluate(HELD) == 0


def test_taps_held_after_their_people_left_arrive_once_each(make_live_server, new_context):
    """After idleness the page is wiped for the next person even offline, without leaving for the
    browser's error page; every tap made meanwhile is stored once the network is back — two identical
    ones included, which the abuse guard would count once if they arrived back to back."""
    server = make_live_server(KIOSK_IDLE_SECONDS=1, KIOSK_REPEAT_SECONDS=2, KIOSK_BURST_PER_MINUTE=60)
    context = new_context(viewport={"width": 800, "height": 1280}, is_mobile=True, has_touch=True)
    page = context.new_page()
    start = register_kiosk(server, page)
    notice = page.locator("[data-kiosk-offline]")
    keys = [page.input_value("input[name=idempotency_key]")]

    context.set_offline(True)
    for comment, face in (("Private words, left unsent.", "Bad"), ("", "Very good"), ("", "Very good")):
        page.fill("#comment", comment)
        page.get_by_role("button", name=face, exact=True).click()
        notice.wait_for(state="visible")
        notice.wait_for(state="hidden")  # the person has gone: the page is made ready for the next one
        assert page.url == server.url(start) and page.input_value("#comment") == ""
        assert page.locator("[data-kiosk-face]").count() == 5
        keys.append(page.input_value("input[name=idempotency_key]"))
    assert len(set(keys)) == 4, "each person's tap must go with a key of its own"
    assert page.evaluate(HELD) == 3 and _kiosk_ratings(server) == []

    context.set_offline(False)
    wait_for(lambda: len(_kiosk_ratings(server)) == 3, timeout=20)
    assert sorted(_kiosk_ratings(server)) == [(2, "Private words, left unsent."), (5, ""), (5, "")]
    wait_for(lambda: page.evaluate(HELD) == 0)
    assert page.evaluate(HELD) == 0


def test_a_thank_you_shown_as_the_network_drops_waits_for_it_rather_than_leave(make_live_server, new_context):
    server = make_live_server(KIOSK_IDLE_SECONDS=1, KIOSK_THANKS_SECONDS=2)
    context = new_context(viewport={"width": 800, "height": 1280}, is_mobile=True, has_touch=True)
    page = context.new_page()
    start = register_kiosk(server, page)
    page.get_by_role("button", name="Okay", exact=True).click()
    page.wait_for_url(server.url(start + "/thanks"))

    visited = []
    page.on("framenavigated", lambda frame: visited.append(frame.url))

    context.set_offline(True)
    # Its time is up, the network does not answer: it stays, rather than follow its refresh onto the
    # browser's error page, from which nothing would bring it back; and it asks the network again.
    # Three unanswered checks (the browser's error page makes none) leave its refresh time to fire.
    for _ in range(3):
        with page.expect_event("requestfailed", lambda request: request.method == "HEAD", timeout=15_000):
            pass
    assert not [url for url in visited if url.startswith("chrome-error:")]
    assert page.url == server.url(start + "/thanks")
    assert "Thank you" in page.locator("h1").inner_text()

    context.set_offline(False)
    page.wait_for_url(server.url(start + "?lang=az"), timeout=10_000)
    assert page.locator("[data-kiosk-face]").count() == 5
