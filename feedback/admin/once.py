"""Forms that create something and answer with its secret (an API key, a kiosk's registration code).

The page with the secret answers a POST, so reloading it sends the form again and would create a
second one. Each form shown carries a one-time value, also kept in the session; a post counts only
with the value the session holds, and takes it.
"""

from __future__ import annotations

import secrets

from flask import session
from wtforms import HiddenField


class OnceField(HiddenField):
    """The one-time value of a form; ``arm`` it before showing the form, ``spend`` it on a post."""

    def arm(self, purpose: str) -> None:
        self.data = session[_key(purpose)] = secrets.token_urlsafe(16)

    def spend(self, purpose: str) -> bool:
        """Whether this post is the first of the form shown; either way the value is used up."""
        kept = session.pop(_key(purpose), None)
        return bool(self.data) and self.data == kept


def _key(purpose: str) -> str:
    return f"once:{purpose}"
