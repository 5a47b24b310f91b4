"""Kiosk views: register the tablet, one tap to rate, thank and go back to the start."""

from __future__ import annotations

import uuid
from dataclasses import replace

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from feedback.classifier import get_classifier
from feedback.extensions import db
from feedback.i18n import current_language
from feedback.kiosk import bp, start_url
from feedback.kiosk.device import current_kiosk, set_device_cookie
from feedback.addresses import in_networks
from feedback.limits import kiosk_code_limit
from feedback.models import Kiosk
from feedback.services.kiosks import (
    KioskRegistrationError,
    mark_seen,
    record_kiosk_rating,
    redeem_registration_code,
)
from feedback.services.submit import IdempotencyConflict, SubmissionRejected
from feedback.services.triage import TriageRules
from feedback.validation import RESENT_CHANGED, FeedbackForm, form_idempotency_key


@bp.after_request
def _forget(response):
    # A shared screen must not hand the last person's answers to the next: no cache, no bfcache.
    response.headers["Cache-Control"] = "no-store, max-age=0"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _refuse():
    message = (
        _("This tablet has been switched off by an administrator.")
        if request.cookies.get("rey_kiosk")
        else _("This tablet is not registered as a feedback kiosk.")
    )
    return render_template("kiosk/unregistered.html", message=message), 403


#: How long a tablet refused for a passing reason (its center closed, a network not its hall's)
#: waits before asking again. Such a state lasts hours or days, so every two minutes costs one small
#: request, and a reopened center's tablets take ratings again before staff would think to look.
RECHECK_SECONDS = 120


def _refuse_for_now(kiosk: Kiosk, message: str):
    """A 403 the tablet leaves by itself: nobody has to walk over once the reason has passed."""
    start = start_url(kiosk.center.code, kiosk.desk)
    note = _("This tablet checks again every few minutes and starts by itself.")
    return render_template("kiosk/error.html", status=403, message=message, note=note, start=start,
                           seconds=RECHECK_SECONDS), 403


def _center_closed(kiosk: Kiosk):
    # Said before the faces are shown: a tap would otherwise be taken and then thrown away.
    return _refuse_for_now(kiosk, _("This center is not taking feedback at the moment."))


def _kiosk_for(center_code: str, desk: str) -> tuple[Kiosk | None, object | None]:
    """The tablet's kiosk, or a response: refuse unknown tablets, send others to their own page."""
    kiosk = current_kiosk()
    if kiosk is None:
        return None, _refuse()
    allowed = current_app.config.get("KIOSK_NETWORKS")
    if allowed and not in_networks(request.remote_addr, allowed):
        # Perhaps a tablet that fell back on mobile data for a while: it comes back on the hall's own.
        return None, _refuse_for_now(kiosk, _("This tablet takes feedback only from the network of its hall."))
    if kiosk.center.code != center_code or kiosk.desk != desk:
        return None, redirect(url_for("kiosk.rate", center_code=kiosk.center.code, desk=kiosk.desk))
    if not kiosk.center.is_active:
        return None, _center_closed(kiosk)
    return kiosk, None


def _page_context(kiosk: Kiosk) -> dict:
    return {
        "kiosk": kiosk,
        "center": kiosk.center,
        "start": url_for("kiosk.rate", center_code=kiosk.center.code, desk=kiosk.desk),
        "reset": start_url(kiosk.center.code, kiosk.desk),
        "idle_ms": int(current_app.config["KIOSK_IDLE_SECONDS"] * 1000),
        "thanks_seconds": current_app.config["KIOSK_THANKS_SECONDS"],
        "outbox_gap_ms": _outbox_gap_ms(current_app.config),
    }


def _outbox_gap_ms(config) -> int:
    # Taps a tablet held while its network was down arrive one after another once it is back: spaced
    # beyond the repeat window and the burst rate, the abuse guard judges each as the tap it was.
    seconds = max(config["KIOSK_REPEAT_SECONDS"], 60 / max(1, config["KIOSK_BURST_PER_MINUTE"])) + 1
    return int(seconds * 1000)


@bp.route("/kiosk/<center_code>/<desk>", methods=["GET", "POST"])
def rate(center_code: str, desk: str):
    """Show the big faces; a tap on one sends the rating (with the comment, if any)."""
    kiosk, refusal = _kiosk_for(center_code, desk)
    if refusal is not None:
        return refusal
    form = FeedbackForm()
    key = form_idempotency_key(request.form.get("idempotency_key"), prefix="kiosk-")
    status = 400 if request.method == "POST" else 200
    if form.validate_on_submit():
        data = form.to_input(center_code=center_code, language=current_language())
        if not kiosk.is_contact_enabled:
            # The fields are not on the page; anything sent anyway is not kept.
            data = replace(data, contact=None, is_contact_consented=False)
        try:
            record_kiosk_rating(
                kiosk, data,
                classifier=get_classifier(),
                rules=TriageRules.from_config(current_app.config),
                repeat_seconds=current_app.config["KIOSK_REPEAT_SECONDS"],
                burst_per_minute=current_app.config["KIOSK_BURST_PER_MINUTE"],
                tap_key=current_app.secret_key,
                idempotency_key=key,
            )
        except SubmissionRejected:  # the center closed since the page was shown
            return _center_closed(kiosk)
        except IdempotencyConflict:
            # A second tap with another face, or Back and a change: the first answer stays; the
            # page comes back with a new key, so a further tap stores a new answer.
            form.form_errors.append(RESENT_CHANGED)
            status = 409
        else:
            return redirect(url_for("kiosk.thanks", center_code=center_code, desk=desk), code=303)
    if request.method == "GET" and mark_seen(kiosk):
        db.session.commit()
    return (
        render_template(
            "kiosk/rate.html", form=form, idempotency_key=uuid.uuid4().hex,
            max_comment=current_app.config["COMMENT_MAX_LENGTH"], **_page_context(kiosk),
        ),
        status,
    )


@bp.get("/kiosk/<center_code>/<desk>/thanks")
def thanks(center_code: str, desk: str):
    """Thank the citizen, then go back to the start for the next person."""
    kiosk, refusal = _kiosk_for(center_code, desk)
    if refusal is not None:
        return refusal
    return render_template("kiosk/thanks.html", **_page_context(kiosk))


@bp.route("/kiosk/register", methods=["GET", "POST"])
@kiosk_code_limit
def register():
    """Turn this browser into a kiosk with the one-time code an admin created."""
    code = (request.form.get("code") if request.method == "POST" else request.args.get("code")) or ""
    error = None
    if request.method == "POST":
        try:
            kiosk, token = redeem_registration_code(code)
        except KioskRegistrationError:
            db.session.rollback()
            error = _("This code is unknown or has expired. Ask an administrator for a new one.")
        else:
            db.session.commit()
            response = redirect(url_for("kiosk.rate", center_code=kiosk.center.code, desk=kiosk.desk), code=303)
            set_device_cookie(response, kiosk, token)
            return response
    return render_template("kiosk/register.html", code=code, error=error), 400 if error else 200
