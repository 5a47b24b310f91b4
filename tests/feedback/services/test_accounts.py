"""The service always keeps an active administrator, even when two take each other's role at once;
failed sign-ins all count toward the lock-out, even when sent at once."""

import threading

import pytest
from flask_babel import force_locale
import sqlalchemy as sa

from factories import make_user
from feedback.extensions import db
from feedback.models import Role, User
from feedback.models._types import utcnow
from feedback.services.accounts import AccountError, find_user, password_problem, set_active, update_user
from feedback.services.login import LoginPolicy, LoginRefused, authenticate


def _active_administrators() -> list[str]:
    return db.session.scalars(sa.select(User.username).where(User.role == Role.admin, User.is_active.is_(True))
                              .order_by(User.username)).all()


def _take_away(how: str, user: User, actor: User | None) -> None:
    if how == "disable":
        set_active(user, False, actor=actor)
    else:
        update_user(user, display_name="", role=Role.integrity, region=None, center_codes=[], actor=actor)


@pytest.mark.parametrize("how", ["disable", "demote"])
def test_the_last_active_administrator_stays(app_ctx, how):
    only = make_user("admin.1", "admin")
    make_user("admin.2", "admin").is_active = False  # a disabled one does not count
    db.session.commit()
    with pytest.raises(AccountError) as refused:
        _take_away(how, only, actor=None)
    assert refused.value.errors.keys() == {"role"} and "administrator" in refused.value.errors["role"]
    db.session.rollback()
    assert _active_administrators() == ["admin.1"]


@pytest.mark.parametrize("how", ["disable", "demote"])
def test_one_of_two_administrators_may_go(app_ctx, how):
    first, _second = make_user("admin.1", "admin"), make_user("admin.2", "admin")
    _take_away(how, first, actor=None)
    db.session.commit()
    assert _active_administrators() == ["admin.2"]


def test_others_accounts_change_freely_with_no_administrator_at_all(app_ctx):
    """A fresh install before its first administrator: officers can still be disabled."""
    officer = make_user("integrity.1", "integrity")
    set_active(officer, False)
    db.session.commit()
    assert db.session.get(User, officer.id).is_active is False


def test_the_command_line_refuses_to_disable_the_last_administrator(app, runner):
    with app.app_context():
        make_user("admin.1", "admin")
    result = runner.invoke(args=["users", "disable", "admin.1"])
    # Without a request the message is in the default language (az): "... aktiv administrator qalmazdı".
    assert result.exit_code == 2 and "role: " in result.output and "administrator" in result.output
    with app.app_context():
        assert _active_administrators() == ["admin.1"]


@pytest.mark.parametrize("how", ["disable", "demote"])
def test_two_administrators_taking_each_others_role_at_once_leave_one(app, how):
    """Each checks that the other is still in office; without a lock both would go."""
    with app.app_context():
        first, second = make_user("admin.1", "admin").id, make_user("admin.2", "admin").id
    flushed, release = threading.Event(), threading.Event()
    outcome = {}

    def change(actor_id, user_id, name, hold):
        with app.app_context():
            try:
                _take_away(how, db.session.get(User, user_id), db.session.get(User, actor_id))
                if hold:
                    flushed.set()
                    release.wait(30)
                db.session.commit()
                outcome[name] = "done"
            except AccountError:
                db.session.rollback()
                outcome[name] = "refused"
            finally:
                flushed.set()
                db.session.remove()

    earlier = threading.Thread(target=change, args=(first, second, "earlier", True))
    earlier.start()
    assert flushed.wait(30)
    later = threading.Thread(target=change, args=(second, first, "later", False))
    later.start()
    later.join(timeout=0.5)  # most likely waiting for the earlier one's lock; either way it must lose
    release.set()
    earlier.join(30)
    later.join(30)
    assert outcome == {"earlier": "done", "later": "refused"}
    with app.app_context():
        assert _active_administrators() == ["admin.1"]


def test_wrong_passwords_sent_at_once_each_count_toward_the_lock_out(app):
    """Two sign-ins read the account before either counts its failure (requests sent in parallel):
    both must count, or a guesser sending many at once would seldom reach the lock-out."""
    with app.app_context():
        make_user("officer.a", "supervisor")
    policy = LoginPolicy(max_failures=2)
    with app.app_context():
        # The first request has read the account (and is checking the password, which takes a while)
        read = find_user("officer.a")
        assert read.failed_logins == 0
        with app.app_context():  # when another's wrong password is counted
            with pytest.raises(LoginRefused):
                authenticate("officer.a", "guess number 1", now=utcnow(), policy=policy)
            db.session.commit()
        with pytest.raises(LoginRefused) as refused:
            authenticate("officer.a", "guess number 2", now=utcnow(), policy=policy)
        db.session.commit()
    assert refused.value.locked_until is not None, "the second failure in a row locks the account"
    with app.app_context():
        user = find_user("officer.a")
        assert user.failed_logins == 2 and user.locked_until_dt is not None


@pytest.mark.parametrize("password", [
    "0501234567", "19850314 19850314",  # a phone number, a birthday
    "Password2026!", "parol12345", "Пароль2026!!", "Salam 12345", "Bakı-2026-!!", "xidmət2026!!",
    "qwertyuiop", "poiuytrewq", "asdfghjkl;", "йцукенгшщз", "abcdefghijk", "1234567890",
])
def test_passwords_a_guesser_tries_first_are_refused(app_ctx, password):
    with force_locale("en"):
        assert password_problem(password).startswith("Guessers try passwords like this first")


@pytest.mark.parametrize("password", [
    "correct horse 42", "Gözəl yay səhəri", "demo-password-2026", "мой кот любит рыбу", "qwerty ağac 2026",
])
def test_passwords_of_several_words_pass(app_ctx, password):
    assert password_problem(password) is None
