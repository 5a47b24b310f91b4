"""Admin forms: centers, services, users."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from feedback.fields import StaffForm
from feedback.models import Role
from feedback.models.center import CODE_PATTERN

ROLE_LABELS = {
    Role.officer: _l("Officer"),
    Role.supervisor: _l("Supervisor"),
    Role.integrity: _l("Integrity officer"),
    Role.admin: _l("Administrator"),
}
_CODE = Regexp(CODE_PATTERN, message=_l("Use 2–40 lower-case letters, digits and dashes."))


class CenterForm(StaffForm):
    code = StringField(_l("Code (used in QR links)"), validators=[DataRequired(), _CODE])
    name_az = StringField(_l("Name in Azerbaijani"), validators=[DataRequired(), Length(max=200)])
    name_ru = StringField(_l("Name in Russian"), validators=[Optional(), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=200)])
    region = StringField(_l("Region"), validators=[Optional(), Length(max=80)])
    is_active = BooleanField(_l("Takes feedback"), default=True)


class ServiceForm(StaffForm):
    code = StringField(_l("Code"), validators=[DataRequired(), _CODE])
    name_az = StringField(_l("Name in Azerbaijani"), validators=[DataRequired(), Length(max=200)])
    name_ru = StringField(_l("Name in Russian"), validators=[Optional(), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=200)])
    position = IntegerField(_l("Position"), default=0, validators=[Optional(), NumberRange(min=0, max=999)])
    is_active = BooleanField(_l("Offered"), default=True)


class UserForm(StaffForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=40)])
    display_name = StringField(_l("Full name"), validators=[Optional(), Length(max=120)])
    role = SelectField(_l("Role"), choices=[(r.value, label) for r, label in ROLE_LABELS.items()])
    region = StringField(_l("Region (supervisors; empty = all)"), validators=[Optional(), Length(max=80)])
    centers = SelectMultipleField(_l("Centers (officers)"), choices=[], validate_choice=False)
    password = PasswordField(_l("Password"), validators=[Optional(), Length(max=256)])


class UserStateForm(StaffForm):
    """CSRF only: enable/disable are posted buttons."""
