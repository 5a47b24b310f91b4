"""Live figures for the operations team, in Prometheus's format at ``/metrics`` (feedback.health).

- ``rey_http_requests_total{endpoint, method, status}`` and
  ``rey_http_request_duration_seconds{endpoint}``: every request, named by its Flask endpoint (a
  fixed set, unlike paths), so a dashboard shows throughput, 429s, 503s and the latency tail;
- ``rey_submissions_stored_total{channel, flagged}``: feedback stored (a retry is not counted again);
- ``rey_classifier_failures_total``: comments the model failed on (stored and triaged without it);
- ``rey_sign_ins_refused_total{reason}`` and ``rey_accounts_locked_total``: staff sign-ins refused,
  by why, and accounts locked by them, for alerts on password guessing and on a stolen password.

Under gunicorn each worker is a process of its own; ``feedback/gunicorn_conf.py`` sets
``PROMETHEUS_MULTIPROC_DIR`` so that each writes its figures there and ``/metrics`` sums them.
Without it (the development server, tests) the figures are the process's own.
"""

from __future__ import annotations

import os
import time

from flask import Flask, g, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import multiprocess

requests_total = Counter(
    "rey_http_requests_total", "HTTP requests answered, by Flask endpoint, method and status.",
    ["endpoint", "method", "status"],
)
request_seconds = Histogram(
    "rey_http_request_duration_seconds", "Time from the request's start in Flask to its response.",
    ["endpoint"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
submissions_stored = Counter(
    "rey_submissions_stored_total", "Feedback stored, by channel and whether it was flagged.",
    ["channel", "flagged"],
)
classifier_failures = Counter("rey_classifier_failures_total", "Comments the complaint model failed on.")
sign_ins_refused = Counter(
    "rey_sign_ins_refused_total",
    "Staff sign-ins refused: unknown_account, disabled_account, locked, wrong_password, wrong_code.",
    ["reason"],
)
accounts_locked = Counter("rey_accounts_locked_total", "Staff accounts locked after too many failed sign-ins.")

#: Methods a client can send are many; these are the ones the app serves, the rest count as "other".
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _started() -> None:
    g.rey_started = time.perf_counter()


def _answered(response):
    rule = request.url_rule
    endpoint = rule.endpoint if rule is not None else "unmatched"
    method = request.method if request.method in _METHODS else "other"
    requests_total.labels(endpoint, method, str(response.status_code)).inc()
    started = g.get("rey_started")
    if started is not None:
        request_seconds.labels(endpoint).observe(time.perf_counter() - started)
    return response


def exposition() -> tuple[bytes, str]:
    """The figures of this process, or of every worker when gunicorn runs several."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return generate_latest(registry), CONTENT_TYPE_LATEST


def init_app(app: Flask) -> None:
    """Call before the other extensions, so that the time includes their hooks (limits, locale)."""
    app.before_request(_started)
    app.after_request(_answered)
