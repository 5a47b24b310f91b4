"""Public reference numbers that people can read aloud over the phone."""

import secrets

#: No 0/O or 1/I: they are confused when read aloud or copied from a screen.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_GROUP = 4


def new_reference() -> str:
    """Return a random reference like ``K7PW-4QX2`` (32**8, about 10**12 possibilities)."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(2 * _GROUP))
    return f"{chars[:_GROUP]}-{chars[_GROUP:]}"


def normalise_reference(text: str) -> str:
    """Accept what a citizen types: any case, spaces or no dash; empty when it cannot be one."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(cleaned) != 2 * _GROUP or any(ch not in ALPHABET for ch in cleaned):
        return ""
    return f"{cleaned[:_GROUP]}-{cleaned[_GROUP:]}"
