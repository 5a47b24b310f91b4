"""A command run before ``db upgrade``, or while the database is down, says so in one line and
exits non-zero, not with a traceback of SQL."""

import os

import pytest

from feedback import create_app
from feedback.config import sqlalchemy_url
from feedback.extensions import db

COMMANDS = [
    ["users", "list"],
    ["users", "create", "sup.q", "--role", "supervisor", "--password", "long enough pw 1"],
    ["users", "disable", "sup.q"],
    ["api-keys", "list"],
    ["api-keys", "create", "--name", "queue", "--scope", "visits:create"],
    ["ml", "export-labels"],
    ["retention", "purge"],
    ["privacy", "remask"],
    ["privacy", "erase", "K7PW-4QX2"],
    ["seed-demo"],
]


DATABASES = ["sqlite-without-tables", "postgresql-not-running"] + (
    ["postgresql-without-tables"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(params=DATABASES)
def runner(request, tmp_path):
    config = {"TESTING": True, "SECRET_KEY": "test-secret", "MODELS_DIR": str(tmp_path / "no-models"),
              "BACKUP_DIR": str(tmp_path / "backups")}
    if request.param == "sqlite-without-tables":
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'never-upgraded.sqlite3'}"
    elif request.param == "postgresql-not-running":
        config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://rey@127.0.0.1:1/rey"
    else:  # a schema nobody created: every table is missing, and nothing is written anywhere
        config["SQLALCHEMY_DATABASE_URI"] = sqlalchemy_url(os.environ["TEST_DATABASE_URL"])
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"options": "-csearch_path=rey_never_upgraded"}}
    app = create_app(config)
    yield app.test_cli_runner()
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_database_that_cannot_be_used_is_a_one_line_error(runner, args):
    result = runner.invoke(args=args)
    assert result.exit_code == 1, (result.output, result.exception)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: the database cannot be used"), result.output
    assert "db upgrade" in lines[0]
