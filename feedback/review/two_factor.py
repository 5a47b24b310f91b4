"""Two-factor sign-in pages: the code step after the password, setting up one's authenticator app,
and the rule that sends roles of REY_TWO_FACTOR_ROLES to set it up before any other staff page."""

from __future__ import annotations

import time

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from feedback.extensions import db
from feedback.limits import login_limit, password_limit
from feedback.models._types import utcnow
from feedback.review import bp
from feedback.review.account import (
    PENDING_SIGN_IN, device_token, home_url, refusal_message, remember_browser, safe_next, sign_in,
)
from feedback.review.forms import CodeForm, TwoFactorSetupForm
from feedback.security import STAFF_BLUEPRINTS
from feedback.services import two_factor
from feedback.services.login import LoginPolicy, LoginRefused, authenticate_code

#: Session key of the nonce the set-up page's secret is worked out from (never the secret itself).
SETUP_KEY = "two_factor_setup"
#: What a signed-in person who must still set up two-factor sign-in may open (typing the set-up code
#: calls review.alive, which shows nothing).
OPEN_WHILE_REQUIRED = frozenset({"review.two_factor_setup", "review.logout", "review.alive"})


@bp.before_app_request
def _require_two_factor():
    # One rule for every staff page, so that no view can forget it. Static files and the citizens'
    # pages are no staff blueprint's.
    if request.blueprint not in STAFF_BLUEPRINTS or request.endpoint in OPEN_WHILE_REQUIRED:
        return None
    if current_user.is_authenticated and two_factor.is_required(current_user, current_app.config["TWO_FACTOR_ROLES"]):
        # Once set up, the person goes on to the page they asked for (a GET: a form's POST is not replayed).
        asked = (request.full_path if request.query_string else request.path) if request.method == "GET" else None
        return redirect(url_for("review.two_factor_setup", next=asked))
    return None


@bp.route("/login/code", methods=["GET", "POST"])
@login_limit
def login_code():
    """Second sign-in step: the code from the authenticator app."""
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    user = two_factor.pending_user(session.get(PENDING_SIGN_IN), now=time.time())
    if user is None:
        session.pop(PENDING_SIGN_IN, None)
        flash(_("The sign-in was not finished in time. Enter your username and password again."), "info")
        return redirect(url_for("review.login", next=safe_next(request.args.get("next"))))
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            authenticate_code(user, form.code.data, now=utcnow(), policy=LoginPolicy.from_config(current_app.config),
                              device_token=device_token())
        except LoginRefused as refused:
            db.session.commit()  # keep the failure count
            status = 401
            form.form_errors.append(refusal_message(refused, _("The code is not right.")))
        else:
            return sign_in(user)
    elif request.method == "POST":
        status = 400
    return render_template("review/login_code.html", form=form), status


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
@password_limit
def two_factor_setup():
    """Set up one's authenticator app, or see that two-factor sign-in is on."""
    user = current_user._get_current_object()
    form = TwoFactorSetupForm()
    status = 200
    if user.totp_secret:
        return render_template("review/two_factor.html", form=form, user=user)
    secret = two_factor.setup_secret(current_app.secret_key, user, session.get(SETUP_KEY))
    if form.validate_on_submit():
        try:
            two_factor.enable(user, secret, form.code.data, now=utcnow(), password=form.current_password.data)
        except two_factor.TwoFactorError as exc:
            db.session.rollback()
            for name, message in exc.errors.items():
                getattr(form, name).errors = [message]
            # A wrong password is a guess at it, perhaps by whoever found the desk: password_limit counts those.
            status = 401 if "current_password" in exc.errors else 400
        else:
            session.pop(SETUP_KEY, None)
            login_user(user)  # the session id carries the new session_version; other sessions end
            response = remember_browser(user, redirect(safe_next(request.args.get("next")) or home_url(user), 303))
            db.session.commit()
            flash(_("Two-factor sign-in is on. Other sessions of your account were logged out."), "info")
            return response
    elif request.method == "POST":
        status = 400
    if secret is None:
        session[SETUP_KEY] = two_factor.new_setup_nonce()
        secret = two_factor.setup_secret(current_app.secret_key, user, session[SETUP_KEY])
    uri = two_factor.provisioning_uri(secret, user.username)
    required = two_factor.is_required(user, current_app.config["TWO_FACTOR_ROLES"])
    return render_template("review/two_factor.html", form=form, user=user, secret=secret,
                           qr=two_factor.qr_data_uri(uri), required=required), status
