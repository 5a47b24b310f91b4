"""One way to store bearer secrets (API keys, kiosk tokens, visit links): their SHA-256, never the value.

The secrets are long random strings, so a fast unsalted hash is enough to make a stolen table useless,
and it lets a lookup find the row by its hash in one indexed query.
"""

from __future__ import annotations

import hashlib


def digest(value: str) -> str:
    """Hex SHA-256 of ``value``, the form in which secrets are stored and compared."""
    return hashlib.sha256(value.encode()).hexdigest()
