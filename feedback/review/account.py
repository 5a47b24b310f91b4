"""Staff login (the code step of two-factor sign-in is in feedback/review/two_factor.py), logout and
password change."""

from __future__ import annotations

import time

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from feedback import staff_sessions
from feedback.extensions import db
from feedback.limits import login_limit, password_limit
from feedback.models import Role
from feedback.models._types import utcnow
from feedback.review import bp
from feedback.review.forms import LoginForm, PasswordChangeForm
from feedback.services import known_devices, two_factor
from feedback.services.accounts import AccountError, change_password, end_other_sessions
from feedback.services.login import LoginPolicy, LoginRefused, authenticate


#: Session key of a sign-in whose password was right and whose code is still to come.
PENDING_SIGN_IN = "two_factor_pending"


def home_url(user) -> str:
    return url_for("admin.index") if user.role == Role.admin else url_for("review.queue")


def safe_next(target: str | None) -> str | None:
    # Only paths on this site: "//evil.example" and "https://…" would send the officer elsewhere.
    # No control characters either: a line break cannot go into a header, and browsers drop tabs
    # and line breaks from a URL, which turns "/\t/evil.example" into "//evil.example".
    if (target and target.startswith("/") and not target.startswith("//") and "\\" not in target
            and target.isprintable()):
        return target
    return None


def refusal_message(refused: LoginRefused, wrong: str) -> str:
    if refused.locked_until:
        return _("Too many failed attempts. This account is locked until %(time)s.",
                 time=format_datetime(refused.locked_until, "short"))
    return wrong


def sign_in(user):
    """Sign ``user`` in on a fresh session and go on to the page asked for, or home."""
    session.clear()  # nothing from before survives (session fixation)
    login_user(user)
    staff_sessions.start()
    response = remember_browser(user, redirect(safe_next(request.args.get("next")) or home_url(user)))
    db.session.commit()
    return response


def device_token() -> str | None:
    """This browser's known-device token, if it has one."""
    return request.cookies.get(known_devices.COOKIE)


def remember_browser(user, response):
    """Note that ``user`` signed in on this browser, sparing it their lock-out from now on (see
    feedback/services/known_devices.py), and give ``response`` the cookie if it needs a new one.
    Also after ending the account's other sessions, which forgets every browser, this one too."""
    days = current_app.config["KNOWN_DEVICE_DAYS"]
    token = known_devices.remember(user, device_token(), now=utcnow(), days=days)
    if token:
        response.set_cookie(known_devices.COOKIE, token, max_age=days * 86400, path=known_devices.COOKIE_PATH,
                            secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True, samesite="Lax")
    return response


@bp.route("/login", methods=["GET", "POST"])
@login_limit
def login():
    """Show the login form and sign the officer in."""
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = authenticate(
                form.username.data,
                form.password.data,
                now=utcnow(),
                policy=LoginPolicy.from_config(current_app.config),
                device_token=device_token(),
            )
        except LoginRefused as refused:
            db.session.commit()  # keep the failure count
            status = 401
            form.form_errors.append(refusal_message(refused, _("The username or password is not right.")))
        else:
            if not user.totp_secret:
                return sign_in(user)
            # Not signed in yet: a fresh session only remembers whose password was right, for a while.
            session.clear()
            session[PENDING_SIGN_IN] = two_factor.pending_marker(user, now=time.time())
            db.session.commit()
            return redirect(url_for("review.login_code", next=safe_next(request.args.get("next"))))
    elif request.method == "POST":
        status = 400
    return render_template("review/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    """Sign out: this browser and any copy of its session cookie are signed out."""
    staff_sessions.end()
    db.session.commit()
    flash(_("You are logged out."), "info")
    return redirect(url_for("review.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@password_limit
def password():
    """Change one's own password; other sessions of the account end."""
    form = PasswordChangeForm()
    status = 200
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current_password.data, form.new_password.data, now=utcnow())
        except AccountError as exc:
            db.session.rollback()
            for name, message in exc.errors.items():
                getattr(form, name).errors = [message]
            # A wrong current password is a failed sign-in of sorts; password_limit counts those.
            status = 401 if "current_password" in exc.errors else 400
        else:
            login_user(current_user._get_current_object())  # the session id carries the new session_version
            response = remember_browser(current_user, redirect(home_url(current_user)))
            db.session.commit()
            flash(_("Your password was changed. Other sessions were logged out."), "info")
            return response
    elif request.method == "POST":
        status = 400
    return render_template("review/password.html", form=form), status


@bp.post("/account/sessions")
@login_required
def sign_out_elsewhere():
    """End every other session of one's account; this one goes on."""
    user = current_user._get_current_object()
    end_other_sessions(user)
    login_user(user)  # the session id carries the new session_version
    response = remember_browser(user, redirect(url_for("review.password"), 303))
    db.session.commit()
    flash(_("You were signed out on every other computer."), "info")
    return response


@bp.get("/account/alive")
@login_required
def alive():
    """Typing in a staff form is activity: static/js/staff.js calls this now and then while someone
    types, so that writing a long note does not run into the idle limit (feedback.staff_sessions moves
    the clock on any staff request). A sign-in that has ended answers with the login redirect instead,
    and the page then says so while the text can still be copied."""
    return "", 204
