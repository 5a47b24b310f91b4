"""Dashboard figures for a set of centers, a service and a period — aggregated in SQL, not Python.

The caller (a view, the benchmark) decides *what* a user may see through the scope service and
passes it here as a SQL condition; this module only decides *how* to count it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import OPEN_STATUSES, Case, CaseStatus, Center, Service, Submission
from feedback.models._types import localized
from feedback.services.sqlstats import dialect, epoch_seconds, hours_between, median, number

#: Units with fewer responses are not ranked, so one citizen or one desk cannot be singled out.
MIN_RANKED_RESPONSES = 5
#: CSAT counts ratings from this value up as satisfied.
SATISFIED_FROM = 4
_WEEK_SECONDS = 7 * 24 * 3600


class FilterError(ValueError):
    """A dashboard filter that cannot be applied; ``field`` names the form field at fault."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name


#: Longest period one dashboard page or export file covers: two years of weekly points is still a
#: readable chart; a client wanting more asks year by year.
MAX_PERIOD_DAYS = 731
#: Without dates, the last four weeks, today included.
DEFAULT_PERIOD_DAYS = 28


def start_of_day(day: date, tz: str) -> datetime:
    """The first instant of ``day`` in the time zone ``tz``, in UTC."""
    return datetime.combine(day, time.min, ZoneInfo(tz)).astimezone(timezone.utc)


