"""The administration log: every administrative change leaves a line, in the change's transaction,
and only admins read it."""

import csv
import io
import json
from datetime import timedelta

import sqlalchemy as sa

from support import csrf_token_from, login_admin
from factories import make_center, make_user
from feedback.extensions import db
from feedback.models import AdminAction, AdminEvent, Center, Role, User
from feedback.models._types import utcnow
from feedback.services import audit, exports
from feedback.services.accounts import change_password, create_user, set_password, update_user
from feedback.services.api_keys import issue_api_key, revoke_api_key
from feedback.services.retention import purge_expired_personal_data


def _lines(app):
    with app.app_context():
        return [(e.action, e.actor_name, e.subject, e.details)
                for e in db.session.scalars(sa.select(AdminEvent).order_by(AdminEvent.id))]


def test_the_admin_pages_log_who_changed_what(app, client):
    token = login_admin(app, client)
    client.post("/admin/centers/new", data={"csrf_token": token, "code": "qusar", "name_az": "Qusar mərkəzi",
                                            "region": "Quba", "is_active": "y"})
    with app.app_context():
        center_id = db.session.scalar(sa.select(Center.id).where(Center.code == "qusar"))
    client.post("/admin/users/new", data={"csrf_token": token, "username": "officer.q", "role": "officer",
                                          "centers": ["qusar"], "password": "long enough pw 1"})
    with app.app_context():
        officer_id = db.session.scalar(sa.select(User.id).where(User.username == "officer.q"))
    # The role goes up to integrity (restricted bribery cases): the log must say from what to what.
    client.post(f"/admin/users/{officer_id}", data={"csrf_token": token, "username": "officer.q", "role": "integrity",
                                                    "centers": ["qusar"], "password": "another long pw 2"})
    client.post(f"/admin/users/{officer_id}/active", data={"csrf_token": token, "active": "0"})
    # Saving a center unchanged is no change.
    client.post(f"/admin/centers/{center_id}", data={"csrf_token": token, "code": "qusar", "name_az": "Qusar mərkəzi",
                                                     "region": "Quba", "is_active": "y"})
    lines = _lines(app)
    assert [(action, who) for action, who, _, _ in lines] == [
        (AdminAction.center_saved, "admin.1"),
        (AdminAction.account_created, "admin.1"),
        (AdminAction.account_changed, "admin.1"),
        (AdminAction.credentials_set, "admin.1"),
        (AdminAction.account_disabled, "admin.1"),
    ]
    assert lines[1][2:] == ("officer.q", {"role": "officer", "region": None, "centers": ["qusar"]})
    assert lines[2][3] == {"role": {"from": "officer", "to": "integrity"}}
    assert "long enough" not in str(lines) and "another long" not in str(lines), "no password in the log"


def test_the_log_page_is_for_admins_and_speaks_the_page_language(app, client):
    token = login_admin(app, client)
    client.post("/admin/centers/new", data={"csrf_token": token, "code": "qusar", "name_az": "Qusar mərkəzi",
                                            "region": "Quba", "is_active": "y"})
    response = client.get("/admin/log?lang=az")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "İdarəetmə jurnalı" in page and "Mərkəz saxlanıldı" in page and "admin.1" in page
    assert "code: — → qusar" in page
    with app.app_context():
        center = make_center("c-1")
        make_user("officer.x", centers=[center])
    officer = app.test_client()
    login = csrf_token_from(officer.get("/review/login").get_data(as_text=True))
    officer.post("/review/login", data={"csrf_token": login, "username": "officer.x", "password": "correct horse 42"})
    assert officer.get("/admin/log").status_code == 403
    assert officer.get("/admin/log.csv").status_code == 403


def test_the_command_line_is_named_as_such_and_a_persons_own_password_change_is_not_logged(app_ctx):
    now = utcnow()
    user = create_user("sup.a", "long enough pw 1", Role.supervisor, now=now)
    change_password(user, "long enough pw 1", "long enough pw 2", now=now)
    set_password(user, "long enough pw 3", now=now)  # `flask users set-password`
    issued = issue_api_key("queue system", ["visits:create"])
    revoke_api_key(issued.api_key.prefix)
    purge_expired_personal_data(now=now + timedelta(days=400), retention_days=90)
    db.session.commit()
    events = db.session.scalars(sa.select(AdminEvent).order_by(AdminEvent.id)).all()
    assert [e.action for e in events] == [
        AdminAction.account_created, AdminAction.credentials_set, AdminAction.api_key_issued,
        AdminAction.api_key_revoked, AdminAction.contacts_purged,
    ]
    assert {e.actor_id for e in events} == {None} and {e.actor_name for e in events} == {""}
    assert issued.secret not in str([e.details for e in events]) and events[2].subject == f"queue system ({issued.api_key.prefix})"
    assert events[4].details["submissions"] == 0


