"""Backups are kept no longer than their retention period, and a restored backup does not bring
back what citizens asked to erase since it was made."""

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from factories import make_case, make_center
from feedback.extensions import db
from feedback.models import AdminAction, AdminEvent, Submission
from feedback.services.backup import (
    BackupError, backup_path, erased_references, note_erasure, prune_backups,
)
from feedback.services.retention import erase_again, find_submission

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
COMMENT = "Operator kobud idi, zəng edin +994 50 123 45 67"


def _backups(folder: Path, *ages_in_days: float) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for age in ages_in_days:
        path = backup_path(folder, NOW - timedelta(days=age), "dump")
        path.write_bytes(b"dump")
        paths.append(path)
    return paths


def test_prune_deletes_only_its_own_backups_older_than_the_period_and_logs_it(app_ctx, tmp_path):
    old, just_expired, recent = _backups(tmp_path, 45, 30.01, 29.9)
    others = [tmp_path / "rey-notes.txt", tmp_path / "nightly.dump", tmp_path / "rey-20261399-000000.dump"]
    for other in others:
        other.write_text("an operator's own file")
    deleted = prune_backups(tmp_path, now=NOW, keep_days=30)
    db.session.commit()
    assert deleted == [old, just_expired]
    assert not old.exists() and not just_expired.exists() and recent.exists()
    assert all(other.exists() for other in others)
    (line,) = db.session.scalars(sa.select(AdminEvent))
    assert line.action == AdminAction.backups_pruned and line.subject == "30 days"
    assert line.details["deleted"] == [old.name, just_expired.name]


def test_prune_of_a_missing_folder_deletes_nothing(app_ctx, tmp_path):
    assert prune_backups(tmp_path / "none", now=NOW, keep_days=30) == []


@pytest.mark.parametrize("keep_days", [0, -1, 10**6])
def test_prune_refuses_a_period_that_would_delete_every_backup_or_none(app_ctx, tmp_path, keep_days):
    (kept,) = _backups(tmp_path, 1)
    with pytest.raises(BackupError, match="from 1 to 36500 days"):
        prune_backups(tmp_path, now=NOW, keep_days=keep_days)
    assert kept.exists()


@pytest.mark.config(BACKUP_RETENTION_DAYS=7)
def test_the_daily_purge_also_deletes_expired_backups(app, runner):
    folder = Path(app.config["BACKUP_DIR"])
    now = datetime.now(timezone.utc)
    stale, fresh = (backup_path(folder, now - timedelta(days=days), "sqlite3") for days in (8, 6))
    folder.mkdir(parents=True)
    stale.write_bytes(b"x")
    fresh.write_bytes(b"x")
    result = runner.invoke(args=["retention", "purge"])
    assert result.exit_code == 0, result.output
    assert f"backups older than 7 days deleted: 1\n  {stale.name}" in result.output
    assert not stale.exists() and fresh.exists()
    with app.app_context():
        assert set(db.session.scalars(sa.select(AdminEvent.action))) == {
            AdminAction.contacts_purged, AdminAction.backups_pruned}


@pytest.mark.config(BACKUP_RETENTION_DAYS=0)
def test_the_purge_explains_a_backup_period_out_of_range(app, runner):
    result = runner.invoke(args=["retention", "purge"])
    assert result.exit_code == 1 and "REY_BACKUP_RETENTION_DAYS is 0" in result.output


