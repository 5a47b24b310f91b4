"""Mask personal data in comments before anything learns from them or explains with them.

The model never sees phone numbers, e-mail addresses, FINs, ID-card or bank-card numbers, so it
cannot learn them as complaint signals and can never quote one back as a reason.
"""

from __future__ import annotations

import re

__all__ = ["redact", "PLACEHOLDERS"]

#: What each kind of personal data becomes. Words, so the tokeniser keeps them as one token.
PLACEHOLDERS = {
    "email": " EMAILADDR ",
    "card": " CARDNUM ",
    "phone": " PHONENUM ",
    "idcard": " IDCARDNUM ",
    "fin": " FINCODE ",
}

_TRIGGER = re.compile(r"[\d@]")
_PATTERNS = (
    ("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("card", re.compile(r"\b\d{4}[ -]?\d{4}[ -]?\d{4}[ -]?\d{4}\b")),
    # +994 50 123 45 67, 050-123-45-67, (012) 555 12 34, 0501234567
    ("phone", re.compile(r"(?:\+?994[\s-]?|\b0|\(0)\(?\d{2}\)?[\s-]?\d{3}[\s-]?\d{2}[\s-]?\d{2}\b")),
    ("idcard", re.compile(r"\b(?:AZE|AA)[\s-]?\d{7,8}\b", re.IGNORECASE)),
    # FIN: 7 characters, digits and capital Latin letters without I and O, at least one of each.
    ("fin", re.compile(r"\b(?=[0-9A-HJ-NP-Z]{0,6}\d)(?=[0-9A-HJ-NP-Z]{0,6}[A-HJ-NP-Z])[0-9A-HJ-NP-Z]{7}\b")),
)


def redact(text: str) -> str:
    """Return ``text`` with e-mails, bank cards, phones, ID-card numbers and FINs replaced."""
    if not _TRIGGER.search(text):
        return text  # The common case, and all patterns need a digit or an "@".
    for kind, pattern in _PATTERNS:
        text = pattern.sub(PLACEHOLDERS[kind], text)
    return text
