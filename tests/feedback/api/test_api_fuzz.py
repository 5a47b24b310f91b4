"""Schemathesis fuzzes every operation of /api/v1: against the app in-process (WSGI, many examples),
and over HTTP against the production server, gunicorn with feedback/gunicorn_conf.py and a model.

No input may cause a 5xx, and every response must match the OpenAPI document: status codes,
content types, bodies and headers. A center with services and an API key are seeded, so generated
requests that are valid get past validation and are stored.
"""

from collections import Counter

import pytest
import schemathesis
from schemathesis import GenerationMode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemathesis.checks import positive_data_acceptance

from factories import make_center
from live_server import served, served_database
from support import BACKENDS
from feedback.extensions import db
from feedback.services.api_keys import issue_api_key

pytestmark = pytest.mark.slow

#: Examples per operation; enough to reach the branches of payload validation, under ~1 min in all.
MAX_EXAMPLES = 200
#: Over HTTP each example is a real request to gunicorn: fewer, for what only the server can get
#: wrong (its parsing of headers and bodies, what it adds to or cuts from answers, the worker's model).
LIVE_EXAMPLES = 60
# Left out: "schema-valid data is accepted". The document cannot say which center codes exist, so a
# well-formed body naming an unknown center is rightly refused with 400; every other check runs.


@pytest.fixture
def api_key(app):
    with app.app_context():
        make_center("baku-1")
        issued = issue_api_key("fuzzer", ["visits:create", "exports:read"])
        db.session.commit()
        return issued.secret


def _known_center(args):
    # Random strings almost never name a real center; half the cases name the seeded one so that
    # generated bodies also travel the whole way to storage.
    case, center, service = args
    if center and isinstance(case.body, dict) and "center" in case.body:
        case.body["center"] = center
        if service and "service" in case.body:
            case.body["service"] = service
    return case


def _fuzz(operation, headers, mode: GenerationMode, *, max_examples: int = MAX_EXAMPLES, **call) -> Counter:
    """Send ``max_examples`` generated requests; ``call`` says where (``app=`` or ``base_url=``)."""
    statuses = Counter()
    strategy = operation.as_strategy(mode)
    if mode == GenerationMode.POSITIVE:
        strategy = st.tuples(
            strategy, st.sampled_from([None, "baku-1"]), st.sampled_from([None, "passport"])
        ).map(_known_center)

    @given(case=strategy)
    @settings(max_examples=max_examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        response = case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance], **call)
        statuses[response.status_code] += 1

    run()
    return statuses


def _fuzz_every_operation(schema, api_key, *, max_examples: int = MAX_EXAMPLES, **call) -> dict[str, Counter]:
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/centers", "/feedback", "/visits", "/exports/cases.csv"}
    seen = {}
    for operation in operations:
        keyed = operation.path.startswith(("/visits", "/exports/"))
        headers = {"Authorization": f"Bearer {api_key}"} if keyed else {}
        # Schema-valid requests first, then ones that break the schema on purpose (wrong types,
        # missing fields, extra fields), which must be refused with a documented 4xx.
        seen[operation.path] = _fuzz(operation, headers, GenerationMode.POSITIVE, max_examples=max_examples, **call)
        if operation.method.upper() == "POST" or keyed:
            seen[operation.path] += _fuzz(operation, headers, GenerationMode.NEGATIVE, max_examples=max_examples,
                                          **call)
    # The fuzzing reached both refusals and stored submissions and links.
    assert seen["/feedback"][201] > 0 and seen["/feedback"][400] > 0, seen["/feedback"]
    assert seen["/visits"][201] > 0, seen["/visits"]
    for path in ("/exports/submissions.csv", "/exports/cases.csv"):
        assert seen[path][200] > 0 and seen[path][400] > 0, seen[path]
    return seen


def test_no_input_breaks_the_api_or_its_contract(app, api_key):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    _fuzz_every_operation(schema, api_key, app=app)


def _seed_for_the_live_server():
    return issue_api_key("fuzzer", ["visits:create", "exports:read"]).secret


@pytest.mark.parametrize("backend", BACKENDS)
def test_no_input_breaks_the_production_server_or_the_contract(backend, tmp_path, trained_models_dir):
    """The same over real HTTP, through gunicorn's parser and workers, with the model classifying."""
    with served_database(backend, tmp_path, _seed_for_the_live_server) as (_app, env_url, api_key):
        with served(env_url, tmp_path, models_dir=trained_models_dir) as server:
            schema = schemathesis.openapi.from_url(f"{server.url}/api/v1/openapi.json")
            _fuzz_every_operation(schema, api_key, max_examples=LIVE_EXAMPLES, base_url=f"{server.url}/api/v1")
            log = server.log_path.read_text()
    assert "Traceback" not in log, log[-3000:]
