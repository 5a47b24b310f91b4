"""Fixtures shared by the whole suite: the app on each database backend, its client and factories.

Every test that touches the database runs on SQLite, and again on PostgreSQL when
``TEST_DATABASE_URL`` is set (``.ci/run`` sets it). PostgreSQL tests get a schema of their own that
is dropped at the end, so parallel runs and earlier leftovers do not interfere.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from feedback import create_app
from feedback.extensions import db

from support import BACKENDS, ROOT, _postgres_url


@pytest.fixture(scope="session")
def postgres_schema():
    """A schema of this test session's own in the test database; dropped afterwards."""
    if "postgresql" not in BACKENDS:
        pytest.skip("TEST_DATABASE_URL is not set")
    schema = f"rey_test_{os.getpid()}_{secrets.token_hex(3)}"
    engine = sa.create_engine(_postgres_url())
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    yield schema
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture(scope="session")
def trained_models_dir(tmp_path_factory):
    """A models folder with a model trained once per session on the seed corpus."""
    root = tmp_path_factory.mktemp("models")
    subprocess.run(
        [sys.executable, "-m", "ml", "train", "--data", str(ROOT / "ml" / "corpus"),
         "--out", str(root / "test-model"), "--promote", "--quick"],
        check=True, cwd=ROOT, capture_output=True,
    )
    return root


def _backend_config(backend: str, tmp_path: Path, request) -> dict:
    if backend == "sqlite":
        return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.sqlite3'}"}
    schema = request.getfixturevalue("postgres_schema")
    return {
        "SQLALCHEMY_DATABASE_URI": _postgres_url(),
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_pre_ping": True,
            "connect_args": {"options": f"-csearch_path={schema}"},
        },
    }


@pytest.fixture(params=BACKENDS)
def app(request, tmp_path):
    """The app on a fresh, empty database; ``@pytest.mark.model`` gives it a trained model."""
    models_dir = tmp_path / "no-models"
    if request.node.get_closest_marker("model"):
        models_dir = request.getfixturevalue("trained_models_dir")
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "MODELS_DIR": str(models_dir),
        # Never the instance folder's: the retention purge deletes old backups there.
        "BACKUP_DIR": str(tmp_path / "backups"),
        "RATELIMIT_ENABLED": False,
        # Admins signed in by the tests would otherwise have to set up two-factor sign-in first;
        # tests of that rule ask for it with @pytest.mark.config(TWO_FACTOR_ROLES=...).
        "TWO_FACTOR_ROLES": frozenset(),
        **_backend_config(request.param, tmp_path, request),
    }
    marker = request.node.get_closest_marker("config")
    if marker:
        config.update(marker.kwargs)
    app = create_app(config)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        if request.param == "postgresql":
            db.drop_all()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield


def pytest_terminal_summary(terminalreporter):
    """Say how many tests passed on each database backend, so a CI log shows that both ran."""
    passed = [report.nodeid for report in terminalreporter.stats.get("passed", []) if report.when == "call"]
    counts = {backend: sum(f"[{backend}" in nodeid or f"-{backend}" in nodeid for nodeid in passed)
              for backend in ("sqlite", "postgresql")}
    terminalreporter.write_line(
        "database backends: " + ", ".join(f"{name} {count} passed" for name, count in counts.items())
    )