@dataclass(frozen=True)
class Period:
    """Calendar days from ``start`` to ``end`` inclusive, in the service's time zone."""

    start: date
    end: date
    tz: str = "Asia/Baku"

    def __post_init__(self):
        if self.end < self.start:
            raise FilterError("end", "The period ends before it starts.")

    @property
    def start_dt(self) -> datetime:
        return start_of_day(self.start, self.tz)

    @property
    def end_dt(self) -> datetime:
        """The first instant after the period (exclusive bound)."""
        return start_of_day(self.end + timedelta(days=1), self.tz)

    @property
    def weeks(self) -> int:
        return ((self.end - self.start).days // 7) + 1


@dataclass(frozen=True)
class DashboardFilter:
    """What the dashboard shows: a period, optionally one center or one region, optionally one service."""

    period: Period
    center_id: int | None = None
    region: str | None = None
    #: Services are per center; a code (``passport``) means that service at every chosen center.
    service_code: str | None = None


@dataclass(frozen=True)
class Summary:
    responses: int
    average_rating: float | None
    #: Share of ratings 4–5, in percent.
    csat: float | None
    #: Share of responses triage flagged for an officer, in percent.
    complaint_rate: float | None


@dataclass(frozen=True)
class WeekPoint:
    start: date
    responses: int
    average_rating: float | None
    csat: float | None


@dataclass(frozen=True)
class CenterRank:
    center_id: int
    code: str
    names: dict
    responses: int
    average_rating: float | None
    csat: float | None
    complaint_rate: float | None
    #: False when the center had too few responses to be compared fairly.
    is_ranked: bool
    #: Place in the ranking, shared by centers whose figures are equal (1, 1, 3); None when not ranked.
    rank: int | None = None

    def name(self, locale: str) -> str:
        """As ``Center.name``: in Azerbaijani when the locale has none."""
        return localized(self.names, locale) or self.code


@dataclass(frozen=True)
class CaseFigures:
    #: Cases opened in the period that are still open.
    open: int
    #: Of those, the ones past their due time.
    overdue: int
    #: Median hours from opening to resolution, over cases opened in the period and resolved.
    median_hours_to_resolve: float | None


@dataclass(frozen=True)
class Dashboard:
    filter: DashboardFilter
    summary: Summary
    cases: CaseFigures
    weekly: list[WeekPoint]
    distribution: dict[int, int]
    complaint_terms: list[tuple[str, int]]
    ranking: list[CenterRank]


def _percent(part, whole):
    """``part`` as a percentage of ``whole`` in SQL, NULL when there is nothing to divide."""
    return sa.cast(100.0 * part / sa.func.nullif(whole, 0), sa.Float)


def _aggregates():
    n = sa.func.count(Submission.id)
    satisfied = sa.func.sum(sa.case((Submission.rating >= SATISFIED_FROM, 1), else_=0))
    flagged = sa.func.sum(sa.case((Submission.is_flagged.is_(True), 1), else_=0))
    return (
        n.label("responses"),
        sa.cast(sa.func.avg(Submission.rating), sa.Float).label("average_rating"),
        _percent(satisfied, n).label("csat"),
        _percent(flagged, n).label("complaint_rate"),
    )


def service_names(center_ids: list[int], locale: str) -> dict[str, str]:
    """{code: name} of the services offered at any of the centers, for the service filter."""
    names: dict[str, str] = {}
    if center_ids:
        query = sa.select(Service).where(Service.center_id.in_(center_ids)).order_by(Service.position)
        for service in db.session.scalars(query):
            names.setdefault(service.code, service.name(locale))
    return names


def submission_conditions(f: DashboardFilter, scope, *, with_center: bool = True) -> list:
    """WHERE conditions on Submission for the filter, within ``scope`` (a SQL condition)."""
    conditions = [
        scope,
        Submission.created_dt >= f.period.start_dt,
        Submission.created_dt < f.period.end_dt,
    ]
    if with_center and f.center_id is not None:
        conditions.append(Submission.center_id == f.center_id)
    if f.region:
        conditions.append(Submission.center_id.in_(sa.select(Center.id).where(Center.region == f.region)))
    if f.service_code:
        conditions.append(Submission.service_id.in_(sa.select(Service.id).where(Service.code == f.service_code)))
    return conditions


def summary(f: DashboardFilter, scope) -> Summary:
    row = db.session.execute(sa.select(*_aggregates()).where(*submission_conditions(f, scope))).one()
    return Summary(row.responses, number(row.average_rating), number(row.csat), number(row.complaint_rate))


def weekly_trend(f: DashboardFilter, scope) -> list[WeekPoint]:
    """Seven-day buckets from the period's first day; weeks without responses are present and empty."""
    week = _week_of(f.period).label("week")
    rows = db.session.execute(
        sa.select(week, *_aggregates()[:3]).where(*submission_conditions(f, scope)).group_by(week)
    ).all()
    found = {int(r.week): r for r in rows}
    points = []
    for index in range(f.period.weeks):
        r = found.get(index)
        points.append(WeekPoint(
            start=f.period.start + timedelta(days=7 * index),
            responses=r.responses if r else 0,
            average_rating=number(r.average_rating) if r else None,
            csat=number(r.csat) if r else None,
        ))
    return points


def _week_of(period: Period) -> sa.ColumnElement[int]:
    """The index of the period's local week a submission falls in."""
    bounds = [start_of_day(period.start + timedelta(days=7 * k), period.tz) for k in range(1, period.weeks)]
    zone = ZoneInfo(period.tz)
    if len({zone.utcoffset(moment) for moment in (period.start_dt, *bounds, period.end_dt)}) > 1:
        # The clocks change within the period (summer time where the service's zone has it): a
        # local week is then not 604,800 seconds, so each is told by its bounds.
        return sa.case(*[(Submission.created_dt < bound, k) for k, bound in enumerate(bounds)],
                       else_=len(bounds))
    offset = (epoch_seconds(Submission.created_dt) - period.start_dt.timestamp()) / _WEEK_SECONDS
    # Rows are never before the start, so truncation is floor; PostgreSQL's integer cast rounds instead.
    week = sa.func.floor(offset) if dialect() == "postgresql" else sa.cast(offset, sa.Integer)
    return sa.cast(week, sa.Integer)


def rating_distribution(f: DashboardFilter, scope) -> dict[int, int]:
    rows = db.session.execute(
        sa.select(Submission.rating, sa.func.count(Submission.id))
        .where(*submission_conditions(f, scope))
        .group_by(Submission.rating)
    ).all()
    counts = {rating: 0 for rating in range(1, 6)}
    counts.update({int(rating): n for rating, n in rows})
    return counts


def complaint_terms(f: DashboardFilter, scope, limit: int = 10) -> list[tuple[str, int]]:
    """The words the model gave most often as reasons on flagged submissions."""
    if dialect() == "postgresql":
        terms = sa.func.json_array_elements_text(Submission.model_reasons).table_valued("value")
        terms = terms.render_derived("term")
    else:  # SQLite's json_each names its own columns; an alias with a column list is a syntax error
        terms = sa.func.json_each(Submission.model_reasons).table_valued("value").alias("term")
    n = sa.func.count().label("n")
    rows = db.session.execute(
        sa.select(terms.c.value, n)
        .select_from(Submission)
        .join(terms, sa.true())
        .where(Submission.is_flagged.is_(True), *submission_conditions(f, scope))
        .group_by(terms.c.value)
        .order_by(n.desc(), terms.c.value)
        .limit(limit)
    ).all()
    return [(str(term), int(count)) for term, count in rows]


def center_ranking(f: DashboardFilter, scope) -> list[CenterRank]:
    """Every center in scope (and region) over the period, best CSAT first; small ones last, unranked."""
    stats = (
        sa.select(Submission.center_id, *_aggregates())
        .where(*submission_conditions(f, scope, with_center=False))
        .group_by(Submission.center_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Center.id, Center.code, Center.names, stats)
        .join(stats, stats.c.center_id == Center.id)
    ).all()
    ranks = [
        CenterRank(
            center_id=r.id, code=r.code, names=r.names, responses=r.responses,
            average_rating=number(r.average_rating), csat=number(r.csat),
            complaint_rate=number(r.complaint_rate), is_ranked=r.responses >= MIN_RANKED_RESPONSES,
        )
        for r in rows
    ]
    ranks.sort(key=lambda c: (not c.is_ranked, *_standing(c), c.code))
    placed: list[CenterRank] = []
    for index, c in enumerate(ranks):
        if c.is_ranked:  # ranked centers come first, so the one before a ranked one is ranked too
            tied = placed and _standing(placed[-1]) == _standing(c)
            c = replace(c, rank=placed[-1].rank if tied else index + 1)
        placed.append(c)
    return placed


def _standing(c: CenterRank) -> tuple[float, float]:
    """What a center is ranked by, as the page shows it (CSAT to one decimal): equal is a tie, not
    a place decided by the centers' codes."""
    return -round(c.csat or 0, 1), -(c.average_rating or 0)


def case_conditions(f: DashboardFilter, case_scope) -> list:
    """WHERE conditions on Case (opened in the period) for the filter, within ``case_scope``."""
    conditions = [case_scope, Case.opened_dt >= f.period.start_dt, Case.opened_dt < f.period.end_dt]
    if f.center_id is not None:
        conditions.append(Case.center_id == f.center_id)
    if f.region:
        conditions.append(Case.center_id.in_(sa.select(Center.id).where(Center.region == f.region)))
    if f.service_code:
        conditions.append(Case.service_id.in_(sa.select(Service.id).where(Service.code == f.service_code)))
    return conditions


def case_figures(f: DashboardFilter, case_scope, now: datetime) -> CaseFigures:
    conditions = case_conditions(f, case_scope)
    is_open = Case.status.in_(sorted(OPEN_STATUSES))
    row = db.session.execute(
        sa.select(
            sa.func.count(Case.id).filter(is_open).label("open"),
            sa.func.count(Case.id).filter(is_open, Case.due_dt < now).label("overdue"),
        ).where(*conditions)
    ).one()
    hours = median(
        hours_between(Case.opened_dt, Case.closed_dt),
        [*conditions, Case.status == CaseStatus.resolved, Case.closed_dt.is_not(None)],
        Case,
    )
    return CaseFigures(row.open or 0, row.overdue or 0, number(hours, 1))


def dashboard(f: DashboardFilter, scope, case_scope, now: datetime) -> Dashboard:
    """Every figure of the dashboard page for one filter, within the user's scope."""
    return Dashboard(
        filter=f,
        summary=summary(f, scope),
        cases=case_figures(f, case_scope, now),
        weekly=weekly_trend(f, scope),
        distribution=rating_distribution(f, scope),
        complaint_terms=complaint_terms(f, scope),
        ranking=center_ranking(f, scope),
    )
