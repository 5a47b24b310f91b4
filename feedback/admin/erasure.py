"""The admin page for a citizen's request to erase what they wrote: find the feedback by its
reference, see what would go (not the text itself: administrators see no cases), erase it."""

from __future__ import annotations

import logging
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import StringField
from wtforms.validators import Length

from feedback.admin import bp
from feedback.extensions import db
from feedback.fields import StaffForm
from feedback.models import Case
from feedback.models._types import utcnow
from feedback.services.backup import BackupError, note_erasure
from feedback.services.retention import erase_on_request, find_submission

log = logging.getLogger(__name__)


class ReferenceForm(StaffForm):
    """The reference the citizen gives, from the query string; a GET form needs no CSRF token."""

    class Meta:
        csrf = False

    reference = StringField(_l("Reference (as on the citizen's thanks page, e.g. K7PW-4QX2)"),
                            validators=[Length(max=40)])


@bp.get("/erasure")
def erasure():
    """Look up feedback by its reference and offer to erase its personal data."""
    form = ReferenceForm(formdata=request.args)
    submission = case = None
    status = 200
    if not form.reference.data:
        pass  # the empty form
    elif not form.validate():
        status = 400
    elif (submission := find_submission(form.reference.data)) is None:
        form.reference.errors = [_("No feedback has this reference. Check it with the citizen.")]
        status = 404
    else:
        case = db.session.scalar(sa.select(Case).where(Case.submission_id == submission.id))
    return render_template("admin/erasure.html", form=form, submission=submission, case=case), status


@bp.post("/erasure/<reference>")
def erase(reference: str):
    """Erase the contact and comment of the feedback with ``reference``."""
    submission = find_submission(reference)
    if submission is None:
        flash(_("No feedback has this reference. Check it with the citizen."), "error")
        return redirect(url_for("admin.erasure"), 303)
    now = utcnow()
    erased = erase_on_request(submission, now=now, actor=current_user)
    db.session.commit()
    flash(_("The contact details and comment of %(reference)s were erased; its ratings stay in the statistics.",
            reference=erased.reference), "info")
    try:
        note_erasure(Path(current_app.config["BACKUP_DIR"]), erased.reference, now)
    except BackupError:
        log.exception("the erasure of %s is missing from the list kept beside the backups", erased.reference)
        flash(_("The erasure could not be added to the list kept beside the backups. Ask the operators "
                "to add %(reference)s to it, or a restored backup will bring the data back.",
                reference=erased.reference), "error")
    return redirect(url_for("admin.erasure", reference=erased.reference), 303)
