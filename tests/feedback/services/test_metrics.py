"""Dashboard figures against values computed by hand on a small, known data set."""

from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from factories import make_center, make_submission
from feedback.models import Service
from feedback.services import metrics
from feedback.services.metrics import DashboardFilter, FilterError, Period
from feedback.extensions import db

EVERYTHING = sa.true()
PERIOD = Period(date(2026, 11, 2), date(2026, 11, 15), tz="Asia/Baku")


def _utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture
def data(app_ctx):
    """Baku (UTC+4): center A has six responses inside the two weeks and two just outside."""
    a = make_center("baku-1", region="Bakı")
    b = make_center("gence", region="Gəncə")
    c = make_center("small", region="Bakı")
    passport = db.session.scalar(sa.select(Service).where(Service.center_id == a.id, Service.code == "passport"))
    idcard = db.session.scalar(sa.select(Service).where(Service.center_id == a.id, Service.code == "id-card"))
    rows = [
        (_utc(2026, 11, 2, 6), 5, passport.id, False, []),
        (_utc(2026, 11, 3, 9), 4, idcard.id, False, []),
        (_utc(2026, 11, 4, 9), 1, passport.id, True, ["gözlədim", "pis"]),
        (_utc(2026, 11, 10, 9), 2, None, True, ["pis"]),
        (_utc(2026, 11, 11, 9), 5, None, False, []),
        (_utc(2026, 11, 15, 19, 30), 3, None, False, []),   # 23:30 in Baku: last evening, inside
        (_utc(2026, 11, 1, 19, 30), 1, None, True, ["pis"]),  # 23:30 on 1 November in Baku: before
        (_utc(2026, 11, 15, 20, 30), 1, None, True, ["pis"]),  # 00:30 on 16 November in Baku: after
    ]
    for created, rating, service_id, flagged, reasons in rows:
        make_submission(a, rating=rating, created_dt=created, service_id=service_id,
                        is_flagged=flagged, model_reasons=reasons)
    for day in range(3, 8):
        make_submission(b, rating=5, created_dt=_utc(2026, 11, day, 8))
    for day in (3, 4):
        make_submission(c, rating=1, created_dt=_utc(2026, 11, day, 8), is_flagged=True, model_reasons=["pis"])
    return {"a": a.id, "b": b.id, "c": c.id}


def test_summary_for_one_center_matches_hand_counts(data):
    s = metrics.summary(DashboardFilter(PERIOD, center_id=data["a"]), EVERYTHING)
    assert s.responses == 6
    assert s.average_rating == pytest.approx(20 / 6, abs=0.01)
    assert s.csat == pytest.approx(50.0)
    assert s.complaint_rate == pytest.approx(100 * 2 / 6, abs=0.01)


def test_weekly_trend_buckets_by_local_days(data):
    weeks = metrics.weekly_trend(DashboardFilter(PERIOD, center_id=data["a"]), EVERYTHING)
    assert [w.start for w in weeks] == [date(2026, 11, 2), date(2026, 11, 9)]
    assert [w.responses for w in weeks] == [3, 3]
    assert weeks[0].csat == pytest.approx(66.67, abs=0.01)
    assert weeks[1].csat == pytest.approx(33.33, abs=0.01)
    assert weeks[1].average_rating == pytest.approx(10 / 3, abs=0.01)


def test_empty_weeks_are_present_and_empty(data):
    period = Period(date(2026, 11, 2), date(2026, 11, 29))
    weeks = metrics.weekly_trend(DashboardFilter(period, center_id=data["a"]), EVERYTHING)
    assert [w.responses for w in weeks] == [3, 3, 1, 0]  # the row of 16 November falls in week 3
    assert weeks[3].average_rating is None and weeks[3].csat is None


@pytest.mark.parametrize("tz, clocks_change", [("Europe/Berlin", "2026-03-29"), ("America/Sao_Paulo", None)])
def test_weeks_are_local_weeks_where_the_clocks_change(app_ctx, tz, clocks_change):
    """In a zone with summer time a week is not 604,800 seconds: a rating made just after midnight
    on the Monday after the change belongs to the new week, one just before it to the old."""
    center = make_center("berlin-1")
    period = Period(date(2026, 3, 23), date(2026, 4, 5), tz=tz)
    monday = metrics.start_of_day(date(2026, 3, 30), tz)
    for moment in (monday - timedelta(minutes=30), monday + timedelta(minutes=30)):
        make_submission(center, rating=5, created_dt=moment)
    weeks = metrics.weekly_trend(DashboardFilter(period), EVERYTHING)
    assert [(w.start, w.responses) for w in weeks] == [(date(2026, 3, 23), 1), (date(2026, 3, 30), 1)]


def test_distribution_and_terms(data):
    f = DashboardFilter(PERIOD, center_id=data["a"])
    assert metrics.rating_distribution(f, EVERYTHING) == {1: 1, 2: 1, 3: 1, 4: 1, 5: 2}
    assert metrics.complaint_terms(f, EVERYTHING) == [("pis", 2), ("gözlədim", 1)]


def test_service_and_region_filters(data):
    by_service = metrics.summary(DashboardFilter(PERIOD, center_id=data["a"], service_code="passport"), EVERYTHING)
    assert (by_service.responses, by_service.average_rating) == (2, 3.0)
    gence = metrics.summary(DashboardFilter(PERIOD, region="Gəncə"), EVERYTHING)
    assert (gence.responses, gence.csat, gence.complaint_rate) == (5, 100.0, 0.0)
    everyone = metrics.summary(DashboardFilter(PERIOD), EVERYTHING)
    assert everyone.responses == 6 + 5 + 2


