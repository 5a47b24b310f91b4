"""Admin pages for API keys: list them, issue one and show its secret once, revoke one.

The same service functions as ``flask --app feedback api-keys``, for administrators without a shell
on the server.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from feedback.admin import bp
from feedback.admin.once import OnceField
from feedback.extensions import db
from feedback.fields import StaffForm
from feedback.models import ApiKey, Center
from feedback.models.api_key import SCOPES
from feedback.services.api_keys import issue_api_key, list_api_keys, revoke_api_key

#: What each scope lets a client do, next to its name on the form.
SCOPE_LABELS = {
    "visits:create": _l("ask for one-visit feedback links (queue systems)"),
    "feedback:create": _l("send feedback through the API"),
    "exports:read": _l("download the dashboard's CSV files (reporting systems)"),
}

_NAME_LENGTH = ApiKey.name.type.length


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ApiKeyForm(StaffForm):
    name = StringField(_l("Name (who uses the key)"), filters=[_strip], validators=[
        DataRequired(message=_l("Please give the key a name that says who uses it.")),
        Length(max=_NAME_LENGTH),
    ])
    # Checkboxes rather than a multiple select; choices are checked in validate_scopes, so that a
    # tampered value gets our translated message (WTForms' own has no Azerbaijani one).
    scopes = SelectMultipleField(_l("Scopes"), choices=[],
                                 validate_choice=False, widget=ListWidget(prefix_label=False),
                                 option_widget=CheckboxInput())
    center = SelectField(_l("Center"))
    once = OnceField()  # reloading the page with the secret issues no second key

    def validate_name(self, field):
        # Control characters and invisible marks would make the name in the list and the log read
        # otherwise than it is stored.
        if not field.data.isprintable():
            raise ValidationError(_l("The name contains characters that cannot be shown."))

    def validate_scopes(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one scope."))
        if not set(field.data) <= set(SCOPES):
            raise ValidationError(_l("Choose scopes from the list."))


def _form() -> ApiKeyForm:
    form = ApiKeyForm()
    # Labels filled in here, in the page's language; at import there is no language yet.
    form.scopes.choices = [(s, f"{s}: {SCOPE_LABELS[s]}" if s in SCOPE_LABELS else s) for s in SCOPES]
    centers = db.session.scalars(sa.select(Center).order_by(Center.code)).all()
    form.center.choices = [("", _("All centers"))] + [(str(c.id), f"{c.code} · {c.name('az')}") for c in centers]
    return form


@bp.route("/api-keys", methods=["GET", "POST"])
def api_keys():
    """List the API keys, and issue a new one."""
    form = _form()
    if form.validate_on_submit():
        refused = form.once.refusal(
            "api-key", back_to="admin.api_keys",
            again=_("That form had already issued a key, whose secret was shown once. "
                    "No other key was issued; fill in the form again if you need one."),
            too_old=_("That form was too old to be sent, so no key was issued. Fill in the form again."))
        if refused:
            return refused
        # The choice was checked against the centers just read, so the center is there.
        center = db.session.get(Center, int(form.center.data)) if form.center.data else None
        issued = issue_api_key(form.name.data, form.scopes.data, center=center, actor=current_user)
        db.session.commit()
        # The page carries a secret; like every admin page it is sent with no-store (feedback.security).
        return render_template("admin/api_key_issued.html", api_key=issued.api_key, secret=issued.secret,
                               scope_labels=SCOPE_LABELS)
    # Active keys first; the service lists them in the order they were issued.
    keys = sorted(list_api_keys(), key=lambda k: k.is_revoked)
    status = 400 if form.errors else 200
    form.once.arm("api-key")
    return render_template("admin/api_keys.html", form=form, keys=keys), status


@bp.post("/api-keys/<int:key_id>/revoke")
def api_key_revoke(key_id: int):
    """Revoke a key: its clients are refused from then on."""
    api_key = db.get_or_404(ApiKey, key_id)
    if api_key.is_revoked:
        flash(_("The key %(name)s was already revoked.", name=api_key.name), "error")
        return redirect(url_for("admin.api_keys"), 303)
    revoke_api_key(api_key.prefix, actor=current_user)
    db.session.commit()
    flash(_("Key %(name)s revoked; its clients are refused from now on.", name=api_key.name), "info")
    return redirect(url_for("admin.api_keys"), 303)
