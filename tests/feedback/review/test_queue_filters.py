"""The queue's filters through the page: a service across the officer's centers, and days counted in
the service's time zone."""

import re
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from support import login_as
from factories import make_case, make_center, make_user
from feedback.extensions import db
from feedback.models import Service


def _cases_listed(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'/review/cases/(\d+)"', html)}


def _service_options(html: str) -> list[str]:
    select = html.split('name="service"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option[^>]*value="([^"]*)"', select)


def _service_id(center, code: str) -> int:
    return db.session.scalar(sa.select(Service.id).where(Service.center_id == center.id, Service.code == code))


def test_a_service_filter_covers_every_center_of_the_officer_offering_it(app, client):
    # Services are per center: each center has a passport service of its own.
    with app.app_context():
        a, b, elsewhere = make_center("svc-a"), make_center("svc-b"), make_center("svc-c")
        passports = {make_case(c, service_id=_service_id(c, "passport")).id for c in (a, b)}
        make_case(a, service_id=_service_id(a, "id-card"))
        make_case(elsewhere, service_id=_service_id(elsewhere, "passport"))  # not this officer's
        make_user("officer.ab", centers=[a, b])
    login_as(client, "officer.ab")
    page = client.get("/review/?lang=en").get_data(as_text=True)
    assert _service_options(page) == ["", "passport", "id-card"]  # one choice per service
    filtered = client.get("/review/?lang=en&service=passport")
    html = filtered.get_data(as_text=True)
    assert filtered.status_code == 200 and _cases_listed(html) == passports
    assert 'data-status="new">2<' in html  # the status tabs count the same cases


def test_choosing_a_center_offers_the_services_of_that_center(app, client):
    with app.app_context():
        a = make_center("svc2-a", services=("passport", "id-card"))
        b = make_center("svc2-b", services=("passport", "driving-licence"))
        passport_a = make_case(a, service_id=_service_id(a, "passport")).id
        passport_b = make_case(b, service_id=_service_id(b, "passport")).id
        make_user("officer.ab2", centers=[a, b])
        a_id, b_id = a.id, b.id
    login_as(client, "officer.ab2")
    page = client.get(f"/review/?lang=en&center={b_id}").get_data(as_text=True)
    assert _service_options(page) == ["", "passport", "driving-licence"]
    html = client.get(f"/review/?lang=en&center={a_id}&service=passport").get_data(as_text=True)
    assert _cases_listed(html) == {passport_a}
    assert _cases_listed(client.get(f"/review/?lang=en&center={b_id}&service=passport").get_data(as_text=True)) == {
        passport_b}
    # A service the chosen center does not offer is refused, not silently shown empty.
    refused = client.get(f"/review/?lang=en&center={b_id}&service=id-card")
    assert refused.status_code == 400 and "Unknown service." in refused.get_data(as_text=True)


@pytest.mark.parametrize("day_before, day, day_after", [
    # 21:00 UTC on the 4th is 01:00 on the 5th in Baku, the zone the pages show times in.
    pytest.param("2026-11-04", "2026-11-05", "2026-11-06", marks=pytest.mark.config(BABEL_DEFAULT_TIMEZONE="Asia/Baku")),
    pytest.param("2026-11-03", "2026-11-04", "2026-11-05", marks=pytest.mark.config(BABEL_DEFAULT_TIMEZONE="UTC")),
])
def test_opening_days_are_counted_in_the_service_time_zone(app, client, day_before, day, day_after):
    with app.app_context():
        center = make_center("tz-a")
        case_id = make_case(center, created_dt=datetime(2026, 11, 4, 21, 0, tzinfo=timezone.utc)).id
        make_user("officer.tz", centers=[center])
    login_as(client, "officer.tz")

    def listed(since: str, until: str) -> bool:
        page = client.get(f"/review/?lang=en&status=all&date_from={since}&date_to={until}")
        return case_id in _cases_listed(page.get_data(as_text=True))

    assert listed(day, day) and listed(day_before, day) and listed(day, day_after)
    assert not listed(day_before, day_before) and not listed(day_after, day_after)
