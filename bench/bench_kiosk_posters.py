"""Print figures for the kiosk and poster paths (run: ``.venv/bin/python bench/bench_kiosk_posters.py``).

- A4 poster PDF: generation time (median of 20) and size;
- API key check (prefix lookup + SHA-256 compare, SQLite in a temp folder): median per call;
- kiosk tap through the guard into storage: median per accepted rating, and per repeat.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from feedback import create_app  # noqa: E402
from feedback.extensions import db  # noqa: E402
from feedback.models import Center, Service  # noqa: E402
from feedback.services.api_keys import issue_api_key, verify_api_key  # noqa: E402
from feedback.services.kiosks import create_kiosk, record_kiosk_rating  # noqa: E402
from feedback.services.posters import poster_pdf  # noqa: E402
from feedback.services.submit import FeedbackInput  # noqa: E402
from feedback.services.triage import TriageRules  # noqa: E402


class _NoModel:
    def judge(self, text):
        return None


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
                          "MODELS_DIR": f"{folder}/none", "RATELIMIT_ENABLED": False})
        with app.test_request_context():
            db.create_all()
            center = Center(code="baku-1", names={"az": "Bakı 1 saylı mərkəz", "ru": "Центр Баку 1",
                                                  "en": "Baku center 1"})
            db.session.add(center)
            db.session.add(Service(center=center, code="passport", names={"en": "Passport"}))
            db.session.commit()

            times, size = [], 0
            for _ in range(20):
                start = time.perf_counter()
                pdf = poster_pdf(center, desk="12", base_url="https://rey.example.az",
                                 languages=("az", "ru", "en"), font_dir=app.config["POSTER_FONT_DIR"])
                times.append(time.perf_counter() - start)
                size = len(pdf)
            print(f"poster PDF: {_median_ms(times):.1f} ms median, {size / 1024:.1f} KiB")

            secret = issue_api_key("bench", ["visits:create"]).secret
            db.session.commit()
            times = []
            for _ in range(500):
                start = time.perf_counter()
                verify_api_key(secret, "visits:create")
                times.append(time.perf_counter() - start)
            print(f"API key check: {_median_ms(times):.3f} ms median over 500")

            kiosk, _ = create_kiosk(center, "12", registration_ttl=timedelta(minutes=5))
            db.session.commit()
            rules = TriageRules.from_config(app.config)
            now = datetime.now(timezone.utc)
            accepted, repeats = [], []
            for i in range(200):
                data = FeedbackInput(center_code="baku-1", rating=1 + i % 5, language="az", comment=f"c{i}")
                moment = now + timedelta(seconds=10 * i)  # slow enough never to trip the burst limit
                start = time.perf_counter()
                record_kiosk_rating(kiosk, data, classifier=_NoModel(), rules=rules, repeat_seconds=5, tap_key="bench",
                                    burst_per_minute=10, now=moment)
                accepted.append(time.perf_counter() - start)
                start = time.perf_counter()
                outcome = record_kiosk_rating(kiosk, data, classifier=_NoModel(), rules=rules, repeat_seconds=5, tap_key="bench",
                                              burst_per_minute=10, now=moment + timedelta(seconds=1))
                repeats.append(time.perf_counter() - start)
                assert outcome.action == "repeat"
            print(f"kiosk tap stored: {_median_ms(accepted):.2f} ms median; repeat counted once: "
                  f"{_median_ms(repeats):.2f} ms median (SQLite, no model)")


if __name__ == "__main__":
    main()
