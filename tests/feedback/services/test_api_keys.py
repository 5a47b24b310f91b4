"""API keys: stored hashed, found by prefix, scoped, revocable; the CLI prints the secret once."""

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from factories import make_center
from feedback.extensions import db
from feedback.models import ApiKey
from feedback.services.api_keys import ApiKeyError, issue_api_key, revoke_api_key, verify_api_key


def test_issued_key_is_stored_only_as_a_hash_and_verifies(app_ctx):
    issued = issue_api_key("queue", ["visits:create"])
    db.session.commit()
    row = db.session.scalar(sa.select(ApiKey))
    secret_part = issued.secret.split("_", 2)[2]
    assert issued.secret.startswith(f"rey_{row.prefix}_")
    assert secret_part not in row.secret_hash and len(row.secret_hash) == 64
    assert verify_api_key(issued.secret, "visits:create").id == row.id
    assert row.last_used_dt is not None


@pytest.mark.parametrize("presented", [None, "", "Bearer x", "rey_000000000000_" + "a" * 43, "nonsense"])
def test_missing_or_unknown_keys_are_401(app_ctx, presented):
    issue_api_key("queue", ["visits:create"])
    with pytest.raises(ApiKeyError) as caught:
        verify_api_key(presented, "visits:create")
    assert caught.value.status == 401


def test_right_prefix_wrong_secret_is_401(app_ctx):
    issued = issue_api_key("queue", ["visits:create"])
    forged = issued.secret[:-4] + ("AAAA" if not issued.secret.endswith("AAAA") else "BBBB")
    with pytest.raises(ApiKeyError) as caught:
        verify_api_key(forged, "visits:create")
    assert caught.value.status == 401


def test_missing_scope_is_403(app_ctx):
    issued = issue_api_key("exporter", ["exports:read"])
    with pytest.raises(ApiKeyError) as caught:
        verify_api_key(issued.secret, "visits:create")
    assert caught.value.status == 403


def test_revoked_key_is_refused(app_ctx):
    issued = issue_api_key("queue", ["visits:create"])
    revoke_api_key(issued.api_key.prefix)
    db.session.commit()
    with pytest.raises(ApiKeyError) as caught:
        verify_api_key(issued.secret, "visits:create")
    assert caught.value.status == 401 and "revoked" in str(caught.value)


def test_unknown_scope_and_empty_name_are_refused(app_ctx):
    with pytest.raises(ValueError):
        issue_api_key("queue", ["everything"])
    with pytest.raises(ValueError):
        issue_api_key("  ", ["visits:create"])


def test_last_used_is_written_at_most_once_a_minute(app_ctx):
    issued = issue_api_key("queue", ["visits:create"])
    start = datetime(2026, 5, 1, 9, 0, tzinfo=timezone.utc)
    verify_api_key(issued.secret, "visits:create", now=start)
    verify_api_key(issued.secret, "visits:create", now=start + timedelta(seconds=30))
    assert issued.api_key.last_used_dt == start
    verify_api_key(issued.secret, "visits:create", now=start + timedelta(minutes=2))
    assert issued.api_key.last_used_dt == start + timedelta(minutes=2)


def test_cli_creates_lists_and_revokes(app, runner):
    with app.app_context():
        make_center("baku-1")
    created = runner.invoke(args=["api-keys", "create", "--name", "queue Baku 1",
                                  "--scope", "visits:create", "--center", "baku-1"])
    assert created.exit_code == 0, created.output
    secret = next(line.split()[-1] for line in created.output.splitlines() if line.startswith("key:"))
    prefix = secret.split("_")[1]
    listed = runner.invoke(args=["api-keys", "list"])
    assert prefix in listed.output and "baku-1" in listed.output and "active" in listed.output
    assert secret.split("_", 2)[2] not in listed.output
    revoked = runner.invoke(args=["api-keys", "revoke", prefix])
    assert revoked.exit_code == 0
    assert "revoked" in runner.invoke(args=["api-keys", "list"]).output
    with app.app_context(), pytest.raises(ApiKeyError):
        verify_api_key(secret, "visits:create")


def test_cli_refuses_unknown_center_and_prefix(runner):
    assert runner.invoke(args=["api-keys", "create", "--name", "q", "--scope", "visits:create",
                               "--center", "nowhere"]).exit_code != 0
    assert runner.invoke(args=["api-keys", "revoke", "abcdefabcdef"]).exit_code != 0


def test_the_command_line_refuses_a_name_too_long_rather_than_cut_it(app, runner):
    long_name = "queue system of the Baku 1 center, hall B, " * 4  # 176 characters
    issued = runner.invoke(args=["api-keys", "create", "--name", long_name, "--scope", "visits:create"])
    assert issued.exit_code != 0 and "at most 120 characters" in issued.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiKey)) == 0
    exact = runner.invoke(args=["api-keys", "create", "--name", "q" * 120, "--scope", "visits:create"])
    assert exact.exit_code == 0, exact.output
