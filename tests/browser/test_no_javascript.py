"""With JavaScript off (old phones, strict settings) the survey is a plain form that works."""

from __future__ import annotations

from browser.helpers import stored_with


def test_without_javascript_the_form_posts_and_thanks(live_server, new_context, screenshot):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(live_server.url("/c/gence?lang=az"))
    screenshot(page, "nojs-survey-phone-az")
    comment = "JavaScript olmadan da göndərildi."
    page.locator("label[for=rating-5]").click()
    page.fill("#comment", comment)
    page.click("button[type=submit]")
    page.wait_for_url("**/thanks/**")
    assert page.locator("h1").inner_text() == "Rəyiniz üçün təşəkkür edirik!"
    assert len(stored_with(live_server, comment)) == 1
    screenshot(page, "nojs-thanks-phone-az")


def test_without_javascript_a_missing_rating_is_explained(live_server, new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(live_server.url("/c/gence?lang=ru"))
    page.click("button[type=submit]")
    assert page.locator(".error-summary").is_visible()
    assert "Выберите оценку от 1 до 5." in page.locator("#rating-error").inner_text()
