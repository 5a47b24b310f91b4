"""Figures for monitoring at /metrics: requests by endpoint and status, stored feedback, model failures."""

from datetime import timedelta

import pyotp
import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from factories import make_center, make_user
from feedback.extensions import db
from feedback.models._types import utcnow
from feedback.services import two_factor
from feedback.services.login import LoginPolicy, LoginRefused, authenticate, authenticate_code


def _count(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _scraped(client) -> dict[tuple, float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain; version=")  # the exposition format
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.get_data(as_text=True))
            for sample in family.samples}


def test_requests_are_counted_by_endpoint_method_and_status(client):
    ok = dict(endpoint="health.healthz", method="GET", status="200")
    missing = dict(endpoint="unmatched", method="GET", status="404")
    before = _count("rey_http_requests_total", **ok), _count("rey_http_requests_total", **missing)
    for _ in range(3):
        client.get("/healthz")
    client.get("/no/such/page")
    scraped = _scraped(client)
    assert scraped[("rey_http_requests_total", tuple(sorted(ok.items())))] == before[0] + 3
    assert scraped[("rey_http_requests_total", tuple(sorted(missing.items())))] == before[1] + 1
    # Latency by endpoint, in buckets a p99 target can be read from.
    assert scraped[("rey_http_request_duration_seconds_bucket", (("endpoint", "health.healthz"), ("le", "0.1")))] >= 3


def test_stored_feedback_is_counted_once_per_submission(app, client):
    with app.app_context():
        make_center("baku-1")
    labels = dict(channel="api", flagged="true")
    before = _count("rey_submissions_stored_total", **labels)
    body = {"center": "baku-1", "rating": 1, "comment": "Növbə iki saat çəkdi"}
    headers = {"Idempotency-Key": "counted-once-1"}
    assert client.post("/api/v1/feedback", json=body, headers=headers).status_code == 201
    assert client.post("/api/v1/feedback", json=body, headers=headers).status_code == 200  # a retry
    assert _count("rey_submissions_stored_total", **labels) == before + 1
    rejected = dict(endpoint="api.create_feedback", method="POST", status="400")
    before_rejected = _count("rey_http_requests_total", **rejected)
    assert client.post("/api/v1/feedback", json={"center": "baku-1", "rating": 9}).status_code == 400
    assert _count("rey_http_requests_total", **rejected) == before_rejected + 1
    assert _count("rey_submissions_stored_total", **labels) == before + 1


@pytest.mark.config(RATELIMIT_ENABLED=True, RATELIMIT_API="1 per minute")
def test_refusals_by_the_rate_limit_are_counted(client):
    limited = dict(endpoint="api.openapi", method="GET", status="429")
    before = _count("rey_http_requests_total", **limited)
    assert [client.get("/api/v1/openapi.json").status_code for _ in range(3)] == [200, 429, 429]
    assert _count("rey_http_requests_total", **limited) == before + 2


@pytest.mark.parametrize("address", ["203.0.113.7", "10.1.2.3", "2001:db8::1"])
def test_metrics_are_not_found_from_outside_the_monitoring_networks(app, address):
    client = app.test_client()
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 404
    assert b"rey_" not in response.data


@pytest.mark.config(METRICS_NETWORKS=())
def test_an_empty_monitoring_network_list_shows_metrics_to_no_one(client):
    assert client.get("/metrics").status_code == 404


def _wrong_code(secret: str, now) -> str:
    valid = {pyotp.TOTP(secret).at(now + timedelta(seconds=30 * step)) for step in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)


def test_refused_staff_sign_ins_are_counted_by_why(app, client):
    reasons = ("unknown_account", "disabled_account", "locked", "wrong_password", "wrong_code")
    before = {r: _count("rey_sign_ins_refused_total", reason=r) for r in reasons}
    locked_before = _count("rey_accounts_locked_total")
    policy = LoginPolicy(max_failures=2)
    now = utcnow()

    def refused(attempt) -> str:
        with pytest.raises(LoginRefused) as caught:
            attempt()
        return caught.value.reason

    with app.app_context():
        make_user("officer.a")
        make_user("officer.gone").is_active = False
        with_code = make_user("officer.b")
        secret = two_factor.new_secret()
        two_factor.enable(with_code, secret, pyotp.TOTP(secret).at(now), now, password="correct horse 42")
        db.session.commit()
        seen = [
            refused(lambda: authenticate("nobody", "whatever 123", now=now, policy=policy)),
            refused(lambda: authenticate("officer.gone", "correct horse 42", now=now, policy=policy)),
            refused(lambda: authenticate("officer.a", "wrong horse 42", now=now, policy=policy)),
            refused(lambda: authenticate("officer.a", "wrong horse 43", now=now, policy=policy)),  # locks it
            refused(lambda: authenticate("officer.a", "correct horse 42", now=now, policy=policy)),
            refused(lambda: authenticate_code(with_code, _wrong_code(secret, now), now=now, policy=policy)),
        ]
    assert seen == ["unknown_account", "disabled_account", "wrong_password", "wrong_password", "locked",
                    "wrong_code"]
    scraped = _scraped(client)
    for reason, times in {"unknown_account": 1, "disabled_account": 1, "wrong_password": 2, "locked": 1,
                          "wrong_code": 1}.items():
        assert scraped[("rey_sign_ins_refused_total", (("reason", reason),))] == before[reason] + times
    assert scraped[("rey_accounts_locked_total", ())] == locked_before + 1
