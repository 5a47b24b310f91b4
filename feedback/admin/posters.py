"""Admin downloads: the printable QR poster of a center or desk (PDF) and the bare QR code (PNG)."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Response, abort, current_app, render_template, request
from flask_babel import gettext as _

from feedback.admin import bp
from feedback.errors import render_error
from feedback.extensions import db
from feedback.models import Center, Kiosk
from feedback.services.posters import PosterError, poster_pdf, qr_png, short_url, survey_url

_DESK = re.compile(r"^[A-Za-z0-9-]{1,20}$")


def _center_and_desk(center_code: str) -> tuple[Center, str | None]:
    center = db.session.scalar(sa.select(Center).where(Center.code == center_code))
    if center is None:
        abort(404)
    desk = (request.args.get("desk") or "").strip() or None
    if desk is not None and not _DESK.match(desk):
        abort(400)
    return center, desk


def _filename(center: Center, desk: str | None, extension: str) -> str:
    return f"rey-{center.code}" + (f"-desk-{desk}" if desk else "") + f".{extension}"


@bp.get("/posters")
def posters():
    """Centers with their poster downloads, and the desks that have kiosks."""
    centers = db.session.scalars(sa.select(Center).where(Center.is_active.is_(True)).order_by(Center.code)).all()
    desks: dict[int, list[str]] = {}
    for center_id, desk in db.session.execute(
        sa.select(Kiosk.center_id, Kiosk.desk).where(Kiosk.revoked_dt.is_(None)).distinct().order_by(Kiosk.desk)
    ):
        desks.setdefault(center_id, []).append(desk)
    base = current_app.config["PUBLIC_BASE_URL"]
    return render_template("admin/posters.html", centers=centers, desks=desks,
                           short_url=lambda code: short_url(survey_url(base, code)))


@bp.get("/posters/<center_code>.pdf")
def poster_download(center_code: str):
    """The A4 poster of a center, or of one of its desks with ``?desk=``."""
    center, desk = _center_and_desk(center_code)
    try:
        pdf = poster_pdf(center, desk=desk, base_url=current_app.config["PUBLIC_BASE_URL"],
                         languages=tuple(current_app.config["LANGUAGES"]),
                         font_dir=current_app.config["POSTER_FONT_DIR"])
    except PosterError as exc:
        current_app.logger.error("poster failed: %s", exc)  # with the paths, for the operators
        return render_error(503, _("Posters cannot be drawn: the font they need is missing on the server. "
                                   "Ask the operators to install %(package)s or to set %(setting)s.",
                                   package="fonts-dejavu-core", setting="REY_POSTER_FONT_DIR"))
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{_filename(center, desk, "pdf")}"'})


@bp.get("/posters/<center_code>.png")
def poster_qr(center_code: str):
    """The QR code alone as a PNG, for other printed matter."""
    center, desk = _center_and_desk(center_code)
    png = qr_png(survey_url(current_app.config["PUBLIC_BASE_URL"], center.code, desk))
    return Response(png, mimetype="image/png",
                    headers={"Content-Disposition": f'attachment; filename="{_filename(center, desk, "png")}"'})
