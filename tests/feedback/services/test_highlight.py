"""Marking the words that made a comment flagged."""

from feedback.services.highlight import highlight


def test_reasons_are_marked_whatever_the_case_or_missing_letters():
    segments = highlight("Növbə çox UZUN idi, rusvet istədilər", ["uzun", "rüşvət", "idi (negated)"])
    marked = [s.text for s in segments if s.is_reason]
    assert marked == ["UZUN", "idi", "rusvet"]  # "rüşvət" and "rusvet" fold to the same word
    assert "".join(s.text for s in segments) == "Növbə çox UZUN idi, rusvet istədilər"


def test_phrases_and_no_terms():
    segments = highlight("He asked for money twice", ["asked for money"])
    assert [s.text for s in segments if s.is_reason] == ["asked for money"]
    assert [s.is_reason for s in highlight("fine", [])] == [False]
