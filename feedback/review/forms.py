"""Forms of the officers' pages. Choices that depend on the user are filled in by the views."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional

from feedback.fields import DayField, StaffForm
from feedback.models import CaseStatus, Priority, ResolutionCategory
from feedback.services.cases import CATEGORY_LABELS, MESSAGE_MAX_LENGTH, NOTE_MAX_LENGTH, STATUS_LABELS

PRIORITY_LABELS = {Priority.urgent: _l("Urgent"), Priority.high: _l("High"), Priority.normal: _l("Normal")}


class LoginForm(StaffForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=40)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])


class CodeForm(StaffForm):
    """A code from an authenticator app: signing in, or confirming the app during set-up."""

    code = StringField(
        _l("Code from your authenticator app"),
        validators=[DataRequired(), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class TwoFactorSetupForm(CodeForm):
    """Confirming the app, with the password: a session left open at a desk must not be enough to
    put someone else's phone on the account and lock its owner out."""

    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=256)],
                                     render_kw={"autocomplete": "current-password"})


class PasswordChangeForm(StaffForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=256)])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=256)])
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two new passwords differ."))],
    )


class StatusForm(StaffForm):
    to = SelectField(
        _l("New status"),
        choices=[(s.value, STATUS_LABELS[s]) for s in CaseStatus],
        validators=[InputRequired()],
    )
    #: The status the page showed: a button on a page loaded before a colleague's change must not
    #: undo it (reopen a case just resolved, with the citizen already told). Pages served before
    #: this field send none, and are not checked.
    seen = SelectField(choices=[("", "")] + [(s.value, s.value) for s in CaseStatus], validators=[Optional()])


class AssignForm(StaffForm):
    #: A user id, or "" for nobody; choices are the colleagues who can see the case.
    assignee = SelectField(_l("Assigned to"), choices=[], validate_choice=False)


class NoteForm(StaffForm):
    text = TextAreaField(
        _l("Internal note"),
        validators=[DataRequired(message=_l("The note is empty.")), Length(max=NOTE_MAX_LENGTH)],
    )


class ResolveForm(StaffForm):
    category = SelectField(
        _l("Resolution category"),
        choices=[("", _l("Choose…"))] + [(c.value, CATEGORY_LABELS[c]) for c in ResolutionCategory],
        validators=[DataRequired(message=_l("Choose a resolution category."))],
    )
    message = TextAreaField(
        _l("Message for the citizen"),
        validators=[
            DataRequired(message=_l("Write a message for the citizen: it is shown on their status page.")),
            Length(max=MESSAGE_MAX_LENGTH),
        ],
    )


class LabelForm(StaffForm):
    verdict = SelectField(
        _l("Your verdict"),
        choices=[
            ("complaint", _l("A real complaint")),
            ("not_complaint", _l("Not a complaint")),
            ("clear", _l("Not judged")),
        ],
        validators=[InputRequired()],
    )


class RevealForm(StaffForm):
    """Only the CSRF token: revealing contact details is a logged POST, not a link."""

    reveal = HiddenField(default="1")


class QueueFilterForm(StaffForm):
    """Filters in the query string; a GET form needs no CSRF token."""

    class Meta:
        csrf = False

    center = SelectField(_l("Center"), default="", choices=[], validate_choice=False)
    service = SelectField(_l("Service"), default="", choices=[], validate_choice=False)
    status = SelectField(
        _l("Status"),
        default="", choices=[("", _l("Open"))] + [(s.value, STATUS_LABELS[s]) for s in CaseStatus] + [("all", _l("All"))],
    )
    priority = SelectField(
        _l("Priority"), default="", choices=[("", _l("Any"))] + [(p.value, PRIORITY_LABELS[p]) for p in Priority]
    )
    language = SelectField(
        _l("Language"), default="", choices=[("", _l("Any")), ("az", "Azərbaycanca"), ("ru", "Русский"), ("en", "English")]
    )
    date_from = DayField(_l("Opened from"), validators=[Optional()])
    date_to = DayField(_l("Opened until"), validators=[Optional()])
    overdue = SelectField(_l("Overdue"), default="", choices=[("", _l("Any")), ("1", _l("Overdue only"))])
    mine = SelectField(_l("Assigned"), default="", choices=[("", _l("Anyone")), ("1", _l("To me"))])
