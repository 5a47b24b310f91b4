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
from feedback.models import AdminAction, Case, CaseEvent, EventKind, Submission, User
from feedback.services import audit
from feedback.services.highlight import highlight
from ml.privacy import mask

PHONE_MASK = "[phone]"
EMAIL_MASK = "[email]"
FIN_MASK = "[fin]"
ID_MASK = "[id-card]"
CARD_MASK = "[bank-card]"
IBAN_MASK = "[bank-account]"
NAME_MASK = "[name]"

_MASKS = {
    "phone": PHONE_MASK, "email": EMAIL_MASK, "fin": FIN_MASK, "idcard": ID_MASK, "card": CARD_MASK, "iban": IBAN_MASK,
    "name": NAME_MASK,
}


def mask_personal_data(text: str) -> str:
    """Return the text with phones, e-mails, FIN codes, ID card, bank card and account numbers, and the
    names a citizen gives as their own or in full (``ml.privacy``), masked."""
    return mask(text, _MASKS)


def reasons_in(masked: str, reasons: list[str]) -> list[str]:
    """The model's reasons that the masked text still shows.

    Reasons quote the comment's words as the model read them, masked by the patterns of their day.
    A piece of an account number that earlier patterns left visible may be among them; once the text
    masks it, the reason must go too, or the dashboard's complaint words and the case page keep it.
    """
    return [reason for reason in reasons if any(segment.is_reason for segment in highlight(masked, [reason]))]


def remask_stored_comments(*, now: datetime, actor: User | None = None, batch_size: int = 1000) -> int:
    """Mask every stored comment again with today's patterns; returns how many masked texts changed.

    Reads the comments in batches by id, so memory stays flat however many there are, and writes
    only those whose masked text differs, with the model's reasons that the new text still shows.
    The run is logged in the administration log. Flushes; the caller commits.
    """
    changed, last_id = 0, 0
    while True:
        rows = db.session.execute(
            sa.select(Submission.id, Submission.comment, Submission.comment_masked, Submission.model_reasons)
            .where(Submission.id > last_id, Submission.comment != "")
            .order_by(Submission.id)
            .limit(batch_size)
        ).all()
        if not rows:
            break
        updates = [{"id": row.id, "comment_masked": masked, "model_reasons": reasons_in(masked, row.model_reasons or [])}
                   for row in rows if (masked := mask_personal_data(row.comment)) != row.comment_masked]
        if updates:
            db.session.execute(sa.update(Submission), updates)  # by primary key, one statement per batch
        changed += len(updates)
        last_id = rows[-1].id
    case_texts = _remask_case_texts(batch_size)
    audit.record(AdminAction.comments_remasked, "stored comments", actor=actor, now=now,
                 details={"submissions": changed, "case_texts": case_texts})
    return changed


#: What staff write that can quote a citizen's data: a note's text and a resolution's message.
_CASE_EVENT_TEXTS = {EventKind.note: "text", EventKind.resolution: "message"}


def _remask_case_texts(batch_size: int) -> int:
    """Mask the case notes and resolution messages again (kept masked since 27 Nov 2026, as typed
    before); returns how many changed."""
    changed, last_id = 0, 0
    while True:
        rows = db.session.execute(
            sa.select(CaseEvent.id, CaseEvent.kind, CaseEvent.detail)
            .where(CaseEvent.id > last_id, CaseEvent.kind.in_(list(_CASE_EVENT_TEXTS)))
            .order_by(CaseEvent.id).limit(batch_size)
        ).all()
        if not rows:
            break
        updates = []
        for row in rows:
            key = _CASE_EVENT_TEXTS[row.kind]
            text = (row.detail or {}).get(key)
            if isinstance(text, str) and (masked := mask_personal_data(text)) != text:
                updates.append({"id": row.id, "detail": {**row.detail, key: masked}})
        if updates:
            db.session.execute(sa.update(CaseEvent), updates)
        changed += len(updates)
        last_id = rows[-1].id
    last_id = 0
    while True:
        rows = db.session.execute(
            sa.select(Case.id, Case.resolution_message)
            .where(Case.id > last_id, Case.resolution_message != "").order_by(Case.id).limit(batch_size)
        ).all()
        if not rows:
            break
        updates = [{"id": row.id, "resolution_message": masked} for row in rows
                   if (masked := mask_personal_data(row.resolution_message)) != row.resolution_message]
        if updates:
            db.session.execute(sa.update(Case), updates)
        changed += len(updates)
        last_id = rows[-1].id
    return changed
