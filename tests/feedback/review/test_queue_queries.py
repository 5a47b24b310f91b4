"""The queue page costs a fixed number of queries, however many cases it shows (no query per row)."""

import itertools
import re

from support import csrf_token_from, sql_sent
from factories import make_case, make_center, make_user
from feedback.extensions import db

PASSWORD = "correct horse 42"
_numbers = itertools.count(1)


def _add_cases(n: int) -> None:
    """Cases that share nothing: each its own center, service and assignee, so nothing is cached."""
    for _ in range(n):
        i = next(_numbers)
        center = make_center(f"center-n{i}", region="Bakı")
        officer = make_user(f"officer.n{i}", centers=[center])
        case = make_case(center, comment=f"Növbə uzun idi {i}", service_id=center.services[0].id)
        case.assignee_id = officer.id
        db.session.commit()


def _statements_sent(app, send) -> tuple[int, object]:
    with app.app_context():
        engine = db.engine
    with sql_sent(engine) as seen:
        response = send()
    return len(seen["statements"]), response


def test_a_queue_page_costs_the_same_queries_for_3_or_15_cases(app, client):
    with app.app_context():
        make_user("sup.all", "supervisor")  # no region: every center, so every case is visible
        _add_cases(3)
    token = csrf_token_from(client.get("/review/login?lang=en").get_data(as_text=True))
    client.post("/review/login?lang=en", data={"csrf_token": token, "username": "sup.all", "password": PASSWORD})

    few, first = _statements_sent(app, lambda: client.get("/review/?lang=en"))
    with app.app_context():
        _add_cases(12)
    many, second = _statements_sent(app, lambda: client.get("/review/?lang=en"))

    assert first.status_code == second.status_code == 200
    html = second.get_data(as_text=True)
    # Every row shows its case's center, service, submission and assignee ...
    assert len(re.findall(r'/review/cases/\d+"', html)) == 15
    assert len(re.findall(r"<td>center-n\d+ center</td>", html)) == 15
    assert html.count("<td>passport (en)</td>") == 15 and html.count("Növbə uzun idi") == 15
    assert len(re.findall(r"<td>officer\.n\d+</td>", html)) == 15
    # ... and none of it cost a query of its own.
    assert many == few, f"{few} queries for 3 cases but {many} for 15"
