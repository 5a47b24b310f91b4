"""Operations chores: ``flask --app feedback retention purge``, ``flask --app feedback privacy remask``,
``flask --app feedback privacy erase REFERENCE`` and ``flask --app feedback db backup``."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate.cli import db as db_group

from feedback.extensions import db


@click.group("retention")
def retention_group():
    """Delete personal data that is kept no longer than needed."""


@retention_group.command("purge")
@click.option("--days", type=int, default=None, help="Override CONTACT_RETENTION_DAYS.")
@with_appcontext
def purge_command(days: int | None):
    """Erase contact details, and comments' unmasked text, of feedback older than the retention period."""
    from feedback.services.retention import purge_expired_personal_data

    days = current_app.config["CONTACT_RETENTION_DAYS"] if days is None else days
    try:
        purged = purge_expired_personal_data(now=datetime.now(timezone.utc), retention_days=days)
    except ValueError as exc:  # from --days or REY_CONTACT_RETENTION_DAYS
        raise click.BadParameter(str(exc), param_hint="--days or REY_CONTACT_RETENTION_DAYS") from None
    db.session.commit()
    click.echo(f"contact details erased from {purged.contacts} submissions older than {days} days, "
               f"personal data in comments from {purged.comments}")


@click.group("privacy")
def privacy_group():
    """Keep personal data in comments masked; erase it when a citizen asks."""


@privacy_group.command("remask")
@with_appcontext
def remask_command():
    """Mask stored comments, case notes and resolution messages again with the current patterns
    (after an upgrade that added some)."""
    from feedback.services.privacy import remask_stored_comments

    count = remask_stored_comments(now=datetime.now(timezone.utc))
    db.session.commit()
    click.echo(f"masked comments changed in {count} submissions")


@privacy_group.command("erase")
@click.argument("reference")
@with_appcontext
def erase_command(reference: str):
    """Erase the contact and comment of the feedback with REFERENCE, at the citizen's request."""
    from feedback.services.retention import erase_on_request, find_submission

    submission = find_submission(reference)
    if submission is None:
        raise click.ClickException(f"no feedback has the reference {reference!r}")
    erased = erase_on_request(submission, now=datetime.now(timezone.utc))
    db.session.commit()
    click.echo(f"{erased.reference}: contact {'erased' if erased.contact else 'none'}, "
               f"comment {'erased' if erased.comment else 'none'}; ratings kept")


@db_group.command("backup")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the backup (default: instance/backups/rey-<UTC time>.<ext>).")
@with_appcontext
def backup_command(output: Path | None):
    """Make a consistent backup of the database while the app keeps running."""
    from feedback.services.backup import BackupError, backup_postgresql, backup_sqlite

    url = db.engine.url
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    default_dir = Path(current_app.instance_path) / "backups"
    try:
        if url.get_backend_name() == "sqlite":
            result = backup_sqlite(Path(url.database), output or default_dir / f"rey-{stamp}.sqlite3")
        elif url.get_backend_name() == "postgresql":
            result = backup_postgresql(url, output or default_dir / f"rey-{stamp}.dump")
        else:
            raise BackupError(f"no backup method for {url.get_backend_name()}; use its own tools")
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"backup written: {result.path} ({result.size_bytes} bytes)")
    for table, count in sorted(result.tables.items()):
        click.echo(f"  {table}: {count} rows")
    if url.get_backend_name() == "postgresql":
        click.echo(f"restore with: pg_restore --clean --no-owner --dbname=DBNAME {result.path}")


def init_app(app) -> None:
    # backup_command joined Flask-Migrate's `db` group when this module was imported.
    app.cli.add_command(retention_group)
    app.cli.add_command(privacy_group)
