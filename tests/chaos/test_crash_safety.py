"""Crash safety: gunicorn is killed mid-load and no acknowledged submission is lost or doubled.

The production server (gunicorn with feedback/gunicorn_conf.py) runs on a loopback port. Client threads
send submissions, each with its own Idempotency-Key, and retry until the server acknowledges them;
some resend after an acknowledgement, as a phone does when the answer is lost. Meanwhile the test
SIGKILLs one worker, then the whole server (master and workers at once, as the OOM killer or a
power cut would), and starts it again. Afterwards every acknowledged key must be stored exactly
once, under the reference the client was given. A second phase sends one key from several clients
at the same instant to the multi-process server: one row.
"""

from __future__ import annotations

import http.client
import secrets
import threading
import time
from collections import defaultdict

import pytest
import sqlalchemy as sa

from live_server import request as _request
from live_server import served, served_database
from support import BACKENDS
from feedback.extensions import db
from feedback.models import Submission

pytestmark = pytest.mark.slow

CLIENTS = 8
PER_CLIENT = 120
DEADLINE_S = 45


@pytest.fixture(params=BACKENDS)
def database(request, tmp_path):
    """An empty database with one center; yields (the app, DATABASE_URL for gunicorn)."""
    with served_database(request.param, tmp_path) as (app, env_url, _):
        yield app, env_url


@pytest.fixture
def server(database, tmp_path):
    _app, env_url = database
    with served(env_url, tmp_path) as server:
        yield server


class Clients:
    """Threads that each send their own submissions and retry every one until it is acknowledged."""

    def __init__(self, port: int, deadline: float):
        self.port, self.deadline = port, deadline
        self.lock = threading.Lock()
        self.acknowledged: dict[str, set[str]] = defaultdict(set)
        self.unexpected: list[tuple[str, int, object]] = []
        self.retries = 0

    def send_until_acknowledged(self, key: str, body: dict) -> None:
        while time.monotonic() < self.deadline:
            try:
                status, data = _request(self.port, "POST", "/api/v1/feedback", body, key)
            except (OSError, http.client.HTTPException):
                status, data = None, None  # refused, reset or cut off mid-answer: try again
            if status in (200, 201):
                with self.lock:
                    self.acknowledged[key].add(data["reference"])
                return
            with self.lock:
                self.retries += 1
                if status is not None and status < 500:
                    self.unexpected.append((key, status, data))
                    return
            time.sleep(0.05)

    def run(self, client: int) -> None:
        for n in range(PER_CLIENT):
            key = f"chaos-{client:02d}-{n:04d}-{secrets.token_hex(4)}"
            body = {"center": "baku-1", "rating": 1 + n % 5, "comment": f"client {client} visit {n}"}
            self.send_until_acknowledged(key, body)
            if n % 7 == 0:
                # The answer "was lost": send the same submission again.
                self.send_until_acknowledged(key, body)

    @property
    def count(self) -> int:
        with self.lock:
            return len(self.acknowledged)


def _wait_for(predicate, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting for progress"
        time.sleep(0.01)


def _stored(app) -> dict[str, list[str]]:
    with app.app_context():
        rows = db.session.execute(sa.select(Submission.idempotency_key, Submission.reference)).all()
        db.session.remove()
    by_key: dict[str, list[str]] = defaultdict(list)
    for key, reference in rows:
        by_key[key].append(reference)
    return by_key


def test_acknowledged_submissions_survive_killed_workers_and_a_killed_server(database, server):
    app, _ = database
    total = CLIENTS * PER_CLIENT
    clients = Clients(server.port, time.monotonic() + DEADLINE_S)
    threads = [threading.Thread(target=clients.run, args=(c,), daemon=True) for c in range(CLIENTS)]
    for t in threads:
        t.start()

    _wait_for(lambda: clients.count >= total // 5, 20)
    killed_worker = server.kill_one_worker()
    _wait_for(lambda: clients.count >= total // 2, 20)
    server.kill_everything()
    acknowledged_before_restart = clients.count
    time.sleep(0.5)  # clients meet a closed port and keep retrying
    server.start()
    for t in threads:
        t.join(timeout=max(0.0, clients.deadline - time.monotonic()) + 5)

    assert not any(t.is_alive() for t in threads), "clients did not finish in time"
    assert killed_worker not in server.workers()
    assert server.starts == 2 and acknowledged_before_restart < total, "the server was not killed mid-load"
    assert clients.unexpected == []
    assert clients.count == total, "some submissions were never acknowledged"
    assert clients.retries > 0, "no request met the crashes"

    stored = _stored(app)
    for key, references in clients.acknowledged.items():
        assert len(references) == 1, f"{key} was acknowledged under several references: {references}"
        assert stored.get(key) == list(references), f"{key}: acknowledged {references}, stored {stored.get(key)}"
    assert len(stored) == total and sum(map(len, stored.values())) == total


def test_simultaneous_identical_submissions_to_several_workers_store_one_row(database, server):
    app, _ = database
    keys = [f"race-{n:02d}-{secrets.token_hex(6)}" for n in range(10)]
    results: dict[str, list] = defaultdict(list)
    lock = threading.Lock()

    def send(key: str, barrier: threading.Barrier) -> None:
        barrier.wait()
        status, data = _request(server.port, "POST", "/api/v1/feedback",
                                {"center": "baku-1", "rating": 2, "comment": "race"}, key)
        with lock:
            results[key].append((status, data.get("reference")))

    for key in keys:
        barrier = threading.Barrier(6)
        threads = [threading.Thread(target=send, args=(key, barrier)) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=20)

    stored = _stored(app)
    for key in keys:
        statuses = sorted(status for status, _ in results[key])
        assert statuses == [200] * 5 + [201], results[key]
        assert len({reference for _, reference in results[key]}) == 1
        assert stored[key] == [results[key][0][1]]
    assert sum(map(len, stored.values())) == len(keys)
    # /metrics adds up what every worker counted (feedback.monitoring): the ten stored, the fifty retries.
    figures = _metrics(server.port)
    assert sum(value for (name, _), value in figures.items() if name == "rey_submissions_stored_total") == len(keys)
    answered = {dict(labels)["status"]: value for (name, labels), value in figures.items()
                if name == "rey_http_requests_total" and dict(labels)["endpoint"] == "api.create_feedback"}
    assert answered == {"201": len(keys), "200": 5 * len(keys)}


def _metrics(port: int) -> dict[tuple, float]:
    from prometheus_client.parser import text_string_to_metric_families

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/metrics")
        response = conn.getresponse()
        assert response.status == 200
        text = response.read().decode()
    finally:
        conn.close()
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}
