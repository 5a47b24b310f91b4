"""The dashboard page and its CSV exports: scope, figures, masking, and bad filters."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from support import csrf_token_from
from factories import make_case, make_center, make_submission
from feedback.auth import hash_password
from feedback.extensions import db
from feedback.models import AdminAction, AdminEvent, Case, Center, Priority, Role, User

NOW = datetime.now(timezone.utc)


def _login(app, client, role, *, centers=(), region=None):
    with app.app_context():
        user = User(username=f"{role}-user", password_hash=hash_password("correct horse 42"), role=role,
                    region=region)
        user.centers = [db.session.get(Center, center_id) for center_id in centers]
        db.session.add(user)
        db.session.commit()
    html = client.get("/review/login?lang=en").get_data(as_text=True)
    response = client.post("/review/login?lang=en", data={
        "csrf_token": csrf_token_from(html), "username": f"{role}-user", "password": "correct horse 42"})
    assert response.status_code in (302, 303)


@pytest.fixture
def world(app):
    """Center A (Bakı): 3 responses, one a restricted integrity case; center B (Gəncə): 2 responses."""
    with app.app_context():
        a = make_center("baku-1", region="Bakı")
        b = make_center("gence", region="Gəncə")
        yesterday = NOW - timedelta(days=1)
        make_submission(a, rating=5, created_dt=yesterday, comment="Əla", comment_masked="Əla")
        make_submission(a, rating=1, created_dt=yesterday, is_flagged=True, comment="Zəng: 050-123-45-67",
                        comment_masked="=HYPERLINK(\"x\") zəng: [telefon]", contact="+994501234567",
                        is_contact_consented=True)
        bribe = make_submission(a, rating=1, created_dt=yesterday, comment="Rüşvət", comment_masked="Rüşvət")
        db.session.add(Case(submission_id=bribe.id, center_id=a.id, priority=Priority.high, is_restricted=True,
                            due_dt=NOW + timedelta(hours=4), opened_dt=yesterday))
        for rating in (4, 2):
            make_submission(b, rating=rating, created_dt=yesterday)
        db.session.commit()
        return {"a": a.id, "b": b.id}


def _kpi(html: str, name: str) -> str:
    match = re.search(rf'data-kpi="{name}">([^<]*)<', html)
    assert match, name
    return match.group(1).strip()


def test_officer_sees_only_their_centers_without_restricted_submissions(app, client, world):
    _login(app, client, Role.officer, centers=[world["a"]])
    response = client.get("/dashboard/?lang=en")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _kpi(html, "responses") == "2"  # A's two, without the restricted one and without B's
    assert _kpi(html, "csat") == "50.0 %"
    assert _kpi(html, "open") == "0"       # the restricted case is not the officer's to count
    assert "gence center" not in html


def test_supervisor_region_filter_and_ranking(app, client, world):
    _login(app, client, Role.supervisor)
    html = client.get("/dashboard/?lang=en&region=Gəncə").get_data(as_text=True)
    assert _kpi(html, "responses") == "2" and _kpi(html, "average_rating") == "3.00"
    html = client.get("/dashboard/?lang=en").get_data(as_text=True)
    assert _kpi(html, "responses") == "4"


def test_the_ranking_names_a_center_without_a_name_in_the_language_in_azerbaijani(app, client):
    with app.app_context():
        hall = Center(code="qusar-1", names={"az": "Qusar mərkəzi"}, region="Quba")
        db.session.add(hall)
        db.session.commit()
        for _ in range(5):
            make_submission(hall, rating=4, created_dt=NOW - timedelta(hours=1))
    _login(app, client, Role.supervisor)
    for lang in ("en", "ru"):
        html = client.get(f"/dashboard/?lang={lang}").get_data(as_text=True)
        ranking = html.split('class="data ranking"', 1)[1].split("</table>", 1)[0]
        assert "Qusar mərkəzi" in ranking and "qusar-1" not in ranking


def test_centers_with_equal_figures_show_the_same_rank(app, client):
    with app.app_context():
        for code in ("qax-1", "zaqatala-1"):
            center = make_center(code)
            for rating in (5, 4, 4, 3, 5):
                make_submission(center, rating=rating, created_dt=NOW - timedelta(hours=1))
    _login(app, client, Role.supervisor)
    html = client.get("/dashboard/?lang=en").get_data(as_text=True)
    ranking = html.split('class="data ranking"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r"<td>(\d+)</td><td>(\S+) center</td>", ranking) == [("1", "qax-1"), ("1", "zaqatala-1")]


def test_integrity_counts_the_restricted_case(app, client, world):
    _login(app, client, Role.integrity)
    html = client.get("/dashboard/?lang=en").get_data(as_text=True)
    assert _kpi(html, "open") == "1" and _kpi(html, "responses") == "5"


@pytest.mark.parametrize("query, message", [
    ("start=2026-13-45", "Enter a date as YYYY-MM-DD"),
    ("end=yesterday", "Enter a date as YYYY-MM-DD"),
    ("start=2026-11-20&end=2026-11-01", "The period ends before it starts."),
    ("start=2020-01-01&end=2026-11-01", "at most two years"),
    ("end=9999-12-31", "Choose a date from 1900 to 2999."),
    ("end=0001-01-05", "Choose a date from 1900 to 2999."),
    ("start=0001-01-01&end=2026-11-01", "Choose a date from 1900 to 2999."),
    ("center=999999", "Unknown choice"),
    ("center=abc", "Unknown choice"),
    ("region=Nowhere", "Unknown choice"),
    ("service=no-such-service", "Unknown choice"),
])
def test_bad_filters_get_a_clear_message_not_a_500(app, client, world, query, message):
    _login(app, client, Role.supervisor)
    response = client.get(f"/dashboard/?lang=en&{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    export = client.get(f"/dashboard/export/submissions.csv?lang=en&{query}")
    assert export.status_code == 400 and message in export.get_data(as_text=True)


def test_center_outside_scope_is_unknown(app, client, world):
    _login(app, client, Role.officer, centers=[world["a"]])
    response = client.get(f"/dashboard/?lang=en&center={world['b']}")
    assert response.status_code == 400 and "Unknown choice" in response.get_data(as_text=True)
    assert _kpi(response.get_data(as_text=True), "responses") == "2"


def test_dashboard_needs_a_staff_role(app, client, world):
    assert client.get("/dashboard/").status_code in (302, 401)
    _login(app, client, Role.admin)
    assert client.get("/dashboard/").status_code == 403


def test_page_has_no_inline_script_and_vendored_chart(app, client, world):
    _login(app, client, Role.supervisor)
    html = client.get("/dashboard/?lang=en").get_data(as_text=True)
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts and all("src=" in s for s in scripts)
    assert "vendor/chartjs/chart.umd.min.js" in html and "style=" not in html
    assert client.get("/static/vendor/chartjs/chart.umd.min.js").status_code == 200


def _csv(response):
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_submission_export_is_masked_and_has_no_contact_for_supervisors(app, client, world):
    _login(app, client, Role.supervisor)
    rows = _csv(client.get(f"/dashboard/export/submissions.csv?center={world['a']}&contact=1"))
    assert len(rows) == 2 and "contact" not in rows[0]
    flagged = next(r for r in rows if r["rating"] == "1")
    assert flagged["comment_masked"] == "'=HYPERLINK(\"x\") zəng: [telefon]"  # formula defused
    assert "050-123" not in str(rows) and "Rüşvət" not in str(rows)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AdminEvent)) == 0, "no contacts left"


def test_officer_may_export_cases_with_contacts_integrity_sees_restricted(app, client, world):
    _login(app, client, Role.integrity)
    rows = _csv(client.get("/dashboard/export/cases.csv?contact=1"))
    assert [(r["is_restricted"], r["comment_masked"]) for r in rows] == [("1", "Rüşvət")]
    assert "contact" in rows[0]
    rows = _csv(client.get("/dashboard/export/submissions.csv?contact=1"))
    # Every center's submissions, but no contact of a complaint that is not the integrity role's to follow up.
    assert len(rows) == 5 and {r["contact"] for r in rows} == {""}
    # Contacts leaving in a file are in the administration log: who, which file, which filter.
    with app.app_context():
        logged = db.session.scalars(sa.select(AdminEvent).order_by(AdminEvent.id)).all()
    assert [(e.action, e.actor_name, e.subject) for e in logged] == [
        (AdminAction.contacts_exported, "integrity-user", "cases.csv"),
        (AdminAction.contacts_exported, "integrity-user", "submissions.csv"),
    ]
    assert logged[0].details["from"] and logged[0].details["center"] is None


def test_a_submission_export_carries_only_the_contacts_of_cases_the_reader_follows_up(app, client):
    with app.app_context():
        a, b = make_center("baku-1"), make_center("gence")
        yesterday = NOW - timedelta(days=1)
        make_case(a, comment="Növbə uzun idi", contact="+994501111111", is_contact_consented=True, created_dt=yesterday)
        make_case(a, comment="Rüşvət", contact="+994502222222", is_contact_consented=True, restricted=True,
                  created_dt=yesterday)
        make_case(b, comment="Kassa bağlı idi", contact="+994503333333", is_contact_consented=True,
                  created_dt=yesterday)
        # Happy, with a contact given for news of the center: no case, so nobody follows it up.
        make_submission(a, rating=5, contact="+994504444444", is_contact_consented=True, created_dt=yesterday)
        a_id = a.id
    _login(app, client, Role.officer, centers=[a_id])
    rows = _csv(client.get("/dashboard/export/submissions.csv?contact=1"))
    assert sorted(r["contact"] for r in rows) == ["", "+994501111111"]
    client.post("/review/logout", data={"csrf_token": csrf_token_from(client.get("/review/").get_data(as_text=True))})
    _login(app, client, Role.integrity)
    rows = _csv(client.get("/dashboard/export/submissions.csv?contact=1"))
    assert sorted(r["contact"] for r in rows) == ["", "", "", "+994502222222"]


def test_officer_case_export_excludes_restricted(app, client, world):
    _login(app, client, Role.officer, centers=[world["a"]])
    assert _csv(client.get("/dashboard/export/cases.csv")) == []


def test_chart_data_reaches_the_script_as_json_attributes(app, client, world):
    import html as html_lib
    import json

    _login(app, client, Role.supervisor)
    page = client.get("/dashboard/?lang=en").get_data(as_text=True)
    attrs = {name: json.loads(html_lib.unescape(value))
             for name, value in re.findall(r"data-(labels|responses|csat|counts)='([^']*)'", page)}
    assert sum(attrs["responses"]) == 4 and len(attrs["responses"]) == 4  # four weeks by default
    assert attrs["counts"] == [1, 1, 0, 1, 1]  # ratings 5, 1, 4, 2; the restricted case's 1 left out
