"""Masking of personal data that citizens write into comments.

Officers, exports and training data see the masked text; only roles allowed to call citizens back
see the original. The patterns are the classifier's (``ml.privacy``), so what the model is kept
from learning and what officers are kept from seeing are the same things.
"""

from __future__ import annotations

from ml.privacy import mask

PHONE_MASK = "[phone]"
EMAIL_MASK = "[email]"
FIN_MASK = "[fin]"
ID_MASK = "[id-card]"
CARD_MASK = "[bank-card]"
IBAN_MASK = "[bank-account]"

_MASKS = {"phone": PHONE_MASK, "email": EMAIL_MASK, "fin": FIN_MASK, "idcard": ID_MASK, "card": CARD_MASK, "iban": IBAN_MASK}


def mask_personal_data(text: str) -> str:
    """Return the text with phones, e-mails, FIN codes, ID card, bank card and account numbers masked."""
    return mask(text, _MASKS)
