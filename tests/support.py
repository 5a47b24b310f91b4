"""Helpers that test modules import by name.

They live here rather than in ``conftest.py`` because ``tests/ml`` has a conftest of its own, and
``from support import ...`` would pick whichever of the two Python imported first.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from feedback.config import sqlalchemy_url

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "ml" / "corpus"
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])

_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _postgres_url() -> str:
    return sqlalchemy_url(os.environ["TEST_DATABASE_URL"])


def csrf_token_from(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)
