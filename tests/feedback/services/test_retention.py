"""Contact details and the unmasked text of comments are erased after the retention period; the
feedback itself stays."""

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from factories import make_case, make_center, make_submission
from feedback.extensions import db
from feedback.models import AdminAction, AdminEvent, Case, CaseEvent, EventKind, Submission, Visit
from feedback.services.privacy import mask_personal_data
from feedback.services.retention import (
    Erased, Purged, erase_on_request, find_submission, purge_expired_personal_data,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)


def _contacts(app):
    with app.app_context():
        rows = db.session.execute(sa.select(Submission.comment, Submission.contact, Submission.rating)).all()
        return {comment: (contact, rating) for comment, contact, rating in rows}


def _seed(app):
    with app.app_context():
        center = make_center("baku-1")
        for days, comment in [(120, "old"), (91, "just expired"), (89, "recent"), (1, "new")]:
            make_submission(center, rating=2, comment=comment, contact="+994 50 123 45 67",
                            is_contact_consented=True, created_dt=NOW - timedelta(days=days))
        make_submission(center, comment="no contact", created_dt=NOW - timedelta(days=200))


def test_purge_erases_only_expired_contacts(app):
    _seed(app)
    with app.app_context():
        assert purge_expired_personal_data(now=NOW, retention_days=90) == Purged(contacts=2, comments=0)
        db.session.commit()
    contacts = _contacts(app)
    assert contacts["old"] == (None, 2) and contacts["just expired"] == (None, 2)
    assert contacts["recent"][0] == contacts["new"][0] == "+994 50 123 45 67"
    assert len(contacts) == 5, "feedback is kept; only the contact goes"


def test_negative_retention_is_refused(app_ctx):
    with pytest.raises(ValueError):
        purge_expired_personal_data(now=NOW, retention_days=-1)


@pytest.mark.config(CONTACT_RETENTION_DAYS=30)
def test_cli_purges_with_the_configured_period(app, runner):
    with app.app_context():
        center = make_center("baku-1")
        now = datetime.now(timezone.utc)
        make_submission(center, comment="stale", contact="a@b.az", is_contact_consented=True,
                        created_dt=now - timedelta(days=31))
        make_submission(center, comment="fresh", contact="c@d.az", is_contact_consented=True,
                        created_dt=now - timedelta(days=29))
    result = runner.invoke(args=["retention", "purge"])
    assert result.exit_code == 0, result.output
    assert "from 1 submissions older than 30 days" in result.output
    contacts = _contacts(app)
    assert contacts["stale"][0] is None and contacts["fresh"][0] == "c@d.az"
    # Running it again finds nothing more to erase.
    assert "from 0 submissions" in runner.invoke(args=["retention", "purge"]).output


def test_purge_keeps_only_the_masked_text_of_expired_comments(app):
    """The original is for calling the citizen back; after the period nobody calls back."""
    with app.app_context():
        center = make_center("baku-1")
        for days, comment in [(120, "Zəng edin +994 50 123 45 67, FIN 5ARPXK2"), (10, "Zəng edin 050 123 45 67"),
                              (120, "Hər şey yaxşı idi")]:
            make_submission(center, comment=comment, comment_masked=mask_personal_data(comment),
                            created_dt=NOW - timedelta(days=days))
        assert purge_expired_personal_data(now=NOW, retention_days=90) == Purged(contacts=0, comments=1)
        db.session.commit()
        rows = db.session.execute(sa.select(Submission.comment, Submission.comment_masked)
                                  .order_by(Submission.id)).all()
    (old_comment, old_masked), (recent_comment, recent_masked), (plain, _) = rows
    assert old_comment == old_masked and "123 45 67" not in old_comment and "5ARPXK2" not in old_comment
    assert "050 123 45 67" in recent_comment and recent_comment != recent_masked, "not yet expired"
    assert plain == "Hər şey yaxşı idi"


@pytest.mark.parametrize("days", ["-5", "99999999", "999999999999999999999"])
def test_cli_refuses_a_period_out_of_range_with_a_message(runner, days):
    """Not a traceback: a huge period has no date to compare with."""
    result = runner.invoke(args=["retention", "purge", "--days", days])
    assert result.exit_code == 2 and "from 0 to 36500 days" in result.output


@pytest.mark.config(CONTACT_RETENTION_DAYS=10**8)
def test_cli_refuses_a_configured_period_out_of_range(runner):
    result = runner.invoke(args=["retention", "purge"])
    assert result.exit_code == 2 and "REY_CONTACT_RETENTION_DAYS" in result.output


def _with_case(app, **kwargs):
    with app.app_context():
        center = make_center("baku-1")
        submission = make_case(center, comment="Əliyev Rəşad, zəng edin: [telefon]", contact="+994 50 123 45 67",
                               is_contact_consented=True, model_reasons=["Rəşad", "zəng"], **kwargs).submission
        make_submission(center, rating=5, comment="Hər şey yaxşı idi", contact="x@y.az", is_contact_consented=True)
        return submission.reference


def test_erasing_on_request_takes_the_contact_and_every_form_of_the_comment(app):
    reference = _with_case(app)
    with app.app_context():
        submission = find_submission(reference)
        assert erase_on_request(submission, now=NOW) == Erased(reference=reference, contact=True, comment=True)
        db.session.commit()
    with app.app_context():
        erased = find_submission(reference)
        assert (erased.contact, erased.is_contact_consented, erased.comment, erased.comment_masked,
                erased.model_reasons) == (None, False, "", "", [])
        assert erased.rating == 1 and erased.is_flagged, "the ratings and triage stay for the statistics"
        other = db.session.scalar(sa.select(Submission).where(Submission.reference != reference))
        assert other.contact == "x@y.az" and other.comment == "Hər şey yaxşı idi", "nobody else's"
        (event,) = db.session.scalars(sa.select(CaseEvent).where(CaseEvent.kind == EventKind.personal_data_erased))
        assert event.detail == {"contact": True, "comment": True}
        (logged,) = db.session.scalars(sa.select(AdminEvent))
        assert (logged.action, logged.subject, logged.actor_name) == (AdminAction.personal_data_erased, reference, "")


def test_cli_erases_by_a_reference_as_the_citizen_reads_it(app, runner):
    reference = _with_case(app)
    result = runner.invoke(args=["privacy", "erase", reference.replace("-", " ").lower()])
    assert result.exit_code == 0, result.output
    assert f"{reference}: contact erased, comment erased" in result.output
    with app.app_context():
        assert find_submission(reference).comment == ""
    unknown = runner.invoke(args=["privacy", "erase", "2222-2222"])
    assert unknown.exit_code != 0 and "no feedback has the reference" in unknown.output


def test_erasing_on_request_unties_the_queue_ticket_and_the_cases_quoted_words(app):
    reference = _with_case(app)
    with app.app_context():
        submission = find_submission(reference)
        case = db.session.scalar(sa.select(Case).where(Case.submission_id == submission.id))
        case.urgent_terms = ["rüşvət"]
        db.session.add(Visit(token_hash="0" * 64, center_id=submission.center_id, ticket="A-042",
                             issued_dt=NOW - timedelta(hours=1), expires_dt=NOW + timedelta(hours=1),
                             used_dt=NOW, submission_id=submission.id))
        db.session.commit()
        erase_on_request(find_submission(reference), now=NOW)
        db.session.commit()
    with app.app_context():
        assert db.session.scalar(sa.select(Visit.ticket)) is None, "the queue system's record of who it was"
        assert db.session.scalar(sa.select(Case.urgent_terms)) == []
        assert db.session.scalar(sa.select(Visit.submission_id)) is not None, "the visit stays verified"
