"""Settings from the environment: a deployment stays responsive when a dependency fails, and the
networks it trusts are read strictly."""

import pytest
import sqlalchemy as sa

from support import BACKENDS, _postgres_url
from feedback import create_app
from feedback.config import from_environment
from feedback.extensions import db


def test_postgresql_connections_give_up_after_a_few_seconds(tmp_path):
    options = from_environment(str(tmp_path), {"DATABASE_URL": "postgres://db.internal/rey"})["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["connect_args"] == {"connect_timeout": 5} and options["pool_pre_ping"]
    slower = from_environment(str(tmp_path), {"DATABASE_URL": "postgresql://db.internal/rey",
                                              "REY_DB_CONNECT_TIMEOUT": "12"})
    assert slower["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] == {"connect_timeout": 12}
    # SQLite's driver knows no such argument.
    assert "connect_args" not in from_environment(str(tmp_path), {})["SQLALCHEMY_ENGINE_OPTIONS"]


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="TEST_DATABASE_URL is not set")
def test_the_driver_accepts_the_production_engine_options(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", _postgres_url())
    app = create_app({"SECRET_KEY": "test-secret"})
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT 1")) == 1
        db.engine.dispose()


def test_a_failed_statement_keeps_its_values_out_of_the_error_and_the_log(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'rey.sqlite3'}")
    app = create_app({"SECRET_KEY": "test-secret"})
    phone = "+994 50 123 45 67"
    with app.app_context():
        with pytest.raises(sa.exc.OperationalError) as failed:
            db.session.execute(sa.text("SELECT no_such_column WHERE :contact <> ''"), {"contact": phone})
        db.session.rollback()
        db.engine.dispose()
    assert "no_such_column" in str(failed.value) and phone not in str(failed.value)


def test_hall_networks_are_read_from_the_environment_and_a_typo_stops_the_app(tmp_path):
    config = from_environment(str(tmp_path), {"REY_HALL_NETWORKS": "85.132.10.0/24 10.0.0.1,2001:db8::/32"})
    assert [str(n) for n in config["HALL_NETWORKS"]] == ["85.132.10.0/24", "10.0.0.1/32", "2001:db8::/32"]
    assert from_environment(str(tmp_path), {})["HALL_NETWORKS"] == ()
    with pytest.raises(ValueError, match="REY_HALL_NETWORKS"):
        from_environment(str(tmp_path), {"REY_HALL_NETWORKS": "85.132.10.0/33"})
