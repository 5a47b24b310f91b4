"""Every user-facing string has an Azerbaijani and a Russian translation, with the same placeholders.

The strings are extracted from the code and templates here, with the same configuration as
`make translations-extract`, so a new `_("...")` without a translation fails this test even when
nobody ran the extraction.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
TRANSLATIONS = ROOT / "feedback" / "translations"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%%")


def _extracted() -> dict[str, str]:
    """msgid -> first place it is used, for every translatable string of the app."""
    with open(TRANSLATIONS / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config, str(TRANSLATIONS / "babel.cfg"))
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        for msgid in message if isinstance(message, tuple) else (message,):
            if msgid:
                found.setdefault(msgid, f"{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def extracted():
    return _extracted()


def _catalogue(language: str):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=language)


def test_extraction_finds_the_survey_strings(extracted):
    # Guards the guard: if extraction silently found nothing, every other test here would pass.
    assert "Send feedback" in extracted and "Please choose a rating from 1 to 5." in extracted
    assert len(extracted) > 50


def _untranslated(extracted: dict[str, str], catalogue) -> list[str]:
    missing = []
    for msgid, where in sorted(extracted.items(), key=lambda item: item[1]):
        message = catalogue.get(msgid)
        if message is None:
            # A plural's second form is extracted too; it lives on the singular's entry.
            if any(isinstance(m.id, tuple) and msgid in m.id for m in catalogue):
                continue
            missing.append(f"{where}: {msgid!r} (not in the catalogue: run `make translations-extract`)")
        elif message.fuzzy or not all(message.string if isinstance(message.string, tuple) else [message.string]):
            missing.append(f"{where}: {msgid!r} ({'fuzzy' if message.fuzzy else 'empty'})")
    return missing


@pytest.mark.parametrize("language", ["az", "ru"])
def test_every_string_is_translated(extracted, language):
    missing = _untranslated(extracted, _catalogue(language))
    assert not missing, f"{len(missing)} untranslated string(s) in {language}:\n" + "\n".join(missing)


@pytest.mark.parametrize("language", ["az", "ru"])
def test_translations_keep_the_placeholders(language):
    wrong = []
    for message in _catalogue(language):
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(PLACEHOLDER.findall(ids[0])) | set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            if string and set(PLACEHOLDER.findall(string)) != expected:
                wrong.append(f"{message.id!r} -> {string!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_the_guard_reports_an_empty_and_a_missing_translation(extracted):
    catalogue = _catalogue("ru")
    catalogue.get("Send feedback").string = ""
    found = _untranslated({**extracted, "A string nobody translated": "x.html:1"}, catalogue)
    assert any("'Send feedback' (empty)" in line for line in found)
    assert any("'A string nobody translated' (not in the catalogue" in line for line in found)


#: Letters only the other language writes: Cyrillic is never Azerbaijani, and ə ğ ı ş ç ö ü are never
#: Russian (the name Rəy aside, which both keep).
FOREIGN_LETTERS = {"az": re.compile(r"[\u0400-\u04ff]"), "ru": re.compile(r"[əğışçöüƏĞŞÇÖÜİ]")}


def _in_the_wrong_language(catalogue, language: str) -> list[str]:
    wrong = []
    for message in catalogue:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            if string and FOREIGN_LETTERS[language].search(string.replace("Rəy", "")):
                wrong.append(f"{message.id!r} -> {string!r}")
    return wrong


@pytest.mark.parametrize("language", ["az", "ru"])
def test_each_catalogue_speaks_only_its_language(language):
    """A translation pasted into the other catalogue, or both languages into one, reads as nonsense."""
    wrong = _in_the_wrong_language(_catalogue(language), language)
    assert not wrong, f"{len(wrong)} string(s) in {language} with the other language's letters:\n" + "\n".join(wrong)


def test_the_language_guard_finds_a_russian_string_in_azerbaijani():
    catalogue = _catalogue("az")
    catalogue.get("Send feedback").string = "Отправить"
    assert any("Send feedback" in line for line in _in_the_wrong_language(catalogue, "az"))
