"""The citizen's status page: look up feedback by its reference."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from feedback.limits import status_limit
from feedback.services.references import normalise_reference
from feedback.services.status import citizen_status
from feedback.survey import bp


@bp.get("/status")
@status_limit
def status_form():
    """A small form asking for the reference; submitting it opens the status page."""
    raw = request.args.get("reference", "")
    if raw:
        reference = normalise_reference(raw)
        if reference:
            return redirect(url_for("survey.status", reference=reference))
        return render_template("survey/status_form.html", reference=raw, is_invalid=True), 400
    return render_template("survey/status_form.html", reference="", is_invalid=False)


@bp.get("/status/<reference>")
@status_limit
def status(reference: str):
    """Received, under review, or resolved with the officer's message."""
    normalised = normalise_reference(reference)
    if normalised and normalised != reference:
        return redirect(url_for("survey.status", reference=normalised))
    found = citizen_status(normalised) if normalised else None
    if found is None:
        return render_template("survey/status_form.html", reference=reference, is_unknown=True), 404
    return render_template("survey/status.html", status=found)
