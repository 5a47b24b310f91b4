"""Rate limits, named by what they protect; their values come from config (see feedback/config.py).

Counters live in Redis when ``REDIS_URL`` is set, so every gunicorn worker and every app server
behind the load balancer shares them; without it each worker counts in its own memory.
A breached limit raises werkzeug's 429, which feedback.errors answers in the page's language.

Use the decorators on views::

    @bp.post("/login")
    @login_limit
    def login(): ...
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app

from feedback.extensions import limiter


def _configured(name: str) -> Callable[[], str]:
    # Read per request so tests and deployments can change limits without re-importing views.
    return lambda: current_app.config[name]


#: Storing a citizen's feedback from the survey page (POSTs only; showing the form is free).
submission_limit = limiter.shared_limit(_configured("RATELIMIT_SUBMIT"), scope="submit", methods=["POST"])

#: Signing in: slows down password guessing from one address.
login_limit = limiter.shared_limit(_configured("RATELIMIT_LOGIN"), scope="login", methods=["POST"])

#: Every request to the JSON API under /api/v1.
api_limit = limiter.shared_limit(_configured("RATELIMIT_API"), scope="api")
