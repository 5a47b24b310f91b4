"""Validation of a citizen's feedback, shared by the survey page and the JSON API."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from feedback.fields import PageForm
from feedback.models import Submission
from feedback.services.submit import FeedbackInput

COMMENT_MAX_LENGTH = 2000
DESK_MAX_LENGTH = 20
# Tabs and line breaks are fine in a comment; other control characters are not text, and invisible
# characters and direction marks can make a comment read otherwise than it is stored: the zero-width
# space U+200B, word joiner and invisible operators U+2060-U+2064, the zero-width no-break space
# U+FEFF, and the direction marks U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069. The
# zero-width (non-)joiners U+200C and U+200D stay: phones put them inside emoji such as 🤦‍♂️ or 👨‍👩‍👧.
# The soft hyphen U+00AD stays too: it only marks where a long word may break.
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)


#: Shown when a form already sent comes back changed (the browser's Back button, a second tap): the
#: first answer stays stored, and the page offers to send the changed one as new feedback.
RESENT_CHANGED = _l(
    "This form had already been sent, so your changes were not saved. Send it again to store them as new feedback."
)

#: Shown when the form's CSRF token no longer holds: the page was open longer than
#: WTF_CSRF_TIME_LIMIT, or the phone's browser forgot its session cookie meanwhile. The answers come
#: back filled in, with a fresh token, rather than on an error page that loses them.
FORM_EXPIRED = _l(
    "This page was open for a long time, so your answers were not sent yet. They are still here: "
    "please check them and send them again."
)


#: A page's form carries a random key (a UUID's 32 hex digits) so a form sent twice is stored once.
_FORM_KEY = re.compile(r"[A-Za-z0-9_-]{8,128}")
_KEY_COLUMN_LENGTH = Submission.idempotency_key.type.length


def form_idempotency_key(value: str | None, *, prefix: str = "") -> str | None:
    """The idempotency key to store for a key a page's form sent, with ``prefix`` (a channel's), or
    None if the value is no key or the two together would not fit the column. A whole-string match:
    with ``$`` a key followed by a line break passed, one character longer than the column."""
    if not value or not _FORM_KEY.fullmatch(value) or len(prefix + value) > _KEY_COLUMN_LENGTH:
        return None
    return prefix + value


def has_control_characters(text: str | None) -> bool:
    """Whether ``text`` holds a character that is not text or hides how it reads (see _CONTROL)."""
    return bool(text and _CONTROL.search(text))


def desk_from_link(desk: str) -> str:
    """The desk a QR code's link names (``?desk=``), or "" if the form would refuse it: the citizen
    cannot change what the poster says, so the feedback goes in without the desk rather than not at all."""
    return desk if len(desk) <= DESK_MAX_LENGTH and not has_control_characters(desk) else ""


def _no_control_characters(form, field):
    if has_control_characters(field.data):
        raise ValidationError(_l("The text contains characters that cannot be stored."))


class _WholeNumberField(IntegerField):
    """An IntegerField whose "not a number" is reported by the range check, in the page's language.

    WTForms' own message for it has no Azerbaijani translation, and one clear message beats two.
    """

    def process_formdata(self, valuelist):
        if valuelist and not str(valuelist[0]).strip():
            return  # left blank: no answer (None), which Optional accepts and InputRequired refuses
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = 0  # outside 1..5, so NumberRange explains what is expected


def _rating(label, required=False):
    validators = [
        InputRequired(message=_l("Please choose a rating from 1 to 5."))
        if required
        else Optional(),
        NumberRange(min=1, max=5, message=_l("The rating must be a whole number from 1 to 5.")),
    ]
    return _WholeNumberField(label, validators=validators)


class FeedbackForm(PageForm):
    """One visit's feedback. The API uses it with CSRF off and JSON mapped onto the same fields."""

    class Meta:
        locales = False

    # Fields without a label get one from WTForms' own catalogue, which Flask-WTF reads from disk on
    # every request that builds the form; these labels are never shown (the template writes its own),
    # so they are plain strings.
    service = HiddenField(
        "Service", validators=[Optional(), Length(max=40, message=_l("Choose a service from the list."))]
    )
    desk = HiddenField(
        "Desk", validators=[Optional(), Length(max=DESK_MAX_LENGTH, message=_l("The desk can be at most %(max)d characters.")),
                            _no_control_characters]
    )
    rating = _rating(_l("How was your visit overall?"), required=True)
    waiting_rating = _rating(_l("Waiting time"))
    courtesy_rating = _rating(_l("Staff courtesy"))
    matter_resolved = StringField(_l("Was your matter resolved?"), validators=[Optional()])
    comment = TextAreaField(
        _l("Anything to add? (optional)"),
        validators=[
            Optional(),
            Length(max=COMMENT_MAX_LENGTH, message=_l("The comment can be at most %(max)d characters.")),
            _no_control_characters,
        ],
    )
    contact = StringField(
        _l("Phone or e-mail, if you want us to contact you"),
        validators=[Optional(), Length(max=200, message=_l("The contact can be at most %(max)d characters.")),
                    _no_control_characters],
    )
    consent = BooleanField(_l("I agree that my contact details are used to follow up this feedback."))
    #: Bots fill every field; people never see this one.
    website = StringField("Website", validators=[Optional()])

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        token = getattr(self, "csrf_token", None)  # the API's form has CSRF off
        if token is not None and token.errors:
            # Flask-WTF's English message names a token the citizen has never heard of.
            token.errors = []
            self.form_errors.append(FORM_EXPIRED)
        return valid

    def validate_matter_resolved(self, field):
        if field.data not in ("yes", "no"):
            raise ValidationError(_l("Please answer yes or no."))

    def validate_consent(self, field):
        if (self.contact.data or "").strip() and not field.data:
            raise ValidationError(_l("Please tick the box to let us use your contact details."))

    def is_probably_bot(self) -> bool:
        return bool((self.website.data or "").strip())

    def to_input(self, *, center_code: str, language: str) -> FeedbackInput:
        resolved = {"yes": True, "no": False}.get(self.matter_resolved.data or "")
        contact = (self.contact.data or "").strip() or None
        return FeedbackInput(
            center_code=center_code,
            service_code=(self.service.data or "").strip() or None,
            desk=(self.desk.data or "").strip() or None,
            rating=self.rating.data,
            waiting_rating=self.waiting_rating.data,
            courtesy_rating=self.courtesy_rating.data,
            is_matter_resolved=resolved,
            comment=(self.comment.data or "").strip(),
            language=language,
            contact=contact if self.consent.data else None,
            is_contact_consented=bool(contact and self.consent.data),
        )
