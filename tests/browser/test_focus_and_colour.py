"""Keyboard users see where they are; nothing is told by colour alone."""

from __future__ import annotations

FOCUS_INDICATOR = """() => {
  const el = document.activeElement;
  // A visually hidden radio shows its focus on its label.
  const shown = (el.type === 'radio' && el.getBoundingClientRect().width <= 2) ? el.labels[0] : el;
  const style = getComputedStyle(shown);
  return {
    name: (el.name || el.id || el.textContent || '').trim().slice(0, 40),
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    shadow: style.boxShadow !== 'none',
  };
}"""


def test_every_control_of_the_survey_shows_keyboard_focus(live_server, page):
    page.goto(live_server.url("/c/baku-1?lang=az&service=passport"))
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    seen, unmarked = set(), []
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement === document.body"):
            break
        state = page.evaluate(FOCUS_INDICATOR)
        if state["name"] in seen:
            continue
        seen.add(state["name"])
        if not (state["outline"] or state["shadow"]):
            unmarked.append(state["name"])
    assert {"rating", "service", "comment", "contact", "consent"} <= seen
    assert unmarked == []


def test_the_chosen_rating_differs_by_more_than_colour(live_server, page, screenshot):
    page.goto(live_server.url("/c/baku-1?lang=en"))
    page.locator("label[for=rating-4]").click()
    style = """(id) => { const s = getComputedStyle(document.querySelector(`label[for=${id}]`));
                         return {weight: s.fontWeight, shadow: s.boxShadow, border: s.borderTopWidth}; }"""
    chosen, other = page.evaluate(style, "rating-4"), page.evaluate(style, "rating-3")
    # Bolder text and a doubled border, not only a different colour.
    assert int(chosen["weight"]) >= 700 > int(other["weight"])
    assert chosen["shadow"] != "none" and other["shadow"] == "none"
    screenshot(page, "survey-phone-en-chosen", full_page=False)


def test_errors_are_marked_by_a_sign_and_words_not_only_red(live_server, page):
    page.goto(live_server.url("/c/baku-1?lang=en"))
    page.click("button[type=submit]")
    error = page.locator("#rating-error")
    assert error.inner_text() == "Please choose a rating from 1 to 5."
    # The message is in the DOM before the stylesheet has loaded on a busy machine; the sign comes with it.
    page.wait_for_load_state("load")
    assert page.evaluate("() => getComputedStyle(document.querySelector('#rating-error'), '::before').content") \
        == '"⚠ "'
    # The rating group points at its message, so a screen reader reads it with the question.
    assert page.locator("fieldset.rating").first.get_attribute("aria-describedby") == "rating-error"
    # And the summary at the top gets focus, so it is announced at once.
    assert page.evaluate("() => document.activeElement.className") == "error-summary"
