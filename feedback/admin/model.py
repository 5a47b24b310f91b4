"""The admins' model page: current version and card, label counts, agreement with officers, rollback."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from feedback.fields import StaffForm
from feedback.admin import bp
from feedback.classifier import get_classifier
from feedback.extensions import db
from feedback.models._types import utcnow
from feedback.services import model_status
from ml import ModelError

#: "Recent" agreement: verdicts officers gave in this many days.
AGREEMENT_DAYS = 90


class RollbackForm(StaffForm):
    """Only the CSRF token: the action has no fields."""


@bp.get("/model")
def model():
    """The classifier in use, its card, and how it agrees with officers' verdicts."""
    models_dir = current_app.config["MODELS_DIR"]
    since = utcnow() - timedelta(days=AGREEMENT_DAYS)
    return render_template(
        "admin/model.html",
        overview=model_status.overview(models_dir),
        loaded=get_classifier().version,
        labels=model_status.label_counts(),
        agreement=model_status.agreement(since, model_status.thresholds(models_dir)),
        agreement_days=AGREEMENT_DAYS,
        rollback_form=RollbackForm(),
    )


@bp.post("/model/rollback")
def model_rollback():
    """Go back to the previously promoted model."""
    form = RollbackForm()
    if not form.validate_on_submit():
        flash(_("This form has expired. Please try again."), "error")
        return redirect(url_for("admin.model"))
    try:
        version = model_status.roll_back(current_app.config["MODELS_DIR"], actor=current_user)
    except ModelError:
        flash(_("There is no earlier model to go back to."), "error")
        return redirect(url_for("admin.model"))
    db.session.commit()
    get_classifier().reload()
    flash(_("The classifier now uses %(version)s.", version=version), "success")
    return redirect(url_for("admin.model"))
