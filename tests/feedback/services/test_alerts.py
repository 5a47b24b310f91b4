"""Live alerts: a center where at least half of the last quarter hour's ratings are low."""

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from factories import make_center, make_submission, make_user
from support import login_as
from feedback.extensions import db
from feedback.models import Center
from feedback.services.alerts import AlertRule, unhappy_centers, unhappy_centers_for

NOW = datetime.now(timezone.utc).replace(microsecond=0)


@pytest.fixture(autouse=True)
def _now_is_when_the_test_runs():
    """The pages count from the clock: ratings made relative to the time of import fell out of the
    15-minute window when a slow run reached these tests more than ten minutes later."""
    global NOW
    NOW = datetime.now(timezone.utc).replace(microsecond=0)
RULE = AlertRule(window=timedelta(minutes=15), min_responses=4, unhappy_share=0.5, unhappy_rating=2)


def _ratings(center, ratings, *, minutes_ago=5):
    for n, rating in enumerate(ratings):
        make_submission(center, rating=rating, created_dt=NOW - timedelta(minutes=minutes_ago, seconds=n))


@pytest.fixture
def halls(app) -> dict[str, int]:
    """Five centers and their last half hour; their ids by code."""
    with app.app_context():
        halls = {code: make_center(code, region=region) for code, region in
                 [("baku-1", "Bakı"), ("baku-2", "Bakı"), ("ganja-1", "Gəncə"), ("sumqayit-1", "Sumqayıt"),
                  ("quba-1", "Quba")]}
        _ratings(halls["baku-1"], [1, 2, 5, 1, 4])          # 3 of 5 low: alert
        _ratings(halls["baku-2"], [1, 1, 1])                # all low, but 3 ratings say little yet
        _ratings(halls["ganja-1"], [1, 2, 5, 5, 4, 5])      # 2 of 6: a normal morning
        _ratings(halls["sumqayit-1"], [1, 1, 1, 1], minutes_ago=20)  # over before the window
        _ratings(halls["sumqayit-1"], [5])
        _ratings(halls["quba-1"], [2, 5, 1, 5])             # exactly half: alert
        return {code: center.id for code, center in halls.items()}


def _center(code: str) -> Center:
    return db.session.scalar(sa.select(Center).where(Center.code == code))


def test_the_rule_picks_the_centers_with_many_low_ratings_now(halls, app_ctx):
    found = unhappy_centers(NOW, RULE, sa.true())
    assert [(u.center.code, u.unhappy, u.responses) for u in found] == [("baku-1", 3, 5), ("quba-1", 2, 4)]
    assert found[0].since == NOW - timedelta(minutes=5, seconds=4), "when the window's first rating came"


def test_a_stricter_rule_from_config_alerts_less(app, halls, app_ctx):
    strict = AlertRule.from_config({**app.config, "ALERT_UNHAPPY_SHARE": 0.6, "ALERT_MIN_RESPONSES": 5})
    assert [u.center.code for u in unhappy_centers(NOW, strict, sa.true())] == ["baku-1"]


def test_each_person_sees_the_alerts_of_their_centers(halls, app_ctx):
    officer = make_user("officer.g", centers=[_center("ganja-1"), _center("baku-1")])
    supervisor = make_user("sup.quba", "supervisor", region="Quba")
    elsewhere = make_user("officer.s", centers=[_center("sumqayit-1")])
    assert [u.center.code for u in unhappy_centers_for(officer, NOW, RULE)] == ["baku-1"]
    assert [u.center.code for u in unhappy_centers_for(supervisor, NOW, RULE)] == ["quba-1"]
    assert unhappy_centers_for(elsewhere, NOW, RULE) == []


@pytest.mark.parametrize("path", ["/review/", "/dashboard/"])
@pytest.mark.parametrize("lang, says", [
    ("en", "3 of 5 ratings low in the last 15 minutes"),
    ("az", "Son 15 dəqiqədə aşağı qiymətlər: 5 qiymətdən 3"),
    ("ru", "3 из 5 оценок низкие за последние 15 мин."),
])
def test_the_queue_and_the_dashboard_show_the_alert(app, client, halls, path, lang, says):
    with app.app_context():
        make_user("officer.b", centers=[_center("baku-1")])
    login_as(client, "officer.b")
    page = client.get(f"{path}?lang={lang}").get_data(as_text=True)
    assert 'class="alert-banner"' in page and says in page


def test_no_alert_no_banner(app, client, halls):
    with app.app_context():
        make_user("officer.s", centers=[_center("sumqayit-1")])
    login_as(client, "officer.s")
    assert 'class="alert-banner"' not in client.get("/review/").get_data(as_text=True)


def test_restricted_reports_count_only_for_the_integrity_role(app_ctx):
    """Two bribery reports among four ratings: the center's officers, who may be the ones reported,
    must not learn from the banner that they came in; the integrity role sees the alert."""
    from factories import make_case

    hall = make_center("baku-1")
    _ratings(hall, [5, 5])
    for n in range(2):
        make_case(hall, rating=1, restricted=True, created_dt=NOW - timedelta(minutes=1, seconds=n))
    officer = make_user("officer.b", centers=[hall])
    supervisor = make_user("sup.all", "supervisor")
    integrity = make_user("integrity.1", "integrity")
    assert unhappy_centers_for(officer, NOW, RULE) == []
    assert unhappy_centers_for(supervisor, NOW, RULE) == []
    assert [(u.unhappy, u.responses) for u in unhappy_centers_for(integrity, NOW, RULE)] == [(2, 4)]
