"""Fill a separate PostgreSQL database with a year of realistic feedback for the officer benchmarks.

    .venv/bin/python bench/generate_data.py --rows 1000000            # database rey_bench, recreated
    .venv/bin/python bench/generate_data.py --rows 20000 --database rey_bench_small

Tables come from the models (``db.create_all``), rows arrive through COPY (psycopg), then ANALYZE.
Shape: 60 centers in 10 regions, 10 services each; ratings skewed to 5 as in real traffic; about 7 %
of submissions flagged, each flagged one with a case (most closed, a few restricted). Deterministic
for a given --seed. Never touches any database but the one named.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

REGIONS = ["Bakı", "Abşeron", "Gəncə-Daşkəsən", "Şəki-Zaqatala", "Lənkəran", "Quba-Xaçmaz", "Aran",
           "Yuxarı Qarabağ", "Dağlıq Şirvan", "Naxçıvan"]
SERVICES = ["id-card", "passport", "residence", "driving", "civil-registry", "notary", "real-estate",
            "pension", "migration", "criminal-record"]
RATINGS = [1, 2, 3, 4, 5]
RATING_WEIGHTS = [3, 2, 5, 20, 70]
COMPLAINT_TERMS = ["gözlədim", "növbə", "kobud", "sistem işləmir", "saat", "pis", "rüşvət", "sənəd",
                   "долго", "грубо", "waited", "rude"]
COMPLAINTS = ["Üç saat gözlədim, sistem işləmir", "Əməkdaş kobud danışdı", "Очень долго ждали в очереди",
              "Sənədimi qəbul etmədilər, iki dəfə gəldim", "Waited two hours, staff were rude"]
PRAISE = ["Hər şey əla idi, təşəkkür edirəm", "Çox sürətli xidmət", "Всё отлично, спасибо",
          "Very quick and polite", ""]
SUBMISSION_COLUMNS = (
    "id", "reference", "center_id", "service_id", "desk", "rating", "comment", "comment_masked", "language",
    "comment_language", "channel", "is_contact_consented", "is_verified", "created_dt", "complaint_probability",
    "model_version", "model_reasons", "is_flagged", "flag_reasons",
)
CASE_COLUMNS = (
    "id", "submission_id", "center_id", "service_id", "language", "status", "priority", "is_restricted",
    "urgent_terms", "due_dt", "resolution_category", "resolution_message", "is_complaint_confirmed",
    "opened_dt", "closed_dt", "updated_dt",
)
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def reference(n: int) -> str:
    chars = []
    for _ in range(8):
        n, r = divmod(n, len(_ALPHABET))
        chars.append(_ALPHABET[r])
    return "".join(chars[:4]) + "-" + "".join(chars[4:])


def recreate_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def create_schema(url: str) -> None:
    from feedback import create_app
    from feedback.config import sqlalchemy_url
    from feedback.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(url),
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.create_all()
        db.engine.dispose()


def centers_and_services(conn) -> dict[int, list[int]]:
    """Insert 60 centers and their services; return {center_id: [service ids]}."""
    services: dict[int, list[int]] = {}
    with conn.cursor() as cur:
        for i in range(60):
            code = f"center-{i + 1:02d}"
            names = json.dumps({"az": f"{i + 1} saylı mərkəz", "ru": f"Центр №{i + 1}", "en": f"Center {i + 1}"})
            cur.execute("INSERT INTO centers (code, names, region, is_active) VALUES (%s, %s, %s, true) RETURNING id",
                        (code, names, REGIONS[i % len(REGIONS)]))
            center_id = cur.fetchone()[0]
            services[center_id] = []
            for position, service in enumerate(SERVICES):
                cur.execute(
                    "INSERT INTO services (center_id, code, names, position, is_active) "
                    "VALUES (%s, %s, %s, %s, true) RETURNING id",
                    (center_id, service, json.dumps({"az": service, "ru": service, "en": service}), position))
                services[center_id].append(cur.fetchone()[0])
    return services


def generate(conn, rows: int, seed: int, now: datetime) -> tuple[int, int]:
    rng = random.Random(seed)
    services = centers_and_services(conn)
    center_ids = list(services)
    # A few big halls get most of the traffic, as in Baku.
    center_weights = [8 if i < 6 else 1 for i in range(len(center_ids))]
    year = 365 * 24 * 3600
    cases = []
    with conn.cursor() as cur, cur.copy(
        sql.SQL("COPY submissions ({}) FROM STDIN").format(sql.SQL(", ").join(map(sql.Identifier, SUBMISSION_COLUMNS)))
    ) as copy:
        centers_drawn = rng.choices(center_ids, center_weights, k=rows)
        ratings_drawn = rng.choices(RATINGS, RATING_WEIGHTS, k=rows)
        for i in range(1, rows + 1):
            center_id, rating = centers_drawn[i - 1], ratings_drawn[i - 1]
            created = now - timedelta(seconds=rng.random() * year)
            low = rating <= 2
            has_text = rng.random() < (0.8 if low else 0.25)
            text = rng.choice(COMPLAINTS if low else PRAISE) if has_text else ""
            probability = (0.6 + 0.4 * rng.random() if low else 0.3 * rng.random()) if text else None
            flagged = low or (probability is not None and probability > 0.25 and rng.random() < 0.05)
            reasons = rng.sample(COMPLAINT_TERMS, 2) if flagged and text else []
            service_id = rng.choice(services[center_id]) if rng.random() < 0.85 else None
            lang = rng.choice(("az", "az", "az", "ru", "en"))
            copy.write_row((
                i, reference(i * 7919 + 13), center_id, service_id, None, rating, text, text, lang,
                lang if text else None, rng.choice(("qr", "qr", "kiosk", "web")), False, False, created,
                probability, "bench" if text else None, json.dumps(reasons, ensure_ascii=False), flagged,
                json.dumps(["low_rating"] if low else (["model"] if flagged else [])),
            ))
            if flagged:
                cases.append((i, center_id, service_id, lang, created, bool(text)))
    with conn.cursor() as cur, cur.copy(
        sql.SQL("COPY cases ({}) FROM STDIN").format(sql.SQL(", ").join(map(sql.Identifier, CASE_COLUMNS)))
    ) as copy:
        for case_id, (sub_id, center_id, service_id, lang, opened, has_text) in enumerate(cases, start=1):
            priority = rng.choice(("high", "normal", "normal"))
            due = opened + timedelta(hours=24 if priority == "high" else 72)
            age = now - opened
            status = "new" if age < timedelta(days=3) else rng.choice(
                ("resolved", "resolved", "resolved", "dismissed", "in_progress"))
            closed = opened + timedelta(hours=1 + rng.random() * 120) if status in ("resolved", "dismissed") else None
            closed = min(closed, now) if closed else None
            label = rng.choice((True, True, False, None)) if has_text and closed else None
            copy.write_row((
                case_id, sub_id, center_id, service_id, lang, status, priority, rng.random() < 0.01, "[]", due,
                "waiting_time" if status == "resolved" else None, "", label, opened, closed, closed or opened,
            ))
    with conn.cursor() as cur:
        for table in ("submissions", "cases"):
            cur.execute(sql.SQL("SELECT setval(pg_get_serial_sequence({}, 'id'), (SELECT max(id) FROM {}))")
                        .format(sql.Literal(table), sql.Identifier(table)))
    return rows, len(cases)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database", default="rey_bench", help="database to (re)create; never an existing app DB")
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432",
                        help="PostgreSQL server URL without a database name")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    if args.database in ("postgres", "test", "root", "template0", "template1"):
        parser.error(f"refusing to recreate {args.database!r}; choose a database of its own")
    url = f"{args.server}/{args.database}"
    started = time.perf_counter()
    recreate_database(f"{args.server}/postgres", args.database)
    create_schema(url)
    now = datetime.now(timezone.utc)
    with psycopg.connect(url) as conn:
        submissions, cases = generate(conn, args.rows, args.seed, now)
        conn.commit()
    copied = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    print(f"{args.database}: {submissions:,} submissions and {cases:,} cases in {copied - started:.1f} s "
          f"(+ {time.perf_counter() - copied:.1f} s VACUUM ANALYZE)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
