"""Command-line chores: ``flask --app feedback <command>``."""

from __future__ import annotations

import functools

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import exc as database_errors

from feedback.extensions import db

#: The database is down, unreachable or locked, or has no tables yet (SQLite says so with an
#: OperationalError); PostgreSQL's missing table or column comes as a ProgrammingError (below).
_UNUSABLE = (database_errors.OperationalError, database_errors.InterfaceError, database_errors.TimeoutError)
#: PostgreSQL's codes for a table or column that is not there: the schema was never upgraded.
_SCHEMA_MISSING = {"42P01", "42703"}


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create or upgrade the database schema to the latest migration."""
    upgrade()
    click.echo(f"database ready: {db.engine.url.render_as_string(hide_password=True)}")


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Add demo centers, services and an officer account (safe to run again)."""
    from feedback.services.demo import seed_demo_centers

    centers = seed_demo_centers()
    db.session.commit()
    click.echo(f"demo data ready: {len(centers)} centers")
    from flask import current_app

    base = current_app.config["PUBLIC_BASE_URL"]
    click.echo(f"survey: {base}/c/{centers[0].code}")

    from feedback.classifier import get_classifier
    from feedback.services.demo_cases import DEMO_PASSWORD, seed_demo_feedback, seed_demo_users
    from feedback.services.triage import TriageRules

    users = seed_demo_users()
    db.session.commit()
    created = seed_demo_feedback(classifier=get_classifier(), rules=TriageRules.from_config(current_app.config))
    click.echo(f"demo feedback: {created} new submissions")
    for username, is_new in users:
        click.echo(f"demo login: {username} / {DEMO_PASSWORD}{'' if is_new else ' (existing account)'}")
    click.echo(f"officer queue: {base}/review/login (demo password is for the demo only)")


def _database_unusable(error: Exception) -> bool:
    if isinstance(error, _UNUSABLE):
        return True
    return (isinstance(error, database_errors.ProgrammingError)
            and getattr(getattr(error, "orig", None), "sqlstate", None) in _SCHEMA_MISSING)


def one_line_database_errors(command: click.Command) -> click.Command:
    """Have ``command`` (or each command of a group) report a database it cannot use in one line
    with exit status 1, as the other failures of the chores are, rather than with a traceback of SQL."""
    if isinstance(command, click.Group):
        for subcommand in command.commands.values():
            one_line_database_errors(subcommand)
        return command
    callback = command.callback
    if callback is None or getattr(callback, "_one_line_database_errors", False):
        return command

    @functools.wraps(callback)
    def run(*args, **kwargs):
        try:
            return callback(*args, **kwargs)
        except database_errors.SQLAlchemyError as error:
            if not _database_unusable(error):
                raise
            reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
            raise click.ClickException(
                f"the database cannot be used: {reason} (is it running, and was "
                f"`flask --app feedback db upgrade` run?)") from None

    run._one_line_database_errors = True
    command.callback = run
    return command


def init_app(app: Flask) -> None:
    from feedback import maintenance

    maintenance.init_app(app)
    app.cli.add_command(init_db_command)
    app.cli.add_command(seed_demo_command)

    from feedback.users_cli import users_group

    app.cli.add_command(users_group)

    from feedback.api.keys_cli import api_keys_group

    app.cli.add_command(api_keys_group)

    from feedback.learning_cli import ml_group

    app.cli.add_command(ml_group)

    for command in (init_db_command, seed_demo_command, users_group, api_keys_group, ml_group,
                    maintenance.retention_group, maintenance.privacy_group):
        one_line_database_errors(command)
