"""Operations chores: ``flask --app feedback retention purge``, ``flask --app feedback privacy remask``,
``flask --app feedback privacy erase REFERENCE``, ``flask --app feedback privacy erase-again`` and
``flask --app feedback db backup``."""

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
    """Erase contact details, and comments' unmasked text, of feedback older than the retention period;
    delete backups older than theirs (REY_BACKUP_RETENTION_DAYS)."""
    from feedback.services.retention import purge_expired_personal_data

    now = datetime.now(timezone.utc)
    days = current_app.config["CONTACT_RETENTION_DAYS"] if days is None else days
    try:
        purged = purge_expired_personal_data(now=now, retention_days=days)
    except ValueError as exc:  # from --days or REY_CONTACT_RETENTION_DAYS
        raise click.BadParameter(str(exc), param_hint="--days or REY_CONTACT_RETENTION_DAYS") from None
    db.session.commit()
    click.echo(f"contact details erased from {purged.contacts} submissions older than {days} days, "
               f"personal data in comments from {purged.comments}")
    _prune_backups(now)


def _prune_backups(now: datetime) -> None:
    from feedback.services.backup import BackupError, prune_backups

    keep_days = current_app.config["BACKUP_RETENTION_DAYS"]
    try:
        deleted = prune_backups(Path(current_app.config["BACKUP_DIR"]), now=now, keep_days=keep_days)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"backups older than {keep_days} days deleted: {len(deleted)}")
    for path in deleted:
        click.echo(f"  {path.name}")


@click.group("privacy")
def privacy_group():
    """Keep personal data in comments masked; erase it when a citizen asks."""


@privacy_group.command("remask")
@with_appcontext
def remask_command():
    """Mask stored comments, case notes and resolution messages again with the current patterns
    (after an upgrade that added some)."""
    from feedback.services.privacy import remask_stored_comments

    changed = remask_stored_comments(now=datetime.now(timezone.utc))
    db.session.commit()
    click.echo(f"masked comments changed in {changed.submissions} submissions, "
               f"case notes and resolution messages in {changed.case_texts}")


@privacy_group.command("erase")
@click.argument("reference")
@with_appcontext
def erase_command(reference: str):
    """Erase the contact and comment of the feedback with REFERENCE, at the citizen's request."""
    from feedback.services.backup import BackupError, note_erasure
    from feedback.services.retention import erase_on_request, find_submission

    submission = find_submission(reference)
    if submission is None:
        raise click.ClickException(f"no feedback has the reference {reference!r}")
    now = datetime.now(timezone.utc)
    erased = erase_on_request(submission, now=now)
    db.session.commit()
    click.echo(f"{erased.reference}: contact {'erased' if erased.contact else 'none'}, "
               f"comment {'erased' if erased.comment else 'none'}; ratings kept")
    try:
        note_erasure(Path(current_app.config["BACKUP_DIR"]), erased.reference, now)
    except BackupError as exc:
        raise click.ClickException(f"{exc}. Add it by hand: backups made before now still hold it.") from exc
    click.echo(f"backups made before now still hold it until they are deleted after "
               f"{current_app.config['BACKUP_RETENTION_DAYS']} days; after restoring one, "
               f"run: flask --app feedback privacy erase-again")


@privacy_group.command("erase-again")
@with_appcontext
def erase_again_command():
    """After restoring a backup, erase again what citizens asked to erase since it was made
    (the references listed beside the backups)."""
    from feedback.services.backup import BackupError, erased_references
    from feedback.services.retention import erase_again

    try:
        references = erased_references(Path(current_app.config["BACKUP_DIR"]))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    again = erase_again(references, now=datetime.now(timezone.utc))
    db.session.commit()
    click.echo(f"{len(references)} erasures listed; erased again: {len(again)}")
    for reference in again:
        click.echo(f"  {reference}")


@db_group.command("backup")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the backup (default: instance/backups/rey-<UTC time>.<ext>).")
@with_appcontext
def backup_command(output: Path | None):
    """Make a consistent backup of the database while the app keeps running."""
    from feedback.services.backup import BackupError, backup_path, backup_postgresql, backup_sqlite

    url = db.engine.url
    now = datetime.now(timezone.utc)
    folder = Path(current_app.config["BACKUP_DIR"])
    try:
        if url.get_backend_name() == "sqlite":
            result = backup_sqlite(Path(url.database), output or backup_path(folder, now, "sqlite3"))
        elif url.get_backend_name() == "postgresql":
            result = backup_postgresql(url, output or backup_path(folder, now, "dump"))
        else:
            raise BackupError(f"no backup method for {url.get_backend_name()}; use its own tools")
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"backup written: {result.path} ({result.size_bytes} bytes)")
    for table, count in sorted(result.tables.items()):
        click.echo(f"  {table}: {count} rows")
    if url.get_backend_name() == "postgresql":
        click.echo(f"restore with: pg_restore --clean --no-owner --dbname=DBNAME {result.path}")
    click.echo("after a restore, run: flask --app feedback privacy erase-again")
    if output is None:  # a file put elsewhere is the operator's to look after
        _prune_backups(now)


def init_app(app) -> None:
    # backup_command joined Flask-Migrate's `db` group when this module was imported.
    app.cli.add_command(retention_group)
    app.cli.add_command(privacy_group)
