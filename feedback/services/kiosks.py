"""Kiosk tablets: register with a one-time code, recognise the device, revoke, take ratings."""

from __future__ import annotations

import hmac
import logging
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from feedback.extensions import db
from feedback.services.digests import digest
from feedback.models import AdminAction, Center, Channel, Kiosk, KioskTap, Submission, User
from feedback.services import audit
from feedback.services.kiosk_guard import BURST_WINDOW, GuardAction, RecentTap, judge_tap
from feedback.services.references import new_reference
from feedback.services.submit import FeedbackInput, submit_feedback
from feedback.services.triage import TriageRules

log = logging.getLogger(__name__)
# The page and a rating both mark the tablet as seen; once a minute is enough to tell "alive".
_SEEN_RESOLUTION = timedelta(minutes=1)


class KioskRegistrationError(ValueError):
    """The registration code is unknown, used or expired."""


@dataclass(frozen=True)
class KioskOutcome:
    action: GuardAction
    #: The submission stored (accept) or first stored (repeat); None when the tap was held.
    submission: Submission | None



def normalise_code(code: str) -> str:
    """Registration codes look like references (``K7PW-4QX2``); accept them typed loosely."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return f"{cleaned[:4]}-{cleaned[4:]}" if len(cleaned) == 8 else cleaned


def create_kiosk(
    center: Center, desk: str, *, label: str = "", is_contact_enabled: bool = False,
    registration_ttl: timedelta, now: datetime | None = None, actor: User | None = None,
) -> tuple[Kiosk, str]:
    """Add a kiosk and return it with its one-time registration code; flush, do not commit."""
    desk = desk.strip()
    if not desk or len(desk) > 20:
        raise ValueError("the desk must be 1 to 20 characters")
    now = now or datetime.now(timezone.utc)
    kiosk = Kiosk(center=center, desk=desk, label=label.strip()[:80],
                  is_contact_enabled=is_contact_enabled, created_dt=now)
    db.session.add(kiosk)
    code = _new_code(kiosk, registration_ttl, now)
    audit.record(AdminAction.kiosk_added, _subject(kiosk), actor=actor, now=now,
                 details={"label": kiosk.label, "contact": is_contact_enabled})
    log.info("created kiosk %s for %s desk %s", kiosk.id, center.code, desk)
    return kiosk, code


def _subject(kiosk: Kiosk) -> str:
    return f"{kiosk.center.code} · {kiosk.desk}"


def _new_code(kiosk: Kiosk, registration_ttl: timedelta, now: datetime) -> str:
    code = new_reference()
    kiosk.registration_code_hash = digest(code)
    kiosk.registration_expires_dt = now + registration_ttl
    db.session.flush()
    return code


def renew_registration_code(kiosk: Kiosk, *, registration_ttl: timedelta, now: datetime | None = None,
                            actor: User | None = None) -> str:
    """Give the kiosk a fresh one-time code (e.g. to move it to a new tablet); flush, do not commit."""
    if kiosk.is_revoked:
        raise ValueError("a revoked kiosk cannot be registered again; create a new one")
    now = now or datetime.now(timezone.utc)
    code = _new_code(kiosk, registration_ttl, now)
    audit.record(AdminAction.kiosk_code_renewed, _subject(kiosk), actor=actor, now=now)
    return code


def redeem_registration_code(code: str, *, now: datetime | None = None) -> tuple[Kiosk, str]:
    """Turn a one-time code into the tablet's device token; the old tablet, if any, stops working."""
    now = now or datetime.now(timezone.utc)
    kiosk = db.session.scalar(
        sa.select(Kiosk).where(Kiosk.registration_code_hash == digest(normalise_code(code)))
    )
    if kiosk is None or kiosk.is_revoked:
        raise KioskRegistrationError("unknown code")
    if kiosk.registration_expires_dt is None or now >= kiosk.registration_expires_dt:
        raise KioskRegistrationError("expired code")
    token = secrets.token_urlsafe(32)
    kiosk.device_token_hash = digest(token)
    kiosk.registration_code_hash = None
    kiosk.registration_expires_dt = None
    kiosk.registered_dt = now
    kiosk.last_seen_dt = now
    db.session.flush()
    log.info("kiosk %s registered on a tablet", kiosk.id)
    return kiosk, token


def kiosk_for_device(kiosk_id: int, token: str) -> Kiosk | None:
    """The registered, unrevoked kiosk whose device token this is."""
    kiosk = db.session.get(Kiosk, kiosk_id)
    if kiosk is None or kiosk.is_revoked or kiosk.device_token_hash is None:
        return None
    if not hmac.compare_digest(kiosk.device_token_hash, digest(token)):
        return None
    return kiosk


def mark_seen(kiosk: Kiosk, now: datetime | None = None) -> bool:
    """Note that the tablet is alive; True when the row changed and needs a commit."""
    now = now or datetime.now(timezone.utc)
    if kiosk.last_seen_dt is None or now - kiosk.last_seen_dt >= _SEEN_RESOLUTION:
        kiosk.last_seen_dt = now
        return True
    return False


