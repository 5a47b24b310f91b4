"""The kiosk abuse guard: a plain decision over one tablet's recent taps.

A shared tablet invites two kinds of noise: a finger that taps the same face twice (or a child
that keeps tapping), and someone trying to stuff the ratings. The first should count once; the
second is held back and reported rather than silently dropped, so an admin can see it happened.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

BURST_WINDOW = timedelta(minutes=1)


class GuardAction(enum.StrEnum):
    accept = "accept"
    #: The same answer again within the repeat window: count it once.
    repeat = "repeat"
    #: Over the tablet's limit per minute: keep it out of the figures and report it.
    hold = "hold"


@dataclass(frozen=True)
class RecentTap:
    created_dt: datetime
    rating: int
    comment_digest: str
    submission_id: int | None
    is_held: bool


@dataclass(frozen=True)
class GuardDecision:
    action: GuardAction
    #: For a repeat: the submission the first tap stored.
    repeat_of: int | None = None


def judge_tap(
    recent: Iterable[RecentTap],
    *,
    rating: int,
    comment_digest: str,
    now: datetime,
    repeat_seconds: int,
    burst_per_minute: int,
) -> GuardDecision:
    """Decide what to do with a new tap, given this kiosk's taps of at least the last minute."""
    counted = sorted(
        (t for t in recent if not t.is_held and t.submission_id is not None),
        key=lambda t: t.created_dt,
        reverse=True,
    )
    for tap in counted:
        if now - tap.created_dt > timedelta(seconds=repeat_seconds):
            break
        if tap.rating == rating and tap.comment_digest == comment_digest:
            return GuardDecision(GuardAction.repeat, repeat_of=tap.submission_id)
    in_last_minute = sum(1 for t in counted if now - t.created_dt < BURST_WINDOW)
    if in_last_minute >= burst_per_minute:
        return GuardDecision(GuardAction.hold)
    return GuardDecision(GuardAction.accept)
