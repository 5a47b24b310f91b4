"""Survey views: parse the form, call the submit service, render."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import abort, current_app, redirect, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _

from feedback.classifier import get_classifier
from feedback.extensions import csrf, db
from feedback.i18n import current_language
from feedback.limits import reference_miss_limit, submission_limit
from feedback.models import Center, Channel, Submission
from feedback.services.submit import IdempotencyConflict, SubmissionRejected, submit_feedback
from feedback.services.triage import TriageRules
from feedback.survey import bp
from feedback.validation import RESENT_CHANGED, FeedbackForm, desk_from_link, form_idempotency_key


def _active_center(code: str) -> Center:
    center = db.session.scalar(sa.select(Center).where(Center.code == code, Center.is_active.is_(True)))
    if center is None:
        abort(404)
    return center


@bp.route("/c/<center_code>", methods=["GET", "POST"])
@csrf.exempt  # FeedbackForm checks the token: an expired page comes back with its answers
@submission_limit
def survey(center_code: str):
    """Show the survey for a center and store what the citizen sends."""
    center = _active_center(center_code)
    form = FeedbackForm()
    if request.method == "GET":
        form.service.data = request.args.get("service", "")
        # A mistyped or tampered link must not stop the citizen: the feedback goes in without the desk.
        form.desk.data = desk_from_link(request.args.get("desk", ""))
    key = form_idempotency_key(request.form.get("idempotency_key"))
    status = 400 if request.method == "POST" else 200
    if form.validate_on_submit():
        if form.is_probably_bot():
            # Pretend success so the bot learns nothing; store nothing.
            return redirect(url_for("survey.thanks", center_code=center.code, reference="--"))
        try:
            outcome = submit_feedback(
                form.to_input(center_code=center.code, language=current_language()),
                channel=Channel.web if request.args.get("src") == "web" else Channel.qr,
                classifier=get_classifier(),
                rules=TriageRules.from_config(current_app.config),
                idempotency_key=key,
            )
        except SubmissionRejected as exc:
            if "service" in exc.errors:  # closed, or never offered here
                form.service.errors = [_("Choose a service from the list.")]
                form.service.data = ""
            else:
                abort(404)
        except IdempotencyConflict:
            # Sent again, changed, from a page already sent: the form keeps the changes and gets a
            # new key, so sending it again stores them as new feedback.
            form.form_errors.append(RESENT_CHANGED)
            key, status = uuid.uuid4().hex, 409
        else:
            return redirect(
                url_for("survey.thanks", center_code=center.code, reference=outcome.submission.reference)
            )
    services = [s for s in center.services if s.is_active]
    return (
        render_template(
            "survey/form.html",
            center=center,
            services=services,
            form=form,
            idempotency_key=key or uuid.uuid4().hex,
            max_comment=current_app.config["COMMENT_MAX_LENGTH"],
        ),
        status,
    )


@bp.get("/c/<center_code>/thanks/<reference>")
@reference_miss_limit
def thanks(center_code: str, reference: str):
    """Thank the citizen and show the reference to quote later."""
    center = _active_center(center_code)
    received_dt = None
    if reference != "--":
        received_dt = db.session.scalar(
            sa.select(Submission.created_dt).where(Submission.reference == reference,
                                                   Submission.center_id == center.id)
        )
        if received_dt is None:
            abort(404)
    return render_template("survey/thanks.html", center=center, reference=reference, received_dt=received_dt)


@bp.get("/sw.js")
def service_worker():
    """Serve the offline service worker from the root, the only place it may control /c/ pages from."""
    response = send_from_directory(
        current_app.static_folder, "js/sw.js", mimetype="text/javascript", max_age=0
    )
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/")
def index():
    """List the centers, for people who arrive without a QR code."""
    centers = db.session.scalars(
        sa.select(Center).where(Center.is_active.is_(True)).order_by(Center.code)
    ).all()
    return render_template("survey/index.html", centers=centers)
