"""Admin pages for centers and their services."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from feedback.admin import bp
from feedback.admin.forms import CenterForm, ServiceForm
from feedback.extensions import db
from feedback.models import Center, Service
from feedback.services.directory import DirectoryError, save_center, save_service


def _names_from(form) -> dict:
    return {"az": form.name_az.data, "ru": form.name_ru.data, "en": form.name_en.data}


def _apply_errors(form, errors: dict) -> None:
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(field.errors) + [message]
        else:
            form.form_errors.append(message)


@bp.get("/")
def index():
    """Centers, with links to their services and to staff accounts."""
    centers = db.session.scalars(sa.select(Center).order_by(Center.code)).all()
    return render_template("admin/index.html", centers=centers)


@bp.route("/centers/new", methods=["GET", "POST"])
@bp.route("/centers/<int:center_id>", methods=["GET", "POST"])
def center(center_id: int | None = None):
    """Create or edit a center, and list its services."""
    center = db.session.get(Center, center_id) if center_id else None
    if center_id and center is None:
        abort(404)
    form = CenterForm(obj=None)
    if request.method == "GET" and center is not None:
        form.code.data, form.region.data, form.is_active.data = center.code, center.region, center.is_active
        for lang in ("az", "ru", "en"):
            getattr(form, f"name_{lang}").data = center.names.get(lang, "")
    if form.validate_on_submit():
        try:
            saved = save_center(center, code=form.code.data, names=_names_from(form),
                                region=form.region.data, is_active=form.is_active.data, actor=current_user)
        except DirectoryError as exc:
            db.session.rollback()
            _apply_errors(form, exc.errors)
        else:
            db.session.commit()
            flash(_("Center saved."), "info")
            return redirect(url_for("admin.center", center_id=saved.id), 303)
    status = 400 if request.method == "POST" else 200
    return render_template("admin/center.html", form=form, center=center, service_form=ServiceForm()), status


@bp.route("/centers/<int:center_id>/services/new", methods=["GET", "POST"])
@bp.route("/centers/<int:center_id>/services/<int:service_id>", methods=["GET", "POST"])
def service(center_id: int, service_id: int | None = None):
    """Create or edit a service of a center."""
    center = db.session.get(Center, center_id)
    service = db.session.get(Service, service_id) if service_id else None
    if center is None or (service_id and (service is None or service.center_id != center.id)):
        abort(404)
    form = ServiceForm()
    if request.method == "GET" and service is not None:
        form.code.data, form.position.data, form.is_active.data = service.code, service.position, service.is_active
        for lang in ("az", "ru", "en"):
            getattr(form, f"name_{lang}").data = service.names.get(lang, "")
    if form.validate_on_submit():
        try:
            save_service(center, service, code=form.code.data, names=_names_from(form),
                         position=form.position.data or 0, is_active=form.is_active.data, actor=current_user)
        except DirectoryError as exc:
            db.session.rollback()
            _apply_errors(form, exc.errors)
        else:
            db.session.commit()
            flash(_("Service saved."), "info")
            return redirect(url_for("admin.center", center_id=center.id), 303)
    status = 400 if request.method == "POST" else 200
    return render_template("admin/service.html", form=form, center=center, service=service), status
