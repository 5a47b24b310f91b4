"""Two-factor codes on a real database: the current code and its neighbours pass, a used or wrong one
does not, and turning it on or off ends the account's other sessions."""

from datetime import datetime, timedelta, timezone

import pyotp
import pytest
import sqlalchemy as sa

from factories import make_user
from feedback.extensions import db
from feedback.models import AdminAction, AdminEvent, User
from feedback.services import known_devices, two_factor
from feedback.services.login import LoginPolicy, LoginRefused, authenticate, authenticate_code

NOW = datetime(2026, 11, 28, 10, 0, 15, tzinfo=timezone.utc)
STEP = timedelta(seconds=30)
POLICY = LoginPolicy(max_failures=3)


@pytest.fixture
def user(app_ctx):
    user = make_user("officer.2fa")
    secret = two_factor.new_secret()
    two_factor.enable(user, secret, pyotp.TOTP(secret).at(NOW - 10 * STEP), NOW - 10 * STEP, password="correct horse 42")
    db.session.commit()
    return user


def code(user, when):
    return pyotp.TOTP(user.totp_secret).at(when)


def test_the_current_code_passes_once(user):
    assert two_factor.verify_code(user, code(user, NOW), NOW)
    assert not two_factor.verify_code(user, code(user, NOW), NOW), "replayed"
    assert not two_factor.verify_code(user, code(user, NOW - STEP), NOW), "older than the one used"


def test_two_sign_ins_racing_with_one_code_do_not_both_pass(user):
    # The other request loaded the account too, and used the code first (its own connection).
    with db.engine.begin() as other:
        other.execute(sa.update(User).where(User.id == user.id)
                      .values(totp_last_step=pyotp.TOTP(user.totp_secret).timecode(NOW)))
    assert user.totp_last_step < pyotp.TOTP(user.totp_secret).timecode(NOW), "this request's row is stale"
    assert not two_factor.verify_code(user, code(user, NOW), NOW)


@pytest.mark.parametrize("offset", [-1, 1])
def test_a_neighbouring_step_passes(user, offset):
    assert two_factor.verify_code(user, code(user, NOW + offset * STEP), NOW)


@pytest.mark.parametrize("offset", [-2, 2])
def test_two_steps_away_is_refused(user, offset):
    assert not two_factor.verify_code(user, code(user, NOW + offset * STEP), NOW)


def test_spaces_are_forgiven_and_anything_but_six_digits_is_refused(user):
    right = code(user, NOW)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for typed in (wrong, right[:5], right + "0", "abcdef", "١٢٣٤٥٦", "", None, 123456):
        assert not two_factor.verify_code(user, typed, NOW), typed
    assert two_factor.verify_code(user, f" {right[:3]} {right[3:]} ", NOW)


def test_a_user_without_two_factor_has_no_code(app_ctx):
    user = make_user("plain")
    assert not two_factor.verify_code(user, "123456", NOW)


def test_enable_needs_the_right_code_and_ends_other_sessions(app_ctx):
    user = make_user("new.2fa")
    secret = two_factor.new_secret()
    with pytest.raises(two_factor.TwoFactorError):
        two_factor.enable(user, secret, pyotp.TOTP(secret).at(NOW + 5 * STEP), NOW, password="correct horse 42")
    with pytest.raises(two_factor.TwoFactorError):
        two_factor.enable(user, "not a secret", pyotp.TOTP(secret).at(NOW), NOW, password="correct horse 42")
    assert user.totp_secret is None and user.session_version == 1
    two_factor.enable(user, secret, pyotp.TOTP(secret).at(NOW), NOW, password="correct horse 42")
    assert user.totp_secret == secret and user.session_version == 2
    assert not two_factor.verify_code(user, pyotp.TOTP(secret).at(NOW), NOW), "the enrolling code is used"


def test_reset_is_logged_and_ends_sessions(user):
    admin = make_user("admin.1", "admin")
    version = user.session_version
    assert two_factor.disable(user, actor=admin)
    assert user.totp_secret is None and user.totp_last_step is None and user.session_version == version + 1
    assert not two_factor.disable(user, actor=None), "already off: nothing to log"
    db.session.commit()
    events = db.session.scalars(sa.select(AdminEvent)).all()
    assert [(e.action, e.subject, e.actor_name) for e in events] == [
        (AdminAction.two_factor_reset, "officer.2fa", "admin.1")]


