"""The survey as a citizen sees it, in each language, on a 360×640 phone and on a desk tablet.

Screenshots of every language and size land in test-artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]

LANGUAGES = {
    "az": {"h1": "Ziyarətiniz necə keçdi?", "center": "Bakı 1 saylı xidmət mərkəzi",
           "service": "Ümumvətəndaş pasportu", "button": "Rəyi göndər", "thanks": "Rəyiniz üçün təşəkkür edirik!"},
    "ru": {"h1": "Как прошёл ваш визит?", "center": "Бакинский центр обслуживания №1",
           "service": "Общегражданский паспорт", "button": "Отправить отзыв", "thanks": "Спасибо за ваш отзыв!"},
    "en": {"h1": "How was your visit?", "center": "Baku Service Center No. 1",
           "service": "Passport", "button": "Send feedback", "thanks": "Thank you for your feedback!"},
}


def _english_sources(language: str = "ru") -> set[str]:
    """English source strings that read differently in the language (so "CSAT" or "Kiosk" never count)."""
    with open(ROOT / f"feedback/translations/{language}/LC_MESSAGES/messages.po", "rb") as po:
        return {
            m.id for m in read_po(po)
            if isinstance(m.id, str) and len(m.id) >= 5 and "%" not in m.id and m.string != m.id
        }


def _open_everything(page) -> None:
    summaries = page.locator("details > summary")
    for index in range(summaries.count()):
        if not summaries.nth(index).evaluate("s => s.parentElement.open"):
            summaries.nth(index).click()


def _untranslated_on(page, english: set[str]) -> list[str]:
    """English source strings shown on the page as whole words (in text or in announced attributes)."""
    text = page.locator("body").inner_text()
    attributes = " ".join(page.evaluate(
        "() => [...document.querySelectorAll('[aria-label], [placeholder], [title], [data-saved], [data-sent]')]"
        ".flatMap(e => ['aria-label', 'placeholder', 'title', 'data-saved', 'data-sent']"
        ".map(a => e.getAttribute(a) || ''))"
    ))
    shown = text + "\n" + attributes
    return sorted(s for s in english if re.search(rf"(?<!\w){re.escape(s)}(?!\w)", shown))


@pytest.mark.parametrize("language", LANGUAGES)
def test_survey_in_each_language_on_a_phone(live_server, phone_page, layout, screenshot, language):
    expected = LANGUAGES[language]
    page = phone_page
    page.goto(live_server.url(f"/c/baku-1?lang={language}&service=passport"))
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("h1").inner_text() == expected["h1"]
    assert page.locator(".center-name").inner_text() == expected["center"]
    assert page.locator("#service option:checked").inner_text() == expected["service"]
    assert page.locator("button[type=submit]").inner_text() == expected["button"]
    screenshot(page, f"survey-phone-{language}", full_page=False)
    _open_everything(page)
    screenshot(page, f"survey-phone-{language}-open")
    assert layout.overflowing(page) == []
    assert layout.small_targets(page, 44) == []
    if language != "en":
        assert _untranslated_on(page, _english_sources(language)) == []

    # Validation in the citizen's language, then a real submission and its thank-you page.
    page.click("button[type=submit]")
    page.locator("#rating-error").wait_for()
    screenshot(page, f"survey-phone-{language}-error")
    assert layout.overflowing(page) == []
    if language != "en":
        assert _untranslated_on(page, _english_sources(language)) == []
    page.locator("label[for=rating-4]").click()
    page.click("button[type=submit]")
    page.wait_for_url("**/thanks/**")
    assert page.locator("h1").inner_text() == expected["thanks"]
    screenshot(page, f"thanks-phone-{language}")
    assert layout.overflowing(page) == []
    assert layout.small_targets(page, 44) == []
    if language != "en":
        assert _untranslated_on(page, _english_sources(language)) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_survey_on_a_desk_tablet(live_server, tablet_page, layout, screenshot, language):
    page = tablet_page
    page.goto(live_server.url(f"/c/sumqayit?lang={language}"))
    _open_everything(page)
    screenshot(page, f"survey-tablet-{language}")
    assert layout.overflowing(page) == []
    assert layout.small_targets(page, 44) == []


def test_the_switcher_changes_the_language_and_keeps_the_desk(live_server, new_context):
    # A phone set to Azerbaijani: its Accept-Language picks the first page's language.
    page = new_context(locale="az-AZ").new_page()
    page.goto(live_server.url("/c/baku-1?desk=12"))
    assert page.locator("h1").inner_text() == LANGUAGES["az"]["h1"]
    page.click("nav.languages a[lang=ru]")
    assert page.locator("h1").inner_text() == LANGUAGES["ru"]["h1"]
    assert "desk=12" in page.url
    # The choice is remembered: the list of centers opens in Russian without ?lang.
    page.goto(live_server.url("/"))
    assert page.locator("html").get_attribute("lang") == "ru"


def test_rating_buttons_work_with_the_keyboard(live_server, phone_page):
    page = phone_page
    page.goto(live_server.url("/c/baku-1?lang=en"))
    page.keyboard.press("Tab")  # skip link
    focused = page.evaluate("() => document.activeElement.className")
    assert "skip-link" in focused
    # Tab to the first rating, then arrow keys move the choice as in any radio group.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.name") == "rating":
            break
    assert page.evaluate("() => document.activeElement.name") == "rating"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.locator("input[name=rating]:checked").get_attribute("value") in {"2", "3"}
    # The focused rating shows a visible outline on its label (the input itself is hidden).
    outline = page.evaluate(
        "() => getComputedStyle(document.querySelector(`label[for=${document.activeElement.id}]`)).outlineStyle"
    )
    assert outline == "solid"
    # The accessible name of each button says the number and the word, not just a face.
    assert page.get_by_role("radio", name="5 · Very good").count() == 1


@pytest.mark.parametrize("language", LANGUAGES)
def test_other_citizen_pages_in_each_language(live_server, phone_page, layout, screenshot, language):
    page = phone_page
    english = _english_sources(language) if language != "en" else set()
    page.goto(live_server.url(f"/c/gence?lang={language}"))
    page.locator("label[for=rating-1]").click()
    page.click("button[type=submit]")
    page.wait_for_url("**/thanks/**")
    reference = page.locator(".reference").inner_text()
    pages = {"index": "/", "not-found": "/c/no-such-center"}
    if "survey.status_form" in live_server.app.view_functions:
        pages |= {"status-form": "/status", "status": f"/status/{reference}"}
    if "review.login" in live_server.app.view_functions:
        pages |= {"login": "/review/login"}
    if "kiosk.register" in live_server.app.view_functions:
        pages |= {"kiosk-register": "/kiosk/register"}
    for name, path in pages.items():
        page.goto(live_server.url(path))
        assert page.locator("html").get_attribute("lang") == language, name
        screenshot(page, f"{name}-phone-{language}")
        assert layout.overflowing(page) == [], name
        assert layout.small_targets(page, 44) == [], name
        if language != "en":
            assert _untranslated_on(page, english) == [], name


@pytest.mark.parametrize("language", LANGUAGES)
def test_survey_reflows_at_320_css_pixels(live_server, new_context, layout, language):
    # WCAG 1.4.10: at 320 CSS px (a 1280 px screen zoomed to 400 %) nothing may need sideways scrolling.
    page = new_context(viewport={"width": 320, "height": 640}).new_page()
    page.goto(live_server.url(f"/c/baku-1?lang={language}"))
    _open_everything(page)
    page.click("button[type=submit]")
    page.locator("#rating-error").wait_for()
    _open_everything(page)
    assert layout.overflowing(page) == []
