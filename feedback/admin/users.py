"""Admin pages for staff accounts."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from feedback.admin import bp
from feedback.admin.forms import ROLE_LABELS, UserForm, UserStateForm
from feedback.admin.routes import _apply_errors
from feedback.extensions import db
from feedback.models import Center, User
from feedback.models._types import utcnow
from feedback.services import two_factor
from feedback.services.accounts import AccountError, create_user, set_active, set_password, update_user


def _center_choices() -> list[tuple[str, str]]:
    return [(c.code, c.code) for c in db.session.scalars(sa.select(Center).order_by(Center.code))]


@bp.get("/users")
def users():
    """Every staff account."""
    rows = db.session.scalars(sa.select(User).order_by(User.role, User.username)).all()
    return render_template("admin/users.html", users=rows, role_labels=ROLE_LABELS, state_form=UserStateForm())


@bp.route("/users/new", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int | None = None):
    """Create an account, or change its role, scope or password."""
    user = db.session.get(User, user_id) if user_id else None
    if user_id and user is None:
        abort(404)
    form = UserForm()
    form.centers.choices = _center_choices()
    if request.method == "GET" and user is not None:
        form.username.data, form.display_name.data = user.username, user.display_name
        form.role.data, form.region.data = user.role.value, user.region or ""
        form.centers.data = [c.code for c in user.centers]
    if form.validate_on_submit():
        try:
            if user is None:
                if not form.password.data:
                    raise AccountError({"password": _("Set a first password for the account.")})
                user = create_user(form.username.data, form.password.data, form.role.data,
                                   display_name=form.display_name.data or "", region=form.region.data,
                                   center_codes=form.centers.data or [], now=utcnow(), actor=current_user)
            else:
                if form.password.data and user.id == current_user.id:
                    # Here no current password is asked for: whoever finds an administrator's desk
                    # left signed in must not take the account over from this page.
                    raise AccountError({"password": _("Change your own password on your account's "
                                                      "password page, with the current one.")})
                update_user(user, display_name=form.display_name.data or "", role=form.role.data,
                            region=form.region.data, center_codes=form.centers.data or [], actor=current_user)
                if form.password.data:
                    set_password(user, form.password.data, now=utcnow(), actor=current_user)
        except AccountError as exc:
            db.session.rollback()
            _apply_errors(form, {("password" if k == "new_password" else k): v for k, v in exc.errors.items()})
            user = db.session.get(User, user_id) if user_id else None
        else:
            db.session.commit()
            flash(_("Account saved."), "info")
            return redirect(url_for("admin.users"), 303)
    status = 400 if request.method == "POST" else 200
    return render_template("admin/user.html", form=form, user=user), status


def _posted_user(user_id: int) -> User:
    """The account a button's POST names (404 when there is none); the form is its CSRF token alone."""
    user = db.get_or_404(User, user_id)
    if not UserStateForm().validate_on_submit():
        abort(400)
    return user


@bp.post("/users/<int:user_id>/active")
def user_active(user_id: int):
    """Disable or enable an account."""
    user = _posted_user(user_id)
    enable = request.form.get("active") == "1"
    if user.id == current_user.id and not enable:
        flash(_("You cannot disable your own account."), "error")
        return redirect(url_for("admin.users"), 303)
    try:
        set_active(user, enable, actor=current_user)
    except AccountError as exc:
        db.session.rollback()
        for message in exc.errors.values():
            flash(message, "error")
        return redirect(url_for("admin.users"), 303)
    db.session.commit()
    flash(_("Account enabled.") if enable else _("Account disabled; its sessions have ended."), "info")
    return redirect(url_for("admin.users"), 303)


@bp.post("/users/<int:user_id>/two-factor/reset")
def user_two_factor_reset(user_id: int):
    """Turn off an account's two-factor sign-in (a lost phone); its sessions end."""
    user = _posted_user(user_id)
    reset = two_factor.disable(user, actor=current_user)
    db.session.commit()
    if user.id == current_user.id:
        login_user(user)  # one's own reset ends the other sessions, not this one
    flash(_("Two-factor sign-in was reset; the account's sessions have ended.") if reset
          else _("Two-factor sign-in was already off."), "info")
    return redirect(url_for("admin.user", user_id=user.id), 303)
