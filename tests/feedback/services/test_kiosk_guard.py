"""The kiosk abuse guard as a plain function: repeats count once, bursts are held."""

from datetime import datetime, timedelta, timezone

from feedback.services.kiosk_guard import GuardAction, RecentTap, judge_tap

NOW = datetime(2026, 5, 4, 10, 0, 0, tzinfo=timezone.utc)


def _tap(seconds_ago, rating=5, digest="d0", submission_id=1, is_held=False):
    return RecentTap(NOW - timedelta(seconds=seconds_ago), rating, digest, submission_id, is_held)


def _judge(recent, rating=5, digest="d0", repeat_seconds=5, burst=3):
    return judge_tap(recent, rating=rating, comment_digest=digest, now=NOW,
                     repeat_seconds=repeat_seconds, burst_per_minute=burst)


def test_first_tap_is_accepted():
    assert _judge([]).action is GuardAction.accept


def test_same_answer_within_the_window_counts_once():
    decision = _judge([_tap(2, submission_id=41)])
    assert decision.action is GuardAction.repeat and decision.repeat_of == 41


def test_the_newest_matching_tap_is_the_one_repeated():
    decision = _judge([_tap(4, submission_id=40), _tap(1, submission_id=42)])
    assert decision.repeat_of == 42


def test_a_different_face_or_comment_is_a_new_answer():
    assert _judge([_tap(2, rating=4)]).action is GuardAction.accept
    assert _judge([_tap(2, digest="other")]).action is GuardAction.accept


def test_the_same_answer_after_the_window_is_a_new_person():
    assert _judge([_tap(6)]).action is GuardAction.accept


def test_a_burst_over_the_limit_is_held():
    recent = [_tap(10, rating=1), _tap(20, rating=2), _tap(30, rating=3)]
    assert _judge(recent, rating=4).action is GuardAction.hold


def test_taps_older_than_a_minute_do_not_count_toward_the_burst():
    recent = [_tap(61, rating=1), _tap(70, rating=2), _tap(30, rating=3)]
    assert _judge(recent, rating=4).action is GuardAction.accept


def test_held_taps_neither_count_nor_serve_as_the_first_of_a_repeat():
    recent = [_tap(1, submission_id=None, is_held=True)] * 5
    assert _judge(recent).action is GuardAction.accept
