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
from flask_limiter.util import get_remote_address
from flask_login import current_user

from feedback.addresses import in_networks, request_client_key
from feedback.extensions import limiter


def _configured(name: str) -> Callable[[], str]:
    # Read per request so tests and deployments can change limits without re-importing views.
    return lambda: current_app.config[name]


def _submission_limit_value() -> str:
    config = current_app.config
    if in_networks(get_remote_address(), config["HALL_NETWORKS"]):
        return config["RATELIMIT_SUBMIT_HALL"]
    return config["RATELIMIT_SUBMIT"]


#: Storing a citizen's feedback from the survey page (POSTs only; showing the form is free). Each
#: address of REY_HALL_NETWORKS is a whole hall of citizens and gets the hall's limit instead.
submission_limit = limiter.shared_limit(_submission_limit_value, scope="submit", methods=["POST"])


def submission_limit_unless(exempt: Callable[[], bool]):
    """The same limit, with the same count per address, for another way in (the API's feedback),
    waived when ``exempt()`` says the sender answers for what it sends (an API key's holder). It
    adds to the limits of the view's blueprint (the API's own), rather than replacing them."""
    return limiter.shared_limit(_submission_limit_value, scope="submit", methods=["POST"], exempt_when=exempt,
                                override_defaults=False)


def _refused(response) -> bool:
    return response.status_code >= 400


#: Signing in: slows down password (and code) guessing from one address. Only refused attempts
#: count: a whole office behind one address signs in at nine without running into it.
login_limit = limiter.shared_limit(_configured("RATELIMIT_LOGIN"), scope="login", methods=["POST"],
                                   deduct_when=_refused)
#: Registering a kiosk: a registration code is a password for a tablet, guessed the same way; a count
#: of its own, so that tablets being set up and staff signing in behind one address don't share it.
kiosk_code_limit = limiter.shared_limit(_configured("RATELIMIT_LOGIN"), scope="kiosk-code", methods=["POST"],
                                        deduct_when=_refused)


def _signed_in_account() -> str:
    # Per account, not per address: whoever holds a stolen session can send from many addresses.
    # The account's id, not get_id(): that carries the session version, which "sign out on every
    # other computer" moves on, and each press would start a fresh count of guesses.
    if current_user.is_authenticated:
        return f"account:{current_user.id}"
    return request_client_key()


#: Changing one's password: a wrong current password (answered 401) is a guess at it, perhaps by
#: someone who found a desk left signed in. Only those count: a new password refused costs none.
password_limit = limiter.shared_limit(
    _configured("RATELIMIT_LOGIN"), scope="password", methods=["POST"], key_func=_signed_in_account,
    deduct_when=lambda response: response.status_code == 401,
)

#: Every request to the JSON API under /api/v1.
api_limit = limiter.shared_limit(_configured("RATELIMIT_API"), scope="api")


def _status_limit_value() -> str:
    return current_app.config.get("RATELIMIT_STATUS", "30 per minute")


#: The citizen's status page. References are 32**8 values, but a limit still keeps anyone from
#: walking through them.
status_limit = limiter.shared_limit(_status_limit_value, scope="status")
#: The same count for any other page that says whether a reference exists (the thanks page), where
#: only a reference not found counts: a hall full of citizens opening their own thanks pages from
#: one address must not run into it, while someone guessing mostly misses.
reference_miss_limit = limiter.shared_limit(_status_limit_value, scope="status",
                                            deduct_when=lambda response: response.status_code == 404)
