"""``flask --app feedback api-keys create|list|revoke``: keys for queue systems and exports."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from feedback.extensions import db
from feedback.models import Center
from feedback.models.api_key import SCOPES
from feedback.services.api_keys import issue_api_key, list_api_keys, revoke_api_key

api_keys_group = AppGroup("api-keys", help="Issue, list and revoke API keys for machine clients.")


@api_keys_group.command("create")
@click.option("--name", required=True, help="Who uses the key, e.g. 'queue system Baku 1'.")
@click.option("--scope", "scopes", multiple=True, required=True, type=click.Choice(SCOPES),
              help="A scope to grant; repeat for several.")
@click.option("--center", "center_code", default=None, help="Limit the key to one center code.")
def create_command(name: str, scopes: tuple[str, ...], center_code: str | None):
    """Issue a key and print its secret once."""
    center = None
    if center_code:
        center = db.session.scalar(sa.select(Center).where(Center.code == center_code))
        if center is None:
            raise click.BadParameter(f"no center with code {center_code!r}", param_hint="--center")
    try:
        issued = issue_api_key(name, list(scopes), center=center)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    db.session.commit()
    click.echo(f"prefix: {issued.api_key.prefix}")
    click.echo(f"scopes: {' '.join(issued.api_key.scopes)}")
    click.echo(f"key:    {issued.secret}")
    click.echo("Store the key now: it is not kept and cannot be shown again.", err=True)


@api_keys_group.command("list")
def list_command():
    """List keys (never their secrets)."""
    keys = list_api_keys()
    if not keys:
        click.echo("no API keys")
    for key in keys:
        state = f"revoked {key.revoked_dt:%Y-%m-%d %H:%M}" if key.is_revoked else "active"
        used = f"{key.last_used_dt:%Y-%m-%d %H:%M}" if key.last_used_dt else "never"
        center = key.center.code if key.center else "all centers"
        click.echo(f"{key.prefix}  {state:<24} {','.join(key.scopes):<30} {center:<16} used {used}  {key.name}")


@api_keys_group.command("revoke")
@click.argument("prefix")
def revoke_command(prefix: str):
    """Revoke a key by its prefix; its clients are refused from then on."""
    try:
        key = revoke_api_key(prefix)
    except LookupError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"revoked {key.prefix} ({key.name})")
