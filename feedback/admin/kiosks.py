"""Admin pages for kiosk tablets: add one, hand its one-time code to the tablet, revoke it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from feedback.fields import StaffForm
from feedback.admin import bp
from feedback.admin.once import OnceField
from feedback.extensions import db
from feedback.models import Center, Kiosk
from feedback.services.kiosks import create_kiosk, held_taps_since, renew_registration_code, revoke_kiosk
from feedback.services.names import is_showable, unshowable_message


class KioskForm(StaffForm):
    center = SelectField(_l("Center"), coerce=int, validators=[DataRequired()])
    desk = StringField(_l("Desk or window"), validators=[
        DataRequired(message=_l("Please give the desk or window the tablet stands at.")),
        Length(max=20),
        Regexp(r"^[A-Za-z0-9-]+$", message=_l("Use letters, digits and dashes only.")),
    ])
    label = StringField(_l("Label (where it stands)"), validators=[Optional(), Length(max=80)])
    is_contact_enabled = BooleanField(_l("Offer the contact fields on this tablet"))
    once = OnceField()  # reloading the page with the code adds no second kiosk

    def validate_label(self, field):
        if not is_showable(field.data):
            raise ValidationError(unshowable_message())


def _registration_ttl() -> timedelta:
    return timedelta(minutes=current_app.config["KIOSK_REGISTRATION_MINUTES"])


def _show_code(kiosk: Kiosk, code: str):
    register_url = current_app.config["PUBLIC_BASE_URL"] + url_for("kiosk.register", code=code)
    return render_template("admin/kiosk_code.html", kiosk=kiosk, code=code, register_url=register_url,
                           minutes=current_app.config["KIOSK_REGISTRATION_MINUTES"])


@bp.route("/kiosks", methods=["GET", "POST"])
def kiosks():
    """List the kiosks with their state, and add a new one."""
    form = KioskForm()
    centers = db.session.scalars(sa.select(Center).where(Center.is_active.is_(True)).order_by(Center.code)).all()
    form.center.choices = [(c.id, f"{c.code} · {c.name('az')}") for c in centers]
    if form.validate_on_submit():
        refused = form.once.refusal(
            "kiosk", back_to="admin.kiosks",
            again=_("That form had already added a kiosk, whose registration code was shown once. "
                    "No other kiosk was added; use \"New registration code\" if the code is lost."),
            too_old=_("That form was too old to be sent, so no kiosk was added. Fill in the form again."))
        if refused:
            return refused
        center = db.session.get(Center, form.center.data)
        kiosk, code = create_kiosk(center, form.desk.data, label=form.label.data or "",
                                   is_contact_enabled=form.is_contact_enabled.data,
                                   registration_ttl=_registration_ttl(), actor=current_user)
        db.session.commit()
        return _show_code(kiosk, code)
    rows = db.session.scalars(sa.select(Kiosk).order_by(Kiosk.revoked_dt.is_not(None), Kiosk.center_id, Kiosk.desk)).all()
    held = held_taps_since([k.id for k in rows], datetime.now(timezone.utc) - timedelta(days=1))
    status = 400 if form.errors else 200
    form.once.arm("kiosk")
    return render_template("admin/kiosks.html", form=form, kiosks=rows, held=held), status


def _kiosk_or_404(kiosk_id: int) -> Kiosk:
    kiosk = db.session.get(Kiosk, kiosk_id)
    if kiosk is None:
        abort(404)
    return kiosk


@bp.post("/kiosks/<int:kiosk_id>/code")
def kiosk_code(kiosk_id: int):
    """Issue a new one-time code, e.g. to move the kiosk to another tablet."""
    kiosk = _kiosk_or_404(kiosk_id)
    if kiosk.is_revoked:
        flash(_("A revoked kiosk cannot be registered again; add a new one."), "error")
        return redirect(url_for("admin.kiosks"), 303)
    code = renew_registration_code(kiosk, registration_ttl=_registration_ttl(), actor=current_user)
    db.session.commit()
    return _show_code(kiosk, code)


@bp.post("/kiosks/<int:kiosk_id>/revoke")
def kiosk_revoke(kiosk_id: int):
    """Switch a kiosk off: its tablet can send nothing more."""
    kiosk = _kiosk_or_404(kiosk_id)
    revoke_kiosk(kiosk, actor=current_user)
    db.session.commit()
    flash(_("Kiosk %(desk)s revoked; its tablet no longer takes feedback.", desk=kiosk.desk), "info")
    return redirect(url_for("admin.kiosks"), 303)
