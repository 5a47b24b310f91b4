"""The production server (gunicorn with feedback/gunicorn_conf.py) on a loopback port, for tests
that must go through it: crash safety, and fuzzing the API over real HTTP.

Test modules import these by name (tests/ is on the path); their fixtures are thin wrappers.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from support import ROOT, _postgres_url
from factories import make_center
from feedback import create_app
from feedback.extensions import db


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name may hold spaces; the parent id is the 2nd field after its ")".
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def request(port: int, method: str, path: str, body: dict | None = None, key: str | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Content-Type": "application/json"}
        if key:
            headers["Idempotency-Key"] = key
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        conn.close()


class Server:
    """gunicorn in its own session, so a test can kill the master and all its workers at once."""

    def __init__(self, port: int, env: dict, log_path: Path):
        self.port, self.env, self.log_path = port, env, log_path
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        log = self.log_path.open("a")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "feedback" / "gunicorn_conf.py")],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.starts += 1
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log_path.read_text()[-3000:]
            try:
                if request(self.port, "GET", "/healthz")[0] == 200 and len(self.workers()) >= 2:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError("gunicorn did not start:\n" + self.log_path.read_text()[-3000:])

    def workers(self) -> list[int]:
        return children(self.process.pid)

    def kill_one_worker(self) -> int:
        victim = self.workers()[0]
        os.kill(victim, signal.SIGKILL)
        return victim

    def kill_everything(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def served_database(backend: str, tmp_path: Path,
                    seed: Callable[[], object] | None = None) -> Iterator[tuple[Flask, str, object]]:
    """An empty database with center ``baku-1``, on SQLite or in a PostgreSQL schema of its own.

    Yields the app (for reading what the server stored), the ``DATABASE_URL`` for gunicorn, and
    what ``seed`` returned (called in the app context, committed). The schema is dropped afterwards.
    """
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'served.sqlite3'}"
        config, env_url = {"SQLALCHEMY_DATABASE_URI": url}, url
    else:
        schema = f"rey_served_{os.getpid()}_{secrets.token_hex(3)}"
        url = _postgres_url()
        config = {
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}},
        }
        env_url = f"{url}?options=-csearch_path%3D{schema}"
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    app = create_app({"TESTING": True, "SECRET_KEY": "served", "MODELS_DIR": str(tmp_path / "none"), **config})
    with app.app_context():
        db.create_all()
        make_center("baku-1")
        seeded = seed() if seed else None
        db.session.commit()
        db.session.remove()
    try:
        yield app, env_url, seeded
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if backend != "sqlite":
            with engine.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            engine.dispose()


@contextmanager
def served(env_url: str, tmp_path: Path, *, models_dir: Path | None = None, **settings: str) -> Iterator[Server]:
    """gunicorn on a free loopback port with the production config, 2 workers of 4 threads, no rate
    limits (one client address sends everything); ``settings`` are more REY_* variables."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": env_url,
        "SECRET_KEY": "served",
        "REY_MODELS_DIR": str(models_dir or tmp_path / "none"),
        "REY_BIND": f"127.0.0.1:{port}",
        "REY_WORKERS": "2",
        "REY_THREADS": "4",
        "REY_RATELIMIT": "0",
        "REY_ACCESS_LOG": str(tmp_path / "access.log"),
        **settings,
    }
    server = Server(port, env, tmp_path / "gunicorn.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()
