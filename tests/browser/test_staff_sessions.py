"""Typing in a staff form keeps the sign-in alive; a warning before the idle limit offers to stay
signed in; and a sign-in that ended meanwhile is said at once, while the text can still be copied
(static/js/staff.js)."""

from __future__ import annotations

import sqlalchemy as sa

from feedback.extensions import db

DESKTOP = {"width": 1280, "height": 900}


def _signed_in_admin_page(live_server, new_context):
    """An admin's page of ``live_server``, signed in (each server has a database of its own)."""
    from factories import make_user
    from feedback.models import User

    with live_server.app.app_context():
        if db.session.scalar(sa.select(User).where(User.username == "typing.admin")) is None:
            make_user("typing.admin", "admin")
        db.session.remove()
    context = new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(live_server.url("/review/login?lang=en"))
    page.fill("input[name=username]", "typing.admin")
    page.fill("input[name=password]", "correct horse 42")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/**")
    page.goto(live_server.url("/admin/api-keys?lang=en"))
    return context, page


def test_typing_tells_the_server_and_shows_nothing(live_server, new_context):
    _context, page = _signed_in_admin_page(live_server, new_context)
    with page.expect_response(lambda r: "/review/account/alive" in r.url) as answered:
        page.locator("#name").press_sequentially("queue system")
    assert answered.value.status == 204
    assert page.locator("#signed-out-notice").is_hidden()


def test_a_sign_in_that_ended_is_said_while_typing(live_server, new_context):
    context, page = _signed_in_admin_page(live_server, new_context)
    context.clear_cookies()  # the sign-in ends while the page stays open (the working day's limit)
    page.locator("#name").press_sequentially("a long note")
    notice = page.locator("#signed-out-notice")
    notice.wait_for(state="visible")
    assert notice.inner_text().startswith("You have been signed out. Copy what you have written")
    # The focus stays where the person types, and so does every keystroke.
    assert page.evaluate("() => document.activeElement.id") == "name"
    assert page.locator("#name").input_value() == "a long note"


def test_a_warning_before_the_idle_limit_lets_one_stay_signed_in(make_live_server, new_context, axe):
    # A 15-second limit: the warning comes at half of it, and "Stay signed in" starts the clock again.
    server = make_live_server(STAFF_IDLE_MINUTES=0.25)
    _context, page = _signed_in_admin_page(server, new_context)
    warning = page.locator("#idle-warning")
    assert warning.is_hidden()
    warning.wait_for(state="visible", timeout=15_000)
    axe(page, name="staff-idle-warning")
    with page.expect_response(lambda r: "/review/account/alive" in r.url) as answered:
        warning.get_by_role("button", name="Stay signed in").click()
    assert answered.value.status == 204
    warning.wait_for(state="hidden")
    # The second time nobody answers it, and the limit passes: a late click learns the sign-in is over.
    warning.wait_for(state="visible", timeout=15_000)
    page.wait_for_timeout(9_000)
    warning.get_by_role("button", name="Stay signed in").click()
    page.locator("#signed-out-notice").wait_for(state="visible")
    assert warning.is_hidden()
