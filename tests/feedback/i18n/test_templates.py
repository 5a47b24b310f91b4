"""No template shows text that bypasses translation: every visible word goes through `_()`."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[3] / "feedback" / "templates"
#: Words that are the same in every language: the product's name. The honeypot's label is for bots.
ALLOWED = {"Rəy", "· Rəy", "Website"}
WORD = re.compile(r"[^\W\d_]{2,}")


def _raw_text(source: str) -> list[str]:
    source = re.sub(r"\{#.*?#\}", " ", source, flags=re.S)
    source = re.sub(r"\{%\s*block body_class\s*%\}.*?\{%\s*endblock\s*%\}", " ", source, flags=re.S)
    source = re.sub(r"<(script|style)\b.*?</\1>", " ", source, flags=re.S)
    source = re.sub(r"\{%.*?%\}|\{\{.*?\}\}", " ", source, flags=re.S)
    found = [m.group(0) for m in re.finditer(r'\b(?:aria-label|placeholder|title|alt)="([^"]*)"', source)
             if WORD.search(m.group(1))]
    for line in re.sub(r"<[^>]+>", "\n", source).splitlines():
        line = line.strip()
        if WORD.search(line) and line not in ALLOWED:
            found.append(line)
    return found


def test_templates_have_no_untranslatable_text():
    offenders = {
        str(path.relative_to(TEMPLATES)): raw
        for path in sorted(TEMPLATES.rglob("*.html"))
        if (raw := _raw_text(path.read_text(encoding="utf-8")))
    }
    assert not offenders, f"wrap these in {{{{ _('...') }}}}: {offenders}"


def test_the_check_sees_raw_text_and_attributes():
    assert _raw_text("<p>Send feedback</p>") == ["Send feedback"]
    assert _raw_text('<nav aria-label="Main menu"></nav>') == ['aria-label="Main menu"']
    assert _raw_text("<p>{{ _('Send feedback') }}</p><title>{% block t %}{% endblock %} · Rəy</title>") == []
