"""Time the officers' pages on a big database: the queue's first page and a one-center, one-month dashboard.

    .venv/bin/python bench/generate_data.py --rows 1000000      # once: database rey_bench
    .venv/bin/python bench/bench_officer.py [--runs 21]

Times the real domain functions (``queue_page``, ``metrics.dashboard``) and the whole HTTP request
through the app (login, routing, scope, template), as the median of N runs after two warm-ups, next
to plain SQL counts over the same rows measured in the same run. Target: ≤ 300 ms median each.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from feedback import create_app  # noqa: E402
from feedback.auth import hash_password  # noqa: E402
from feedback.extensions import db  # noqa: E402
from feedback.models import Center, Role, Submission, User  # noqa: E402
from feedback.models._types import utcnow  # noqa: E402
from feedback.services import metrics  # noqa: E402
from feedback.services.queue import QueueFilters, queue_page  # noqa: E402
from feedback.services.scope import case_clause, visible_submissions  # noqa: E402

TARGET_MS = 300
PASSWORD = "bench password 42"


def timed(fn, runs: int) -> tuple[float, float]:
    """(median, max) milliseconds of ``fn()`` over ``runs`` runs after two warm-ups."""
    for _ in range(2):
        fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), max(samples)


def bench_user(username: str, role: Role, centers=()) -> User:
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        user = User(username=username, password_hash=hash_password(PASSWORD), role=role)
        user.centers = list(centers)
        db.session.add(user)
        db.session.commit()
    return user


def login(client, username: str) -> None:
    response = client.post("/review/login", data={"username": username, "password": PASSWORD})
    assert response.status_code in (302, 303), f"login failed: {response.status_code}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/rey_bench")
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args(argv)

    app = create_app({
        "SQLALCHEMY_DATABASE_URI": args.url, "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
        "MODELS_DIR": tempfile.mkdtemp(prefix="rey-bench-models-"), "SECRET_KEY": "bench",
    })
    rows = []
    with app.app_context():
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Submission))
        # The busiest center: the hardest single-center dashboard and officer queue.
        center_id = db.session.execute(
            sa.select(Submission.center_id, sa.func.count()).group_by(Submission.center_id)
            .order_by(sa.func.count().desc()).limit(1)
        ).scalar_one()
        center = db.session.get(Center, center_id)
        officer = bench_user("bench.officer", Role.officer, [center])
        supervisor = bench_user("bench.supervisor", Role.supervisor)
        tz = app.config["BABEL_DEFAULT_TIMEZONE"]
        now = utcnow()
        today = now.astimezone(ZoneInfo(tz)).date()
        period = metrics.Period(today - timedelta(days=29), today, tz=tz)
        board_filter = metrics.DashboardFilter(period, center_id=center_id)
        page_size = app.config["QUEUE_PAGE_SIZE"]
        month_rows = db.session.scalar(
            sa.select(sa.func.count()).select_from(Submission)
            .where(Submission.center_id == center_id, Submission.created_dt >= period.start_dt,
                   Submission.created_dt < period.end_dt))
        print(f"database: {total:,} submissions; center {center.code}: {month_rows:,} in {period.start}…{period.end}")

        def plain_count_all():
            db.session.execute(sa.text("SELECT count(*) FROM submissions")).scalar()

        def plain_count_month():
            db.session.execute(sa.text(
                "SELECT count(*) FROM submissions WHERE center_id = :c AND created_dt >= :a AND created_dt < :b"),
                {"c": center_id, "a": period.start_dt, "b": period.end_dt}).scalar()

        rows.append(("plain SQL: SELECT count(*) FROM submissions (all rows)", *timed(plain_count_all, args.runs)))
        rows.append(("plain SQL: count(*) of the center's month", *timed(plain_count_month, args.runs)))
        for label, user in (("officer", officer), ("supervisor", supervisor)):
            rows.append((f"queue_page, first page ({label})", *timed(
                lambda user=user: queue_page(user, QueueFilters(), now=now, limit=page_size), args.runs)))
            rows.append((f"metrics.dashboard, one center, 30 days ({label})", *timed(
                lambda user=user: metrics.dashboard(board_filter, visible_submissions(user).whereclause,
                                                    case_clause(user), now), args.runs)))
        db.session.remove()

    query = f"center={center_id}&start={period.start}&end={period.end}"
    for username in ("bench.officer", "bench.supervisor"):
        client = app.test_client()
        login(client, username)

        def get(path, client=client):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        rows.append((f"HTTP GET /review/ ({username})", *timed(lambda get=get: get("/review/"), args.runs)))
        rows.append((f"HTTP GET /dashboard/?{query} ({username})",
                     *timed(lambda get=get: get(f"/dashboard/?{query}"), args.runs)))

    width = max(len(r[0]) for r in rows)
    print(f"\n{'measured (median of %d runs)' % args.runs:<{width}}  median ms   max ms")
    for label, median, worst in rows:
        flag = "" if label.startswith("plain") else ("  ok" if median <= TARGET_MS else f"  OVER {TARGET_MS} ms")
        print(f"{label:<{width}}  {median:9.1f}  {worst:7.1f}{flag}")
    return 0 if all(m <= TARGET_MS for label, m, _ in rows if not label.startswith("plain")) else 1


if __name__ == "__main__":
    sys.exit(main())