def revoke_kiosk(kiosk: Kiosk, *, now: datetime | None = None, actor: User | None = None) -> None:
    """Stop the tablet: its device token and any pending code no longer work; flush."""
    if kiosk.revoked_dt is None:
        kiosk.revoked_dt = now or datetime.now(timezone.utc)
        kiosk.registration_code_hash = None
        db.session.flush()
        audit.record(AdminAction.kiosk_revoked, _subject(kiosk), actor=actor, now=kiosk.revoked_dt)
        log.info("revoked kiosk %s", kiosk.id)


def _recent_taps(kiosk: Kiosk, since: datetime) -> list[RecentTap]:
    rows = db.session.execute(
        sa.select(KioskTap.created_dt, KioskTap.rating, KioskTap.comment_digest,
                  KioskTap.submission_id, KioskTap.is_held)
        .where(KioskTap.kiosk_id == kiosk.id, KioskTap.created_dt >= since)
    ).all()
    return [RecentTap(*row) for row in rows]


#: How long a kiosk's taps are kept: the guard reads the last minutes, the admin's list the last day.
TAP_HISTORY = timedelta(days=2)


def tap_digest(comment: str, key: str | bytes) -> str:
    """What a tap keeps of its comment, so that the guard recognises an identical repeat: a keyed
    hash (HMAC-SHA-256 with the app's secret key). A plain hash of a short comment, or of one with
    a phone number in it, could be reversed by trying every candidate."""
    key = key.encode() if isinstance(key, str) else key
    return hmac.new(key, comment.encode(), "sha256").hexdigest()


def record_kiosk_rating(
    kiosk: Kiosk,
    data: FeedbackInput,
    *,
    classifier,
    rules: TriageRules,
    repeat_seconds: int,
    burst_per_minute: int,
    tap_key: str | bytes,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> KioskOutcome:
    """Store a kiosk's rating unless the guard counts it as a repeat or holds it back; commit.
    ``tap_key`` keys the hash a tap keeps of its comment (``tap_digest``)."""
    now = now or datetime.now(timezone.utc)
    # Taps older than any reader needs go, so the table keeps no lasting trace of comments.
    db.session.execute(sa.delete(KioskTap).where(KioskTap.kiosk_id == kiosk.id,
                                                 KioskTap.created_dt < now - TAP_HISTORY))
    comment_digest = tap_digest(data.comment, tap_key)
    window = max(BURST_WINDOW, timedelta(seconds=repeat_seconds))
    decision = judge_tap(
        _recent_taps(kiosk, now - window), rating=data.rating, comment_digest=comment_digest, now=now,
        repeat_seconds=repeat_seconds, burst_per_minute=burst_per_minute,
    )
    if decision.action is GuardAction.repeat:
        mark_seen(kiosk, now)
        db.session.commit()
        return KioskOutcome(decision.action, db.session.get(Submission, decision.repeat_of))
    if decision.action is GuardAction.hold:
        db.session.add(KioskTap(kiosk_id=kiosk.id, created_dt=now, rating=data.rating,
                                comment_digest=comment_digest, is_held=True))
        mark_seen(kiosk, now)
        db.session.commit()
        log.warning("kiosk %s (%s desk %s): burst over %s a minute, rating held back",
                    kiosk.id, kiosk.center.code, kiosk.desk, burst_per_minute)
        return KioskOutcome(decision.action, None)
    kiosk_id = kiosk.id
    data = replace(data, center_code=kiosk.center.code, desk=kiosk.desk, service_code=None)
    outcome = submit_feedback(data, channel=Channel.kiosk, classifier=classifier, rules=rules,
                              idempotency_key=idempotency_key, now=now)
    if outcome.is_created:
        # Recorded after the submission's own commit: the tap log feeds only the guard and the
        # admin's counters, so a lost row here costs one tap of history, never a submission.
        db.session.add(KioskTap(kiosk_id=kiosk_id, created_dt=now, rating=data.rating,
                                comment_digest=comment_digest, submission_id=outcome.submission.id))
    mark_seen(db.session.get(Kiosk, kiosk_id), now)
    db.session.commit()
    return KioskOutcome(GuardAction.accept, outcome.submission)


def held_taps_since(kiosk_ids: list[int], since: datetime) -> dict[int, int]:
    """How many taps each kiosk had held back since a moment, for the admin's list."""
    if not kiosk_ids:
        return {}
    rows = db.session.execute(
        sa.select(KioskTap.kiosk_id, sa.func.count())
        .where(KioskTap.kiosk_id.in_(kiosk_ids), KioskTap.is_held.is_(True), KioskTap.created_dt >= since)
        .group_by(KioskTap.kiosk_id)
    ).all()
    return dict(rows)
