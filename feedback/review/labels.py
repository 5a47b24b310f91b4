"""What the case page calls the codes stored with a case: why it was flagged, what happened in its
trail, the officer's verdict. The stored values stay codes; the page shows them in its language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from feedback.models import EventKind
from feedback.services.triage import FlagReason

REASON_LABELS = {
    FlagReason.low_rating: _l("low rating"),
    FlagReason.model: _l("the model read a complaint"),
    FlagReason.mismatch: _l("high rating beside a clear complaint"),
    FlagReason.integrity: _l("bribery or extortion"),
    FlagReason.safety: _l("threat or danger"),
}

EVENT_LABELS = {
    EventKind.opened: _l("opened"),
    EventKind.status_changed: _l("status changed"),
    EventKind.assigned: _l("assigned"),
    EventKind.note: _l("note"),
    EventKind.resolution: _l("resolved with a message"),
    EventKind.labelled: _l("verdict"),
    EventKind.contact_viewed: _l("contact details viewed"),
    EventKind.personal_data_erased: _l("personal data erased"),
}

#: The verdict as the trail stores it: True, False, or None when the label was taken back.
VERDICT_LABELS = {True: _l("A real complaint"), False: _l("Not a complaint"), None: _l("Not judged")}
