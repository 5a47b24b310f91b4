"""Production settings for gunicorn: ``gunicorn -c feedback/gunicorn_conf.py`` (see ``make serve``).

Every value can be changed through the environment (REY_BIND, REY_WORKERS, REY_THREADS, ...) so one
config serves a laptop, a 2-core VM and a larger host behind a load balancer.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile
from pathlib import Path

from gunicorn import glogging

wsgi_app = "feedback.wsgi:app"
bind = os.environ.get("REY_BIND", "127.0.0.1:8000")
# Classification is CPU work under the GIL, so processes, not threads, use the cores; a few threads
# per worker cover the time spent waiting on the database.
workers = int(os.environ.get("REY_WORKERS", multiprocessing.cpu_count() * 2))
worker_class = os.environ.get("REY_WORKER_CLASS", "gthread")
threads = int(os.environ.get("REY_THREADS", 4))
# Load the app (and the model, in when_ready) once in the master: workers share its memory
# copy-on-write and a restarted worker answers at once instead of loading the model again.
preload_app = True
timeout = int(os.environ.get("REY_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound; jitter avoids all at once.
max_requests = int(os.environ.get("REY_MAX_REQUESTS", 20000))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("REY_ACCESS_LOG", "-")
# The path without its query string, and a visit link's token blanked (feedback/log_paths.py):
# "%(r)s", the request line as sent, would write kiosk registration codes and visit tokens.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
loglevel = os.environ.get("REY_LOG_LEVEL", "info")
# Behind a load balancer, trust its X-Forwarded-* (the app does the same through REY_PROXY_COUNT).
forwarded_allow_ips = os.environ.get("REY_FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn's runtime control socket is one path per user: several servers on a host would fight over
# it, and nothing here uses it.
control_socket_disable = True


class AccessLogger(glogging.Logger):
    """gunicorn's logger, with the path as feedback.log_paths puts it."""

    def atoms(self, resp, req, environ, request_time):
        from feedback.log_paths import loggable_path

        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = loggable_path(atoms.get("U"))
        return atoms


logger_class = AccessLogger


# Each worker writes its figures for /metrics (feedback.monitoring) into files here, and /metrics sums
# them. Set before the app, and so prometheus_client, is imported: it picks its storage on import.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="rey-metrics-"))


def on_starting(server):
    """Start the figures from zero: files left by an earlier run of the server would count again."""
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink(missing_ok=True)


def child_exit(server, worker):
    """A worker that exited (recycled or killed) keeps its counts; prometheus_client is told it is gone."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    if os.path.basename(folder).startswith("rey-metrics-"):  # ours, not a folder the operator chose
        shutil.rmtree(folder, ignore_errors=True)


def when_ready(server):
    """Load the complaint model before the first request, in the master, so workers inherit it."""
    import gc

    from feedback.warmup import warm_up

    app = server.app.wsgi()
    if "rey.classifier" in getattr(app, "extensions", {}):  # not the benchmark's bare app
        warm_up(app)
    # The app and model are hundreds of thousands of long-lived objects. Frozen, the collector stops
    # walking them (batch scoring measured 10–15% faster) and stops writing to their pages, so forked
    # workers keep sharing that memory instead of copying it.
    gc.freeze()


def post_fork(server, worker):
    """Give each worker its own database connections: sockets must not be shared across a fork."""
    from feedback.extensions import db

    app = server.app.wsgi()
    if "sqlalchemy" in getattr(app, "extensions", {}):
        with app.app_context():
            db.engine.dispose(close=False)