def test_scope_condition_limits_every_figure(data):
    only_b = sa.literal_column("submissions.center_id") == data["b"]
    f = DashboardFilter(PERIOD)
    assert metrics.summary(f, only_b).responses == 5
    assert [c.code for c in metrics.center_ranking(f, only_b)] == ["gence"]
    assert metrics.complaint_terms(f, only_b) == []


def test_ranking_puts_small_centers_last_and_unranked(data):
    ranking = metrics.center_ranking(DashboardFilter(PERIOD, center_id=data["a"]), EVERYTHING)
    assert [(r.code, r.is_ranked, r.rank) for r in ranking] == [
        ("gence", True, 1), ("baku-1", True, 2), ("small", False, None)]
    assert ranking[1].csat == pytest.approx(50.0)


def test_centers_with_the_same_figures_share_a_rank(app_ctx):
    """Equal CSAT and average rating, as the page shows them, is a tie: no center is put above
    another by its code; the next center's rank counts both (1, 1, 3)."""
    for code, ratings in (("b-hall", (5, 5, 4, 3, 1)), ("a-hall", (5, 4, 5, 1, 3)),
                          ("c-hall", (5, 4, 4, 2, 2)), ("d-small", (5,))):
        center = make_center(code)
        for rating in ratings:
            make_submission(center, rating=rating, created_dt=_utc(2026, 11, 5, 9))
    ranking = metrics.center_ranking(DashboardFilter(PERIOD), EVERYTHING)
    assert [(r.code, r.rank) for r in ranking] == [("a-hall", 1), ("b-hall", 1), ("c-hall", 3), ("d-small", None)]


def test_no_responses_gives_empty_figures_not_errors(data):
    period = Period(date(2025, 1, 1), date(2025, 1, 31))
    s = metrics.summary(DashboardFilter(period, center_id=data["a"]), EVERYTHING)
    assert (s.responses, s.average_rating, s.csat, s.complaint_rate) == (0, None, None, None)


def test_period_ending_before_it_starts_is_refused():
    with pytest.raises(FilterError) as excinfo:
        Period(date(2026, 11, 5), date(2026, 11, 1))
    assert excinfo.value.field == "end"


def test_median_in_sql_odd_and_even(app_ctx):
    a = make_center("m")
    for rating in (1, 5, 2):
        make_submission(a, rating=rating)
    assert metrics.median(sa.literal_column("rating"), [sa.true()], sa.table("submissions")) == 2.0
    make_submission(a, rating=4)
    assert metrics.median(sa.literal_column("rating"), [sa.true()], sa.table("submissions")) == 3.0


def _case(center, opened, *, status="new", due_hours=24, closed_after_hours=None, restricted=False):
    from datetime import timedelta

    from feedback.models import Case, Priority

    sub = make_submission(center, rating=1, created_dt=opened, is_flagged=True)
    case = Case(
        submission_id=sub.id, center_id=center.id, priority=Priority.normal, status=status,
        due_dt=opened + timedelta(hours=due_hours), opened_dt=opened, is_restricted=restricted,
        closed_dt=None if closed_after_hours is None else opened + timedelta(hours=closed_after_hours),
        resolution_category="waiting_time" if status == "resolved" else None,
    )
    db.session.add(case)
    db.session.commit()
    return case


def test_case_figures_open_overdue_and_median_resolution(app_ctx):
    a = make_center("cases-a")
    _case(a, _utc(2026, 11, 3, 8), due_hours=24)                        # open, overdue
    _case(a, _utc(2026, 11, 5, 8), status="in_progress", due_hours=600)  # open, not yet due
    _case(a, _utc(2026, 11, 4, 6), status="resolved", closed_after_hours=4)
    _case(a, _utc(2026, 11, 10, 6), status="resolved", closed_after_hours=10)
    _case(a, _utc(2026, 11, 11, 6), status="resolved", closed_after_hours=30)
    _case(a, _utc(2026, 11, 12, 6), status="dismissed", closed_after_hours=1)  # not a resolution
    _case(a, _utc(2026, 10, 20, 6))                                     # opened before the period
    _case(a, _utc(2026, 11, 6, 6), restricted=True)                     # outside the scope below
    from feedback.models import Case

    now = _utc(2026, 11, 20, 12)
    scope = Case.is_restricted.is_(False)
    figures = metrics.case_figures(DashboardFilter(PERIOD, center_id=a.id), scope, now)
    assert (figures.open, figures.overdue, figures.median_hours_to_resolve) == (2, 1, 10.0)
    _case(a, _utc(2026, 11, 13, 6), status="resolved", closed_after_hours=20)
    figures = metrics.case_figures(DashboardFilter(PERIOD, center_id=a.id), scope, now)
    assert figures.median_hours_to_resolve == 15.0  # (10 + 20) / 2


def test_dashboard_bundles_every_figure(data):
    from feedback.models import Case

    board = metrics.dashboard(DashboardFilter(PERIOD, center_id=data["a"]), EVERYTHING, Case.id.is_not(None),
                              _utc(2026, 11, 20))
    assert board.summary.responses == 6 and len(board.weekly) == 2 and board.cases.open == 0
