"""The survey behind a one-visit link: same form, feedback marked verified, usable once."""

from __future__ import annotations

import uuid

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from feedback.classifier import get_classifier
from feedback.extensions import csrf
from feedback.i18n import LANGUAGE_COOKIE, current_language
from feedback.services.submit import SubmissionRejected
from feedback.services.triage import TriageRules
from feedback.services.visits import VisitUnavailable, find_visit, open_visit, submit_visit_feedback
from feedback.validation import FeedbackForm
from feedback.visits import bp


@bp.after_request
def _private(response):
    # The token in the URL is a one-use credential: keep it out of caches and Referer headers.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _unavailable(reason: str):
    messages = {
        "expired": _("This feedback link has expired. Thank you for wanting to tell us about your visit."),
        "used": _("Feedback has already been sent through this link. Each visit can be rated once."),
        "unknown": _("We could not find this feedback link. Please check that it was copied in full."),
    }
    status = 404 if reason == "unknown" else 410
    return render_template("visits/unavailable.html", reason=reason, message=messages[reason]), status


@bp.route("/v/<token>", methods=["GET", "POST"])
@csrf.exempt  # FeedbackForm checks the token: an expired page comes back with its answers
def visit(token: str):
    """Show the survey for a verified visit and store its one submission."""
    found = find_visit(token)
    # Open in the language the citizen chose at the queue terminal, unless they chose one here.
    if (request.method == "GET" and found and found.language and "lang" not in request.args
            and not request.cookies.get(LANGUAGE_COOKIE)):
        return redirect(url_for("visits.visit", token=token, lang=found.language))
    try:
        current = open_visit(token)
    except VisitUnavailable as exc:
        # A form sent again through its used link may be the same feedback (a double tap, the offline
        # outbox resending after a lost answer): submit_visit_feedback then answers with its reference.
        if exc.reason != "used" or request.method != "POST":
            return _unavailable(exc.reason)
        current = found
    center = current.center
    form = FeedbackForm()
    if request.method == "GET":
        form.desk.data = current.desk or ""
    is_valid = form.validate_on_submit()
    if current.is_used and not is_valid:
        return _unavailable("used")
    if is_valid:
        if form.is_probably_bot():
            return redirect(url_for("survey.thanks", center_code=center.code, reference="--"))
        try:
            outcome = submit_visit_feedback(
                token,
                form.to_input(center_code=center.code, language=current_language()),
                classifier=get_classifier(),
                rules=TriageRules.from_config(current_app.config),
            )
        except VisitUnavailable as exc:
            return _unavailable(exc.reason)
        except SubmissionRejected as exc:
            if "center" in exc.errors:  # the center closed after the link was issued
                return _unavailable("unknown")
            form.service.errors = [_("Choose a service from the list.")]
            form.service.data = ""
        else:
            return redirect(
                url_for("survey.thanks", center_code=center.code, reference=outcome.submission.reference)
            )
    services = [] if current.service else [s for s in center.services if s.is_active]
    return (
        render_template(
            "survey/form.html",
            center=center,
            services=services,
            form=form,
            form_action=url_for("visits.visit", token=token),
            idempotency_key=uuid.uuid4().hex,
            max_comment=current_app.config["COMMENT_MAX_LENGTH"],
            is_verified_visit=True,
        ),
        400 if request.method == "POST" else 200,
    )