def test_the_uri_names_the_issuer_and_the_account():
    uri = two_factor.provisioning_uri("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "aliyev.r")
    assert uri.startswith("otpauth://totp/R%C9%99y:aliyev.r?") and "issuer=R%C9%99y" in uri
    assert two_factor.qr_data_uri(uri).startswith("data:image/svg+xml")


def test_wrong_codes_count_toward_the_lock_out_and_the_right_password_does_not_clear_them(user):
    authenticate("officer.2fa", "correct horse 42", now=NOW, policy=POLICY)
    for _ in range(2):
        with pytest.raises(LoginRefused):
            authenticate_code(user, "000000" if code(user, NOW) != "000000" else "111111", now=NOW, policy=POLICY)
    authenticate("officer.2fa", "correct horse 42", now=NOW, policy=POLICY)
    assert user.failed_logins == 2, "a right password alone must not reset the count"
    with pytest.raises(LoginRefused) as locked:
        authenticate_code(user, "bad", now=NOW, policy=POLICY)
    assert locked.value.locked_until is not None
    with pytest.raises(LoginRefused):
        authenticate_code(user, code(user, NOW), now=NOW, policy=POLICY)  # locked: even the right code


def test_the_right_code_signs_in_and_clears_the_failures(user):
    with pytest.raises(LoginRefused):
        authenticate_code(user, "12345x", now=NOW, policy=POLICY)
    assert authenticate_code(user, code(user, NOW), now=NOW, policy=POLICY) is user
    assert user.failed_logins == 0 and user.last_login_dt == NOW


def test_a_known_browser_passes_both_steps_of_a_locked_account_and_its_wrong_codes_are_its_own(user):
    token = known_devices.remember(user, None, now=NOW - STEP, days=POLICY.known_device_days)
    user.failed_logins, user.locked_until_dt = 3, NOW + timedelta(hours=1)  # a stranger's guesses
    with pytest.raises(LoginRefused):
        authenticate_code(user, "bad", now=NOW, policy=POLICY, device_token=token)
    assert user.failed_logins == 3 and user.locked_until_dt == NOW + timedelta(hours=1)
    assert authenticate("officer.2fa", "correct horse 42", now=NOW, policy=POLICY, device_token=token) is user
    assert authenticate_code(user, code(user, NOW), now=NOW, policy=POLICY, device_token=token) is user
    # The stranger is still locked out.
    assert user.locked_until_dt == NOW + timedelta(hours=1)


def test_the_pending_marker_holds_five_minutes_and_only_for_the_same_account(user):
    marker = two_factor.pending_marker(user, now=1000.0)
    assert two_factor.pending_user(marker, now=1000.0 + 299) is user
    assert two_factor.pending_user(marker, now=1000.0 + 301) is None
    for broken in (None, "x", {}, {**marker, "user": "1"}, {**marker, "at": None}, {**marker, "version": 99}):
        assert two_factor.pending_user(broken, now=1001.0) is None
    two_factor.disable(user, actor=None)
    assert two_factor.pending_user(marker, now=1001.0) is None


def test_the_set_up_secret_comes_from_the_key_and_the_sessions_nonce(app_ctx):
    first, second = make_user("officer.one"), make_user("officer.two")
    db.session.flush()
    nonce = two_factor.new_setup_nonce()
    secret = two_factor.setup_secret("key", first, nonce)
    assert two_factor.is_secret(secret) and nonce not in secret
    assert two_factor.setup_secret(b"key", first, nonce) == secret, "the same page again shows the same key"
    others = {two_factor.setup_secret("key", second, nonce), two_factor.setup_secret("other key", first, nonce),
              two_factor.setup_secret("key", first, two_factor.new_setup_nonce())}
    assert secret not in others and len(others) == 3
    for forged in (None, 42, "", "x" * 21, "!" * 22, secret):
        assert two_factor.setup_secret("key", first, forged) is None, forged