def test_a_change_and_its_line_are_stored_together_or_not_at_all(app_ctx):
    """The line is in the change's transaction: a change rolled back leaves no line, and no line
    is committed for a change that was not."""
    admin = make_user("admin.2", "admin")
    officer = make_user("officer.r", centers=[make_center("c-r")])
    update_user(officer, display_name="", role=Role.integrity, region=None, center_codes=["c-r"], actor=admin)
    db.session.rollback()
    assert db.session.scalar(sa.select(User.role).where(User.username == "officer.r")) == Role.officer
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AdminEvent)) == 0


def test_older_lines_are_paged(app_ctx):
    for n in range(audit.PAGE_SIZE + 3):
        audit.record(AdminAction.center_saved, f"c-{n}", actor=None)
    db.session.commit()
    newest = audit.recent()
    assert len(newest) == audit.PAGE_SIZE and newest[0].subject == f"c-{audit.PAGE_SIZE + 2}"
    assert [e.subject for e in audit.recent(before_id=newest[-1].id)] == ["c-2", "c-1", "c-0"]


def test_the_log_page_filters_by_kind_and_person(app, client):
    token = login_admin(app, client)
    for code in ("qusar", "quba"):
        client.post("/admin/centers/new", data={"csrf_token": token, "code": code, "name_az": code, "is_active": "y"})
    with app.app_context():
        make_user("admin.2", "admin")
        create_user("sup.q", "long enough pw 1", Role.supervisor, now=utcnow())  # the command line
        db.session.commit()
    rows = lambda html: html.count("<tr>") - 1  # noqa: E731 (the header row)
    centers = client.get("/admin/log?lang=en&action=center_saved").get_data(as_text=True)
    assert rows(centers) == 2 and "sup.q" not in centers
    by_admin = client.get("/admin/log?lang=en&who=+Admin.1+").get_data(as_text=True)
    assert rows(by_admin) == 2 and "sup.q" not in by_admin
    assert "No line of the log matches." in client.get("/admin/log?lang=en&who=nobody").get_data(as_text=True)
    bad = client.get("/admin/log?lang=en&action=drop_tables")
    assert bad.status_code == 400 and "Not a valid choice" in bad.get_data(as_text=True)


def _csv_rows(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # spreadsheets read it as UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_log_downloads_as_csv_oldest_first_with_the_pages_filter(app, client):
    token = login_admin(app, client)
    client.post("/admin/centers/new", data={"csrf_token": token, "code": "qusar", "name_az": "Qusar mərkəzi",
                                            "region": "Quba", "is_active": "y"})
    with app.app_context():
        create_user("sup.q", "long enough pw 1", Role.supervisor, now=utcnow())  # the command line
        audit.record(AdminAction.service_saved, "=HYPERLINK(\"http://x\")", actor=None)
        db.session.commit()

    response = client.get("/admin/log.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    assert f'filename="rey-admin-log-{utcnow().date().isoformat()}.csv"' in response.headers["Content-Disposition"]
    header, *rows = _csv_rows(response)
    assert tuple(header) == exports.ADMIN_LOG_COLUMNS
    assert [(row[2], row[4]) for row in rows] == [
        ("center_saved", "admin.1"), ("account_created", "command line"), ("service_saved", "command line")]
    assert [int(row[0]) for row in rows] == sorted(int(row[0]) for row in rows)
    assert json.loads(rows[0][5])["code"] == {"from": None, "to": "qusar"}
    assert json.loads(rows[1][5]) == {"role": "supervisor", "region": None, "centers": []}
    assert rows[2][3].startswith("'="), "a subject that reads as a formula stays text in a spreadsheet"

    header, *mine = _csv_rows(client.get("/admin/log.csv?who=Admin.1"))
    assert [row[2] for row in mine] == ["center_saved"]
    assert client.get("/admin/log.csv?action=drop_tables").status_code == 400
    assert "/admin/log.csv" in client.get("/admin/log?lang=en").get_data(as_text=True)

