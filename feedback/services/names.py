"""Whether a name an administrator typed can be shown as it reads.

Center, service and region names go on the survey page and printed posters, staff names into the
audit trails. A control character or an invisible direction mark pasted in with them (a word
processor's vertical tab, a right-to-left override, a zero-width space) would show as a box or make
the name read otherwise than it is stored. The characters are those a comment may not hold
(feedback.validation), and line breaks and tabs too: a name is one line. The zero-width joiner
stays, as inside emoji such as 👨‍👩‍👧.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _

_UNSHOWABLE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e\u2028\u2029\u2060-\u2064\u2066-\u2069\ufeff]"
)


def is_showable(name: str | None) -> bool:
    """Whether ``name`` holds no character that is not text or that hides how it reads."""
    return not (name and _UNSHOWABLE.search(name))


def unshowable_message() -> str:
    """What a form says of a name that is not ``is_showable``, in the reader's language."""
    return _("The name contains characters that cannot be shown.")
