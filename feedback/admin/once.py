"""Forms that create something and answer with its secret (an API key, a kiosk's registration code).

The page with the secret answers a POST, so reloading it sends the form again and would create a
second one. Each form shown carries a one-time value, also kept in the session; a post counts only
with a value the session holds, and takes it.

The session keeps the values of the last few forms shown, not only the newest: an administrator
with the page open in two tabs can send either. A spent value is remembered for a while too, so
that a form sent again is told apart from one that is merely old.
"""

from __future__ import annotations

import enum
import secrets

from flask import flash, redirect, session, url_for
from wtforms import HiddenField

#: How many forms shown (and how many sent) the session remembers per purpose. The session is a
#: cookie: ten values of 22 characters each way stay well within its 4 KB.
_REMEMBERED = 10


class Once(enum.Enum):
    first = "first"      # the first post of a form shown: go ahead
    again = "again"      # this form was sent before: whatever it made was shown once already
    unknown = "unknown"  # not a form this session showed lately (too old, or another session's)


class OnceField(HiddenField):
    """The one-time value of a form; ``arm`` it before showing the form, ``spend`` it on a post."""

    def arm(self, purpose: str) -> None:
        self.data = secrets.token_urlsafe(16)
        session[_key(purpose)] = (_values(_key(purpose)) + [self.data])[-_REMEMBERED:]

    def spend(self, purpose: str) -> Once:
        """Whether this post is the first of a form shown; either way the value is used up."""
        armed = _values(_key(purpose))
        if self.data and self.data in armed:
            session[_key(purpose)] = [value for value in armed if value != self.data]
            spent_key = _key(purpose, spent=True)
            session[spent_key] = (_values(spent_key) + [self.data])[-_REMEMBERED:]
            return Once.first
        if self.data and self.data in _values(_key(purpose, spent=True)):
            return Once.again
        return Once.unknown

    def refusal(self, purpose: str, *, again: str, too_old: str, back_to: str):
        """A redirect to ``back_to`` with the message that fits, unless this is the form's first post."""
        once = self.spend(purpose)
        if once is Once.first:
            return None
        if once is Once.again:
            flash(again, "info")
        else:
            flash(too_old, "error")
        return redirect(url_for(back_to), 303)


def _values(key: str) -> list[str]:
    kept = session.get(key)
    # Sessions from before the list kept a single value.
    if isinstance(kept, str):
        return [kept]
    return [value for value in kept if isinstance(value, str)] if isinstance(kept, list) else []


def _key(purpose: str, *, spent: bool = False) -> str:
    return f"once-spent:{purpose}" if spent else f"once:{purpose}"
