"""Command-line chores: ``flask --app feedback <command>``."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_migrate import upgrade

from feedback.extensions import db


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
