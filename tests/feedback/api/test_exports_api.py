"""GET /api/v1/exports/*.csv: the dashboard's exports for machine clients holding exports:read."""

import csv
import io
import re

import pytest

from factories import make_api_key, make_case, make_center, make_submission
from feedback.extensions import db
from feedback.services.api_keys import revoke_api_key


@pytest.fixture
def world(app):
    with app.app_context():
        a, b = make_center("baku-1"), make_center("ganja-1")
        make_submission(a, rating=5, comment="Zəng edin [phone], çox sağ olun", contact="+994 50 123 45 67",
                        is_contact_consented=True)
        make_submission(b, rating=4, comment="Yaxşı idi")
        make_case(a, comment="Növbə uzun idi")
        make_case(a, comment="rüşvət istədi", restricted=True)
        return {
            "all": make_api_key(("exports:read",), name="reports"),
            "baku": make_api_key(("exports:read",), name="reports, Baku 1", center=a),
            "visits": make_api_key(("visits:create",)),
        }


def _get(client, path, key=None, **query):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return client.get(f"/api/v1/exports/{path}", query_string=query, headers=headers)


def _read(response):
    """The response read to its end and closed: a CSV export streams inside its request's context."""
    response.get_data()
    response.close()
    return response


def _rows(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_submissions_come_masked_without_contacts_or_restricted_cases(client, world):
    rows = _rows(_get(client, "submissions.csv", world["all"]))
    comments = {r["comment_masked"] for r in rows}
    assert comments == {"Zəng edin [phone], çox sağ olun", "Yaxşı idi", "Növbə uzun idi"}
    assert "contact" not in rows[0] and "+994" not in str(rows)


def test_cases_leave_restricted_ones_out(client, world):
    rows = _rows(_get(client, "cases.csv", world["all"]))
    assert [r["comment_masked"] for r in rows] == ["Növbə uzun idi"]


def test_a_key_bound_to_a_center_exports_that_center_only(client, world):
    rows = _rows(_get(client, "submissions.csv", world["baku"]))
    assert {r["center"] for r in rows} == {"baku-1"}
    assert _rows(_get(client, "submissions.csv", world["baku"], center="baku-1"))
    other = _get(client, "submissions.csv", world["baku"], center="ganja-1")
    assert other.status_code == 403 and other.get_json()["errors"]["center"]


def test_the_filter_picks_a_center_and_days(client, world):
    rows = _rows(_get(client, "submissions.csv", world["all"], center="ganja-1"))
    assert [r["center"] for r in rows] == ["ganja-1"]
    assert _rows(_get(client, "submissions.csv", world["all"], **{"from": "2026-01-01", "until": "2026-01-31"})) == []


@pytest.mark.parametrize("query, field", [
    ({"from": "2026-02-30"}, "from"),
    ({"from": "2026-W01-1"}, "from"),      # ISO week and basic formats: Python reads them, the
    ({"until": "20260105"}, "until"),      # OpenAPI document's pattern does not allow them
    ({"until": "2026-01-05T00:00"}, "until"),
    ({"until": "9999-12-31"}, "until"),
    ({"from": "2026-11-20", "until": "2026-11-01"}, "until"),
    ({"from": "2020-01-01", "until": "2026-11-01"}, "from"),
    ({"center": "nowhere"}, "center"),
    ({"center": " "}, "center"),
    ({"service": "nothing"}, "service"),
    ({"format": "xlsx"}, "format"),
])
def test_a_bad_filter_is_a_400_naming_the_parameter(client, world, query, field):
    response = _read(_get(client, "cases.csv", world["all"], **query))
    assert response.status_code == 400 and field in response.get_json()["errors"]


def test_days_follow_the_pattern_the_openapi_document_gives(client, world):
    doc = client.get("/api/v1/openapi.json").get_json()
    (parameter,) = [p for p in doc["paths"]["/exports/cases.csv"]["get"]["parameters"] if p["name"] == "from"]
    pattern = re.compile(parameter["schema"]["pattern"])
    for day in ("2026-01-05", "2026-W01-1", "20260105", "2026-1-5"):
        response = _read(_get(client, "cases.csv", world["all"], **{"from": day, "until": "2026-01-31"}))
        assert (response.status_code == 200) == bool(pattern.search(day)), (day, response.status_code)
        assert response.status_code == 200 or response.get_json()["errors"]["from"] == "a date as YYYY-MM-DD"


def test_keys_without_the_scope_or_revoked_are_refused(app, client, world):
    assert _get(client, "submissions.csv").status_code == 401
    assert _get(client, "submissions.csv", "rey_nonsense").status_code == 401
    assert _get(client, "cases.csv", world["visits"]).status_code == 403
    with app.app_context():
        revoke_api_key(world["all"])
        db.session.commit()
    assert _get(client, "submissions.csv", world["all"]).status_code == 401


@pytest.mark.parametrize("query, field", [
    ("center=baku-1&center=ganja-1", "center"),   # not both centers, as a client may think
    ("from=2026-01-01&from=2026-02-01", "from"),
    ("until=2026-01-31&until=2026-01-31", "until"),
])
def test_a_parameter_given_twice_is_a_400_not_the_first_value(client, world, query, field):
    response = _read(client.get(f"/api/v1/exports/submissions.csv?{query}",
                                headers={"Authorization": f"Bearer {world['all']}"}))
    assert response.status_code == 400 and field in response.get_json()["errors"]
