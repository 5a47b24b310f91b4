"""The browser fixtures themselves: the live server answers, Chromium loads a page, helpers measure."""


def test_live_server_serves_the_seeded_survey_to_chromium(live_server, page, screenshot):
    response = page.goto(live_server.url("/c/baku-1?lang=en"))
    assert response.status == 200
    assert page.locator("h1").inner_text() == "How was your visit?"
    assert "Baku Service Center No. 1" in page.content()
    assert screenshot(page, "fixtures-smoke").exists()


def test_layout_helper_catches_a_wide_element_and_a_small_button(live_server, page, layout):
    page.goto(live_server.url("/c/baku-1"))
    assert layout.overflowing(page) == []
    page.evaluate(
        """() => {
          const wide = document.createElement('div'); wide.id = 'too-wide'; wide.textContent = 'x';
          wide.style.width = '900px'; document.body.appendChild(wide);
          const tiny = document.createElement('button'); tiny.textContent = 'tiny';
          tiny.style.minHeight = '0'; tiny.style.height = '20px'; tiny.style.padding = '0';
          document.querySelector('main').appendChild(tiny);
        }"""
    )
    assert any("too-wide" in item for item in layout.overflowing(page))
    assert any('"tiny"' in item for item in layout.small_targets(page))


def test_axe_helper_fails_on_an_unlabelled_control_and_low_contrast(live_server, page, axe):
    import pytest

    page.goto(live_server.url("/c/baku-1"))
    page.evaluate(
        """() => {
          const input = document.createElement('input'); input.type = 'text';
          document.querySelector('main').appendChild(input);
          const faint = document.createElement('p'); faint.textContent = 'faint text';
          faint.style.color = '#cccccc'; document.querySelector('main').appendChild(faint);
        }"""
    )
    with pytest.raises(pytest.fail.Exception) as failure:
        axe(page, name="fixture-self-test")
    assert "label" in str(failure.value) and "color-contrast" in str(failure.value)