def _sqlite(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("a restore by sqlite3's backup API")


def test_a_new_backup_goes_to_the_backup_folder_and_expired_ones_go(app, runner):
    _sqlite(app)
    folder = Path(app.config["BACKUP_DIR"])
    (stale,) = _backups(folder, 400)
    result = runner.invoke(args=["db", "backup"])
    assert result.exit_code == 0, result.output
    (written,) = folder.glob("rey-*.sqlite3")
    assert f"backup written: {written}" in result.output and not stale.exists()
    # A file the operator put elsewhere is theirs to look after: nothing is pruned for it.
    (stale,) = _backups(folder, 400)
    assert runner.invoke(args=["db", "backup", "-o", str(folder.parent / "mine.sqlite3")]).exit_code == 0
    assert stale.exists()


def _feedback(app, center="baku-1") -> str:
    with app.app_context():
        case = make_case(make_center(center), comment=COMMENT, contact="+994 50 123 45 67",
                         is_contact_consented=True)
        return case.submission.reference


def _comment_and_contact(app, reference):
    with app.app_context():
        submission = find_submission(reference)
        return submission.comment, submission.contact


def test_a_restored_backup_gets_its_erasures_again(app, runner):
    """The whole path on SQLite: back up, erase at the citizen's request, restore, erase again."""
    _sqlite(app)
    reference = _feedback(app)
    backed_up = runner.invoke(args=["db", "backup"])
    assert backed_up.exit_code == 0, backed_up.output
    (backup,) = Path(app.config["BACKUP_DIR"]).glob("rey-*.sqlite3")
    erased = runner.invoke(args=["privacy", "erase", reference])
    assert erased.exit_code == 0, erased.output
    assert "backups made before now still hold it" in erased.output
    assert _comment_and_contact(app, reference) == ("", None)

    with app.app_context():
        db.engine.dispose()
        live = sqlite3.connect(db.engine.url.database)
        with sqlite3.connect(backup) as source:
            source.backup(live)
        live.close()
    assert _comment_and_contact(app, reference) == (COMMENT, "+994 50 123 45 67"), "the restore brought it back"

    again = runner.invoke(args=["privacy", "erase-again"])
    assert again.exit_code == 0, again.output
    assert f"1 erasures listed; erased again: 1\n  {reference}" in again.output
    assert _comment_and_contact(app, reference) == ("", None)
    # Once logged again, a second run leaves it be.
    assert "erased again: 0" in runner.invoke(args=["privacy", "erase-again"]).output


def test_erase_again_skips_what_this_database_knows_was_erased_or_never_held(app, runner, tmp_path):
    reference, other = _feedback(app), _feedback(app, center="baku-2")
    assert runner.invoke(args=["privacy", "erase", reference]).exit_code == 0
    folder = Path(app.config["BACKUP_DIR"])
    note_erasure(folder, other, NOW)  # as if erased in a database later restored from an older backup
    note_erasure(folder, "2222-2222", NOW)  # feedback made after the backup
    assert erased_references(folder) == [reference, other, "2222-2222"]
    with app.app_context():
        assert erase_again(erased_references(folder), now=NOW) == [other]
        db.session.commit()
    assert _comment_and_contact(app, other) == ("", None)
    with app.app_context():
        subjects = db.session.scalars(sa.select(AdminEvent.subject)
                                      .where(AdminEvent.action == AdminAction.personal_data_erased)).all()
    assert sorted(subjects) == sorted([reference, other])


def test_the_erasure_list_holds_references_only(app, runner):
    reference = _feedback(app)
    runner.invoke(args=["privacy", "erase", reference])
    listing = (Path(app.config["BACKUP_DIR"]) / "erased-references.txt").read_text()
    assert listing.endswith(f" {reference}\n") and "+994" not in listing and "kobud" not in listing


def test_an_erasure_that_cannot_be_listed_still_stands_and_says_what_to_do(app, runner, tmp_path):
    blocker = tmp_path / "a file"
    blocker.write_text("")
    app.config["BACKUP_DIR"] = str(blocker / "backups")
    reference = _feedback(app)
    result = runner.invoke(args=["privacy", "erase", reference])
    assert result.exit_code == 1 and "Add it by hand" in result.output
    assert _comment_and_contact(app, reference) == ("", None)


def test_the_admin_page_lists_its_erasures_beside_the_backups(app, client, tmp_path):
    from support import csrf_token_from, login_admin

    reference = _feedback(app)
    login_admin(app, client)
    page = client.get(f"/admin/erasure?lang=en&reference={reference}").get_data(as_text=True)
    client.post(f"/admin/erasure/{reference}", data={"csrf_token": csrf_token_from(page)})
    assert erased_references(Path(app.config["BACKUP_DIR"])) == [reference]

    blocker = tmp_path / "a file"
    blocker.write_text("")
    app.config["BACKUP_DIR"] = str(blocker / "backups")
    other = _feedback(app, center="baku-2")
    page = client.get(f"/admin/erasure?lang=en&reference={other}").get_data(as_text=True)
    after = client.post(f"/admin/erasure/{other}?lang=en", data={"csrf_token": csrf_token_from(page)},
                        follow_redirects=True).get_data(as_text=True)
    assert f"The contact details and comment of {other} were erased" in after
    assert f"Ask the operators to add {other} to it" in after
    with app.app_context():
        assert db.session.scalar(sa.select(Submission.comment).where(Submission.reference == other)) == ""
