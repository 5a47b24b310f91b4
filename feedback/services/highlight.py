"""Marking the words that made a comment flagged, for the case page."""

from __future__ import annotations

import re
from dataclasses import dataclass

from feedback.services.triage import fold

_NEGATED = " (negated)"


@dataclass(frozen=True)
class Segment:
    text: str
    is_reason: bool


def highlight(text: str, terms: list[str]) -> list[Segment]:
    """Split ``text`` into segments, marking each occurrence of the terms' words.

    Terms are the model's reasons (words or word pairs as the citizen wrote them, maybe with
    " (negated)") and triage's urgent words. Matching is on folded text so "Rüşvət" marks "rüşvət".
    """
    if not text:
        return []
    phrases = set()
    for term in terms or []:
        term = term[: -len(_NEGATED)] if term.endswith(_NEGATED) else term
        words = fold(term).split()
        if words and len("".join(words)) > 1:
            phrases.add(r"\s+".join(re.escape(w) for w in words))
    if not phrases:
        return [Segment(text, False)]
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(sorted(phrases, key=len, reverse=True)) + r")(?!\w)")
    folded = fold(text)
    segments: list[Segment] = []
    position = 0
    for match in pattern.finditer(folded):
        if match.start() > position:
            segments.append(Segment(text[position:match.start()], False))
        segments.append(Segment(text[match.start():match.end()], True))
        position = match.end()
    if position < len(text):
        segments.append(Segment(text[position:], False))
    return segments
