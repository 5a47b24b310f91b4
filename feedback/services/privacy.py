"""Masking of personal data that citizens write into comments.

Officers, exports and training data see the masked text; only roles allowed to call citizens back
see the original. The patterns are the classifier's (``ml.privacy``), so what the model is kept
from learning and what officers are kept from seeing are the same things. A comment is masked when
it is stored; ``remask_stored_comments`` applies patterns that have changed since to the comments
stored before.
"""

from __future__ import annotations

from dataclasses import dataclass
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


def _rewrite_in_batches(query: sa.Select, model, rewrite, batch_size: int) -> int:
    """Rows of ``query`` (which selects ``model.id`` first), read in batches by id so that memory
    stays flat however many there are; ``rewrite(row)`` gives the changed values or None. Writes
    the changes by primary key, one statement per batch; returns how many rows changed."""
    changed, last_id = 0, 0
    while rows := db.session.execute(query.where(model.id > last_id).order_by(model.id).limit(batch_size)).all():
        updates = [{"id": row.id, **values} for row in rows if (values := rewrite(row)) is not None]
        if updates:
            db.session.execute(sa.update(model), updates)
        changed += len(updates)
        last_id = rows[-1].id
    return changed


def _remasked_comment(row) -> dict | None:
    masked = mask_personal_data(row.comment)
    if masked == row.comment_masked:
        return None
    return {"comment_masked": masked, "model_reasons": reasons_in(masked, row.model_reasons or [])}


@dataclass(frozen=True)
class Remasked:
    #: Submissions whose masked comment changed.
    submissions: int
    #: Case notes and resolution messages that changed.
    case_texts: int


def remask_stored_comments(*, now: datetime, actor: User | None = None, batch_size: int = 1000) -> Remasked:
    """Mask every stored comment again with today's patterns; returns how many texts changed.

    Reads the comments in batches by id, so memory stays flat however many there are, and writes
    only those whose masked text differs, with the model's reasons that the new text still shows.
    Case notes and resolution messages are masked again too. The run is logged in the
    administration log. Flushes; the caller commits.
    """
    changed = _rewrite_in_batches(
        sa.select(Submission.id, Submission.comment, Submission.comment_masked, Submission.model_reasons)
        .where(Submission.comment != ""),
        Submission, _remasked_comment, batch_size)
    case_texts = _rewrite_in_batches(
        sa.select(CaseEvent.id, CaseEvent.kind, CaseEvent.detail).where(CaseEvent.kind.in_(list(_CASE_EVENT_TEXTS))),
        CaseEvent, _remasked_event, batch_size)
    case_texts += _rewrite_in_batches(
        sa.select(Case.id, Case.resolution_message).where(Case.resolution_message != ""),
        Case, _remasked_resolution, batch_size)
    audit.record(AdminAction.comments_remasked, "stored comments", actor=actor, now=now,
                 details={"submissions": changed, "case_texts": case_texts})
    return Remasked(submissions=changed, case_texts=case_texts)


#: What staff write that can quote a citizen's data (kept masked since 27 Nov 2026, as typed
#: before): a note's text and a resolution's message.
_CASE_EVENT_TEXTS = {EventKind.note: "text", EventKind.resolution: "message"}


def _remasked_event(row) -> dict | None:
    key = _CASE_EVENT_TEXTS[row.kind]
    text = (row.detail or {}).get(key)
    if not isinstance(text, str) or (masked := mask_personal_data(text)) == text:
        return None
    return {"detail": {**row.detail, key: masked}}


def _remasked_resolution(row) -> dict | None:
    masked = mask_personal_data(row.resolution_message)
    return None if masked == row.resolution_message else {"resolution_message": masked}
