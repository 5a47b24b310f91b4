"""``flask --app feedback users create|list|disable|enable|set-password|reset-two-factor``: staff accounts."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from feedback.extensions import db
from feedback.models import Role, User
from feedback.models._types import utcnow
from feedback.services import two_factor
from feedback.services.accounts import AccountError, create_user, find_user, set_active, set_password

users_group = AppGroup("users", help="Create, list and disable staff accounts.")


def _fail(exc: AccountError):
    raise click.UsageError("; ".join(f"{field}: {message}" for field, message in exc.errors.items()))


def _require(username: str) -> User:
    user = find_user(username)
    if user is None:
        raise click.BadParameter(f"no user {username!r}", param_hint="USERNAME")
    return user


@users_group.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--center", "centers", multiple=True, help="Center code an officer looks after; repeat for several.")
@click.option("--region", default=None, help="Region a supervisor oversees (empty: all regions).")
@click.option("--name", "display_name", default="", help="Full name shown in the audit trail.")
@click.password_option("--password", prompt="Password", confirmation_prompt=True,
                       help="Prompted without echo when not given (prefer the prompt: options end up in shell history).")
def create_command(username, role, centers, region, display_name, password):
    """Create an account; the password is read without echo."""
    try:
        user = create_user(username, password, role, display_name=display_name, region=region,
                           center_codes=centers, now=utcnow())
    except AccountError as exc:
        _fail(exc)
    db.session.commit()
    click.echo(f"created {user.role} {user.username}")


@users_group.command("list")
def list_command():
    """List every account with role, scope and state."""
    for user in db.session.scalars(sa.select(User).order_by(User.username)):
        scope = ",".join(c.code for c in user.centers) if user.role == Role.officer else (user.region or "*")
        state = "active" if user.is_active else "disabled"
        if user.totp_secret:
            state += " two-factor"
        if user.locked_until_dt and user.locked_until_dt > utcnow():
            state += f" locked-until={user.locked_until_dt.isoformat(timespec='minutes')}"
        click.echo(f"{user.username:24} {user.role:11} {scope:30} {state}")


@users_group.command("disable")
@click.argument("username")
def disable_command(username):
    """Disable an account; its sessions end at once."""
    user = _require(username)
    try:
        set_active(user, False)
    except AccountError as exc:
        _fail(exc)
    db.session.commit()
    click.echo(f"disabled {user.username}")


@users_group.command("enable")
@click.argument("username")
def enable_command(username):
    """Enable an account again and clear its lock-out."""
    user = _require(username)
    set_active(user, True)
    db.session.commit()
    click.echo(f"enabled {user.username}")


@users_group.command("set-password")
@click.argument("username")
@click.password_option("--password", prompt="New password", confirmation_prompt=True)
def set_password_command(username, password):
    """Set a new password (read without echo); other sessions end."""
    user = _require(username)
    try:
        set_password(user, password, now=utcnow())
    except AccountError as exc:
        _fail(exc)
    db.session.commit()
    click.echo(f"password changed for {user.username}")


@users_group.command("reset-two-factor")
@click.argument("username")
def reset_two_factor_command(username):
    """Turn off an account's two-factor sign-in (a lost phone); its sessions end."""
    user = _require(username)
    if not two_factor.disable(user, actor=None):
        click.echo(f"two-factor sign-in was already off for {user.username}")
        return
    db.session.commit()
    click.echo(f"two-factor sign-in reset for {user.username}")
