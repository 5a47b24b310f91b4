"""Column helpers shared by the models."""

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite has no timezone type, so without this a value written aware comes back naive there and
    comparisons between the two backends disagree.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given; use timezone-aware UTC")
            value = value.astimezone(timezone.utc)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


def localized(names: dict | None, locale: str, fallback: str = "az") -> str:
    """Pick a name for the locale from a {lang: name} mapping, falling back sensibly."""
    names = names or {}
    return names.get(locale) or names.get(fallback) or next(iter(names.values()), "")
