"""Masking of personal data that citizens write into comments.

Officers, exports and training data see the masked text; only roles allowed to call citizens back
see the original. The patterns are the classifier's (``ml.privacy``), so what the model is kept
from learning and what officers are kept from seeing are the same things. A comment is masked when
it is stored; ``remask_stored_comments`` applies patterns that have changed since to the comments
stored before.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import AdminAction, Submission, User
from feedback.services import audit
from ml.privacy import mask

PHONE_MASK = "[phone]"
EMAIL_MASK = "[email]"
FIN_MASK = "[fin]"
ID_MASK = "[id-card]"
CARD_MASK = "[bank-card]"
IBAN_MASK = "[bank-account]"

_MASKS = {
    "phone": PHONE_MASK, "email": EMAIL_MASK, "fin": FIN_MASK, "idcard": ID_MASK, "card": CARD_MASK, "iban": IBAN_MASK,
}


def mask_personal_data(text: str) -> str:
    """Return the text with phones, e-mails, FIN codes, ID card, bank card and account numbers masked."""
    return mask(text, _MASKS)


def remask_stored_comments(*, now: datetime, actor: User | None = None, batch_size: int = 1000) -> int:
    """Mask every stored comment again with today's patterns; returns how many masked texts changed.

    Reads the comments in batches by id, so memory stays flat however many there are, and writes
    only those whose masked text differs. The run is logged in the administration log. Flushes;
    the caller commits.
    """
    changed, last_id = 0, 0
    while True:
        rows = db.session.execute(
            sa.select(Submission.id, Submission.comment, Submission.comment_masked)
            .where(Submission.id > last_id, Submission.comment != "")
            .order_by(Submission.id)
            .limit(batch_size)
        ).all()
        if not rows:
            break
        updates = [{"id": row.id, "comment_masked": masked} for row in rows
                   if (masked := mask_personal_data(row.comment)) != row.comment_masked]
        if updates:
            db.session.execute(sa.update(Submission), updates)  # by primary key, one statement per batch
        changed += len(updates)
        last_id = rows[-1].id
    audit.record(AdminAction.comments_remasked, "stored comments", actor=actor, now=now,
                 details={"submissions": changed})
    return changed
