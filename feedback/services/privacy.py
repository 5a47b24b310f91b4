"""Masking of personal data that citizens write into comments.

Officers, exports and training data see the masked text; only roles allowed to call citizens back
see the original. The patterns follow the formats in use in Azerbaijan (see shared domain notes).
"""

from __future__ import annotations

import re

PHONE_MASK = "[phone]"
EMAIL_MASK = "[email]"
FIN_MASK = "[fin]"
ID_MASK = "[id-card]"
CARD_MASK = "[bank-card]"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Bank cards: 13–19 digits, optionally grouped by spaces or dashes; confirmed with Luhn below.
_CARD = re.compile(r"(?<![\d])(?:\d[ -]?){12,18}\d(?![\d])")
# Phones: +994 or 0 prefixes, Baku landlines in brackets, and international numbers with a plus.
_PHONE = re.compile(
    r"""(?<![\w+])(?:
        (?:\+|00)\s?994[\s.-]?\(?\d{2}\)?(?:[\s.-]?\d){7}        # +994 50 123 45 67
      | \(?0\d{2}\)?[\s.-]?\d{3}[\s.-]?\d{2}[\s.-]?\d{2}          # 050-123-45-67, (012) 555 12 34
      | (?:\+|00)[1-9]\d{0,2}(?:[\s.-]?\(?\d+\)?){2,6}            # +7 912 345 67 89, +44 20 7946 0000
      | 994\d{9}                                                  # 994501234567
      | \b\d{3}[\s-]\d{2}[\s-]\d{2}\b                             # 123-45-67 (local without code)
    )(?![\w])""",
    re.VERBOSE,
)
# ID cards: series AZE (old) or AA (new) followed by 7–8 digits.
_ID_CARD = re.compile(r"\b(?:AZE|AA)[\s№-]?\d{7,8}\b", re.IGNORECASE)
# FIN: 7 characters of digits and capital Latin letters except I and O, with at least one of each.
_FIN = re.compile(r"\b(?=[0-9A-HJ-NP-Z]*\d)(?=[0-9A-HJ-NP-Z]*[A-HJ-NP-Z])[0-9A-HJ-NP-Z]{7}\b")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _mask_card(match: re.Match) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return CARD_MASK if 13 <= len(digits) <= 19 and _luhn_ok(digits) else match.group(0)


def mask_personal_data(text: str) -> str:
    """Return the text with phones, e-mails, FIN codes, ID card and bank card numbers masked."""
    if not text:
        return text
    text = _EMAIL.sub(EMAIL_MASK, text)
    text = _CARD.sub(_mask_card, text)
    text = _ID_CARD.sub(ID_MASK, text)
    text = _PHONE.sub(PHONE_MASK, text)
    text = _FIN.sub(FIN_MASK, text)
    return text
