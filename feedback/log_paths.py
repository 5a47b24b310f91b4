"""What of a request's address goes into a log line.

Logs are kept longer than secrets last and read by more people than should hold them. A visit link
(``/v/<token>``) lets whoever has it give that visit's feedback, and a kiosk's registration code
comes in the query string; neither belongs in the access log or an error line. Query strings are
left out altogether: the pages that take one (filters, a language) are told apart by their path.
"""

from __future__ import annotations

import re

_VISIT_LINK = re.compile(r"^/v/[^/]+")


def loggable_path(path: str | None) -> str:
    """``path`` (no query string) with a visit link's token replaced by ``…``."""
    return _VISIT_LINK.sub("/v/…", path or "")
