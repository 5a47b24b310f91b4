"""Statistics the database computes on both backends: epoch seconds, durations, the median.

PostgreSQL and SQLite spell these differently; callers get one expression and do not care which.
"""

from __future__ import annotations

import sqlalchemy as sa

from feedback.extensions import db

_UNIX_EPOCH_JULIAN_DAY = 2440587.5


def dialect() -> str:
    return db.session.get_bind().dialect.name


def number(value, digits: int = 2) -> float | None:
    """Round a figure the database computed, for display; None stays None."""
    return None if value is None else round(float(value), digits)


def epoch_seconds(column):
    if dialect() == "postgresql":
        return sa.extract("epoch", column)
    return (sa.func.julianday(column) - _UNIX_EPOCH_JULIAN_DAY) * 86400.0


def hours_between(start, end):
    if dialect() == "postgresql":
        return sa.extract("epoch", end - start) / 3600.0
    return (sa.func.julianday(end) - sa.func.julianday(start)) * 24.0


def median(expression, conditions, select_from) -> float | None:
    """The median of ``expression`` over rows matching ``conditions``, computed by the database."""
    if dialect() == "postgresql":
        value = db.session.scalar(
            sa.select(sa.func.percentile_cont(0.5).within_group(expression))
            .select_from(select_from).where(*conditions)
        )
        return None if value is None else float(value)
    # SQLite has no percentile function: count, then read the middle one or two values in order.
    n = db.session.scalar(sa.select(sa.func.count()).select_from(select_from).where(*conditions))
    if not n:
        return None
    middle = db.session.scalars(
        sa.select(expression).select_from(select_from).where(*conditions)
        .order_by(expression).offset((n - 1) // 2).limit(2 - n % 2)
    ).all()
    return sum(float(v) for v in middle) / len(middle)
