"""Rəy: citizen feedback for public-service centers."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask

from feedback import config as config_module

__all__ = ["create_app"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: configure, bind extensions, register blueprints. No side effects."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        static_folder=str(PROJECT_ROOT / "static"),
        static_url_path="/static",
    )
    app.config.from_mapping(config_module.from_environment(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

    from feedback import auth, classifier, cli, database, errors, i18n, monitoring, security, staff_sessions
    from feedback.extensions import csrf, db, limiter, migrate

    monitoring.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    staff_sessions.init_app(app)
    classifier.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    cli.init_app(app)

    from feedback.admin import bp as admin_bp
    from feedback.dashboard import bp as dashboard_bp
    from feedback.api import bp as api_bp
    from feedback.health import bp as health_bp
    from feedback.kiosk import bp as kiosk_bp
    from feedback.review import bp as review_bp
    from feedback.survey import bp as survey_bp
    from feedback.visits import bp as visits_bp

    app.register_blueprint(survey_bp)
    app.register_blueprint(review_bp, url_prefix="/review")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(dashboard_bp, url_prefix="/dashboard")
    app.register_blueprint(visits_bp)
    app.register_blueprint(kiosk_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(health_bp)
    csrf.exempt(api_bp)
    return app
