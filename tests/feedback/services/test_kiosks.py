"""What a kiosk's tap log keeps of a comment: a keyed hash, for a short while, and nothing once erased."""

import hashlib
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from factories import make_center, make_kiosk
from feedback.extensions import db
from feedback.models import Kiosk, KioskTap
from feedback.services.kiosks import TAP_HISTORY, GuardAction, record_kiosk_rating, tap_digest
from feedback.services.retention import erase_on_request
from feedback.services.submit import FeedbackInput
from feedback.services.triage import TriageRules

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)
COMMENT = "Zəng edin 050 123 45 67"
RULES = TriageRules()


class _NoModel:
    def judge(self, text):
        return None


def _tap(kiosk_id, now, comment=COMMENT, key="the app's secret"):
    return record_kiosk_rating(
        db.session.get(Kiosk, kiosk_id), FeedbackInput(center_code="hall-1", rating=2, language="az", comment=comment),
        classifier=_NoModel(), rules=RULES, repeat_seconds=60, burst_per_minute=10, tap_key=key, now=now)


def _digests():
    return db.session.scalars(sa.select(KioskTap.comment_digest).order_by(KioskTap.id)).all()


def test_a_tap_keeps_a_keyed_hash_that_still_catches_repeats(app_ctx):
    kiosk_id, _ = make_kiosk(make_center("hall-1"))
    assert _tap(kiosk_id, NOW).action is GuardAction.accept
    assert _tap(kiosk_id, NOW + timedelta(seconds=5)).action is GuardAction.repeat
    (kept,) = _digests()
    assert kept == tap_digest(COMMENT, "the app's secret")
    # A plain hash of a short comment can be reversed by trying every phone number; this one can't
    # without the key.
    assert kept != hashlib.sha256(COMMENT.encode()).hexdigest() and kept != tap_digest(COMMENT, "another key")


def test_taps_older_than_any_reader_needs_are_dropped(app_ctx):
    kiosk_id, _ = make_kiosk(make_center("hall-1"))
    _tap(kiosk_id, NOW, comment="first")
    _tap(kiosk_id, NOW + TAP_HISTORY - timedelta(minutes=1), comment="second")
    assert len(_digests()) == 2
    _tap(kiosk_id, NOW + TAP_HISTORY + timedelta(minutes=1), comment="third")
    assert _digests() == [tap_digest(c, "the app's secret") for c in ("second", "third")]


def test_erasure_takes_the_taps_hash_of_the_comment_too(app_ctx):
    kiosk_id, _ = make_kiosk(make_center("hall-1"))
    submission = _tap(kiosk_id, NOW).submission
    erase_on_request(submission, now=NOW)
    db.session.commit()
    assert _digests() == [""]
