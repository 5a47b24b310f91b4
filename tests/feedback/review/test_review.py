"""The officers' pages through the client: login, scope, masking, workflow, queue, status page, CLI."""

import re
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from support import csrf_token_from, login_as
from factories import make_case, make_center, make_user
from feedback.auth import verify_password
from feedback.extensions import db
from feedback.models import Case, CaseEvent, CaseStatus, EventKind, User
from feedback.models._types import utcnow
from feedback.services import cases as case_service
from feedback.services.triage import TriageRules

PASSWORD = "correct horse 42"


def login(client, username, password=PASSWORD):
    token = csrf_token_from(client.get("/review/login?lang=en").get_data(as_text=True))
    return client.post("/review/login?lang=en", data={"csrf_token": token, "username": username, "password": password})


@pytest.fixture
def world(app):
    with app.app_context():
        a = make_center("center-a", region="Bakı")
        b = make_center("center-b", region="Gəncə")
        ids = {
            "a": make_case(a, comment="Zəng edin +994 50 123 45 67, növbə uzun idi",
                           contact="+994 50 123 45 67", is_contact_consented=True).id,
            "b": make_case(b).id,
            "restricted": make_case(a, comment="rüşvət istədi", restricted=True).id,
        }
        db.session.execute(sa.update(Case).where(Case.id == ids["a"]).values(center_id=a.id))
        from feedback.models import Submission
        sub = db.session.get(Case, ids["a"]).submission
        sub.comment_masked = "Zəng edin [phone], növbə uzun idi"
        make_user("officer.a", centers=[a])
        make_user("sup.baku", "supervisor", region="Bakı")
        make_user("integrity.1", "integrity")
        make_user("admin.1", "admin")
        db.session.commit()
        assert Submission
    return ids


def test_login_logout_and_wrong_password(client, world):
    assert client.get("/review/").status_code == 302  # not logged in: to the login page
    wrong = login(client, "officer.a", "nope")
    assert wrong.status_code == 401 and "not right" in wrong.get_data(as_text=True)
    assert login(client, "officer.a").status_code == 302
    assert client.get("/review/").status_code == 200
    token = csrf_token_from(client.get("/review/").get_data(as_text=True))
    assert client.post("/review/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/review/").status_code == 302


@pytest.mark.config(LOGIN_MAX_FAILURES=3)
def test_lockout_over_http(client, world):
    for _ in range(3):
        login(client, "officer.a", "wrong-password")
    locked = login(client, "officer.a")
    assert locked.status_code == 401 and "locked" in locked.get_data(as_text=True)


@pytest.mark.parametrize("username, visible", [
    ("officer.a", {"a"}), ("sup.baku", {"a"}), ("integrity.1", {"restricted"}),
])
def test_each_role_sees_its_cases_and_gets_404_for_others(client, world, username, visible):
    login(client, username)
    for name, case_id in world.items():
        expected = 200 if name in visible else 404
        assert client.get(f"/review/cases/{case_id}").status_code == expected, (username, name)
        assert client.get(f"/review/api/cases/{case_id}").status_code == expected, (username, name)
    queue = client.get("/review/?status=all").get_data(as_text=True)
    for name, case_id in world.items():
        assert (f"/review/cases/{case_id}\"" in queue) == (name in visible)


def test_admin_sees_no_cases_and_officers_no_admin(client, world):
    login(client, "admin.1")
    assert client.get(f"/review/cases/{world['a']}").status_code == 403
    assert client.get("/admin/").status_code == 200
    client2 = client.application.test_client()
    login(client2, "officer.a")
    assert client2.get("/admin/users").status_code == 403


def test_comment_is_masked_and_every_contact_view_is_logged(app, client, world):
    login(client, "officer.a")
    page = client.get(f"/review/cases/{world['a']}?lang=en").get_data(as_text=True)
    assert "[phone]" in page and "123 45 67" not in page
    token = csrf_token_from(page)
    shown = client.post(f"/review/cases/{world['a']}/contact?lang=en", data={"csrf_token": token, "reveal": "1"})
    assert shown.status_code == 200 and "+994 50 123 45 67" in shown.get_data(as_text=True)
    with app.app_context():
        event = db.session.scalar(sa.select(CaseEvent).where(CaseEvent.kind == EventKind.contact_viewed))
        assert event.actor.username == "officer.a" and event.case_id == world["a"]


def test_supervisor_cannot_reveal_contact(app, client, world):
    login(client, "sup.baku")
    page = client.get(f"/review/cases/{world['a']}?lang=en").get_data(as_text=True)
    assert "Show contact details" not in page
    response = client.post(f"/review/cases/{world['a']}/contact?lang=en",
                           data={"csrf_token": csrf_token_from(page), "reveal": "1"}, follow_redirects=True)
    assert "123 45 67" not in response.get_data(as_text=True) and "may not see" in response.get_data(as_text=True)


def test_illegal_transition_is_refused_with_a_message_and_legal_ones_logged(app, client, world):
    login(client, "officer.a")
    url = f"/review/cases/{world['a']}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    refused = client.post(f"{url}/status?lang=en", data={"csrf_token": token, "to": "contacted"}, follow_redirects=True)
    assert refused.status_code == 200 and "cannot become" in refused.get_data(as_text=True)
    client.post(f"{url}/status", data={"csrf_token": token, "to": "in_progress"})
    bad_category = client.post(f"{url}/resolve?lang=en", data={"csrf_token": token, "category": "nope", "message": "x"},
                               follow_redirects=True)
    assert bad_category.status_code == 200 and "Not done" in bad_category.get_data(as_text=True)
    client.post(f"{url}/resolve", data={"csrf_token": token, "category": "waiting_time", "message": "A second desk opened."})
    client.post(f"{url}/label", data={"csrf_token": token, "verdict": "complaint"})
    client.post(f"{url}/notes", data={"csrf_token": token, "text": "Called back."})
    unknown = client.post(f"{url}/assign?lang=en", data={"csrf_token": token, "assignee": "9999"}, follow_redirects=True)
    assert "Unknown colleague" in unknown.get_data(as_text=True)
    with app.app_context():
        case = db.session.get(Case, world["a"])
        assert case.status == CaseStatus.resolved and case.is_complaint_confirmed is True
        assert [e.kind for e in case.events] == ["opened", "status_changed", "assigned", "status_changed",
                                                 "resolution", "labelled", "note"]


def test_two_officers_resolving_one_case_at_once_are_taken_in_turn(app, client, world):
    """The second finds the case resolved, instead of writing its resolution over the first's."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite has one writer at a time; a stale read cannot write at all")
    login(client, "officer.a")
    url = f"/review/cases/{world['a']}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    client.post(f"{url}/status", data={"csrf_token": token, "to": "in_progress"})
    answers = []
    with app.app_context(), db.engine.connect() as first:
        with first.begin():
            # The first officer's request is resolving the case: it holds the row.
            first.execute(sa.select(Case.id).where(Case.id == world["a"]).with_for_update())
            second = threading.Thread(target=lambda: answers.append(client.post(
                f"{url}/resolve?lang=en", data={"csrf_token": token, "category": "other", "message": "Second."},
                follow_redirects=True)))
            second.start()
            second.join(timeout=1)
            assert second.is_alive(), "the second resolution waits for the first"
            first.execute(sa.update(Case).where(Case.id == world["a"]).values(
                status=CaseStatus.resolved, resolution_category="waiting_time", resolution_message="First.",
                closed_dt=utcnow()))
        second.join(timeout=30)
    assert "cannot become" in answers[0].get_data(as_text=True) or "already" in answers[0].get_data(as_text=True)
    with app.app_context():
        case = db.session.get(Case, world["a"])
        assert case.resolution_message == "First."
        assert [e.kind for e in case.events].count("resolution") == 0, "no second resolution in the trail"


def test_bad_input_never_500(client, world):
    login(client, "officer.a")
    assert client.get("/review/cases/999999").status_code == 404
    assert client.post("/review/cases/999999/status", data={"to": "in_progress"}).status_code in (400, 404)
    stale = client.post(f"/review/cases/{world['a']}/status?lang=en", data={"csrf_token": "stale", "to": "in_progress"})
    assert stale.status_code == 400 and "expired" in stale.get_data(as_text=True)
    for query in ("?after=garbage", "?date_from=yesterday", "?center=abc", "?priority=zzz&status=zzz"):
        assert client.get("/review/" + query).status_code in (200, 400)


@pytest.mark.config(QUEUE_PAGE_SIZE=2)
def test_queue_pages_by_due_date_counts_and_marks_overdue(app, client):
    with app.app_context():
        center = make_center("center-q")
        ids = [make_case(center).id for _ in range(5)]
        overdue = db.session.get(Case, ids[3])
        overdue.due_dt = overdue.opened_dt - timedelta(hours=1)
        db.session.commit()
        make_user("officer.q", centers=[center])
    login(client, "officer.q")
    seen, url = [], "/review/?lang=en"
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += [int(i) for i in re.findall(r'/review/cases/(\d+)"', html)]
        assert 'data-status="new">5<' in html
        nxt = html.split('rel="next"')[0].rsplit('href="', 1)[-1].split('"')[0] if 'rel="next"' in html else None
        url = nxt.replace("&amp;", "&") if nxt else None
    assert seen[0] == ids[3] and sorted(seen) == sorted(ids)  # overdue first, each case once
    overdue_page = client.get("/review/?overdue=1&lang=en").get_data(as_text=True)
    assert "Overdue" in overdue_page and f"/review/cases/{ids[3]}\"" in overdue_page
    assert f"/review/cases/{ids[0]}\"" not in overdue_page


def test_password_change_ends_other_sessions(app, client, world):
    other = app.test_client()
    login(client, "officer.a")
    login(other, "officer.a")
    token = csrf_token_from(client.get("/review/account/password").get_data(as_text=True))
    changed = client.post("/review/account/password", data={
        "csrf_token": token, "current_password": PASSWORD, "new_password": "a new long secret 7",
        "confirm": "a new long secret 7"})
    assert changed.status_code == 302
    assert client.get("/review/").status_code == 200
    assert other.get("/review/").status_code == 302


def test_status_page_shows_progress_and_nothing_private(app, client, world):
    with app.app_context():
        case = db.session.get(Case, world["a"])
        reference = case.submission.reference
    page = client.get(f"/status/{reference}?lang=en").get_data(as_text=True)
    assert "Received." in page and "+994" not in page and "[phone]" not in page
    login(client, "officer.a")
    token = csrf_token_from(client.get(f"/review/cases/{world['a']}").get_data(as_text=True))
    client.post(f"/review/cases/{world['a']}/status", data={"csrf_token": token, "to": "in_progress"})
    assert "Under review." in client.get(f"/status/{reference}?lang=en").get_data(as_text=True)
    client.post(f"/review/cases/{world['a']}/resolve",
                data={"csrf_token": token, "category": "waiting_time", "message": "We opened a second desk."})
    resolved = client.get(f"/status/{reference}?lang=en").get_data(as_text=True)
    assert "Resolved." in resolved and "We opened a second desk." in resolved and "uzun" not in resolved
    assert client.get("/status?reference=" + reference.lower().replace("-", "")).status_code == 302
    assert client.get("/status?reference=x").status_code == 400
    assert client.get("/status/ZZZZ-ZZZZ").status_code == 404


@pytest.mark.config(TRIAGE_DUE_HOURS={"urgent": 2, "high": 6, "normal": 12})
def test_a_case_reopened_days_later_is_due_again_and_under_review_for_its_citizen(app, client):
    with app.app_context():
        center = make_center("center-r")
        opened = utcnow() - timedelta(days=10)
        case = make_case(center, created_dt=opened)  # high priority
        officer = make_user("officer.r", centers=[center])
        case_service.transition(case, "in_progress", actor=officer, now=opened, rules=TriageRules())
        case_service.resolve(case, "waiting_time", "We opened a second desk.", actor=officer,
                             now=opened + timedelta(hours=2))  # in time
        db.session.commit()
        case_id, reference = case.id, case.submission.reference
    login(client, "officer.r")
    url = f"/review/cases/{case_id}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    before = utcnow()
    client.post(f"{url}/status", data={"csrf_token": token, "to": "in_progress"})  # the citizen came back
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.status == CaseStatus.in_progress and not case.is_overdue(utcnow())
        assert before + timedelta(hours=6) <= case.due_dt <= utcnow() + timedelta(hours=6)
    assert f'{url}"' not in client.get("/review/?overdue=1&lang=en").get_data(as_text=True)
    # The citizen sees the case worked on again, not the earlier answer.
    reopened = client.get(f"/status/{reference}?lang=en").get_data(as_text=True)
    assert "Under review." in reopened and "Resolved." not in reopened and "second desk" not in reopened
    client.post(f"{url}/resolve", data={"csrf_token": token, "category": "staff_conduct", "message": "We spoke to the staff."})
    resolved = client.get(f"/status/{reference}?lang=en").get_data(as_text=True)
    assert "Resolved." in resolved and "We spoke to the staff." in resolved and "second desk" not in resolved


def test_users_cli_create_list_disable(app, runner):
    with app.app_context():
        make_center("center-c")
    result = runner.invoke(args=["users", "create", "new.officer", "--role", "officer", "--center", "center-c"],
                           input="long enough pw 1\nlong enough pw 1\n")
    assert result.exit_code == 0, result.output
    assert "long enough pw 1" not in result.output  # not echoed
    assert "new.officer" in runner.invoke(args=["users", "list"]).output
    assert runner.invoke(args=["users", "create", "x", "--role", "officer"], input="short\nshort\n").exit_code != 0
    assert runner.invoke(args=["users", "disable", "new.officer"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.username == "new.officer")).is_active is False


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "/\r\n", "/\t/evil.example"])
def test_login_goes_on_only_to_a_page_of_this_site(client, world, target):
    token = csrf_token_from(client.get("/review/login?lang=en").get_data(as_text=True))
    response = client.post("/review/login", query_string={"next": target},
                           data={"csrf_token": token, "username": "officer.a", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/review/"


def test_login_goes_on_to_the_page_asked_for(client, world):
    token = csrf_token_from(client.get("/review/login?lang=en").get_data(as_text=True))
    response = client.post("/review/login", query_string={"next": f"/review/cases/{world['a']}"},
                           data={"csrf_token": token, "username": "officer.a", "password": PASSWORD})
    assert response.headers["Location"] == f"/review/cases/{world['a']}"


@pytest.mark.parametrize("number", ["0", "2147483648", "9223372036854775808"])
def test_ids_no_row_can_have_name_nothing(app, client, world, number):
    """A number past the database's integer names no row: 404 or a form error, never a failed query."""
    login(client, "officer.a")
    assert client.get(f"/review/cases/{number}").status_code == 404
    assert client.get(f"/review/api/cases/{number}").status_code == 404
    token = csrf_token_from(client.get(f"/review/cases/{world['a']}").get_data(as_text=True))
    assert client.post(f"/review/cases/{number}/notes", data={"csrf_token": token, "note": "x"}).status_code == 404
    queue = client.get(f"/review/?lang=en&service={number}")
    assert queue.status_code == 400 and "Unknown service." in queue.get_data(as_text=True)
    assigned = client.post(f"/review/cases/{world['a']}/assign?lang=en",
                           data={"csrf_token": token, "assignee": number}, follow_redirects=True)
    assert assigned.status_code in (200, 400) and "Unknown colleague." in assigned.get_data(as_text=True)
    admin = app.test_client()
    login(admin, "admin.1")
    # /admin/users/0 was the new-account form: the view reads a user id of 0 as none given.
    assert admin.get(f"/admin/users/{number}").status_code == 404
    assert admin.get(f"/admin/centers/{number}").status_code == 404


@pytest.mark.parametrize("digit", ["²", "١", "５"])
def test_digits_of_other_scripts_are_not_ids(client, world, digit):
    """str.isdigit says yes to "²", int() does not."""
    login(client, "officer.a")
    for field, message in (("center", "Unknown center."), ("service", "Unknown service.")):
        queue = client.get(f"/review/?lang=en&{field}={digit}")
        assert queue.status_code == 400 and message in queue.get_data(as_text=True)
    token = csrf_token_from(client.get(f"/review/cases/{world['a']}").get_data(as_text=True))
    assigned = client.post(f"/review/cases/{world['a']}/assign?lang=en",
                           data={"csrf_token": token, "assignee": digit}, follow_redirects=True)
    assert "Unknown colleague." in assigned.get_data(as_text=True)


@pytest.mark.parametrize("query, message", [
    ("date_to=9999-12-31", "Choose a date from 1900 to 2999."),
    ("date_from=0001-01-01", "Choose a date from 1900 to 2999."),
    ("date_from=2026-02-30", "Enter a date as YYYY-MM-DD"),
    # A page cursor naming year 1 at +05:00, which has no UTC time.
    ("after=MDAwMS0wMS0wMVQwMDowMDowMCswNTowMHwx", "That page link is no longer valid"),
])
def test_queue_filters_at_the_ends_of_the_calendar_are_explained(client, world, query, message):
    login(client, "officer.a")
    response = client.get(f"/review/?lang=en&{query}")
    assert response.status_code in (200, 400) and message in response.get_data(as_text=True)


def test_a_query_parameter_named_like_the_path_leaves_the_case_page_alone(client, world):
    login(client, "officer.a")
    response = client.get(f"/review/cases/{world['a']}?case_id=abc&endpoint=x")
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/review/", "/dashboard/"])
def test_filter_links_carry_the_filters_and_nothing_else(client, world, path):
    login(client, "sup.baku")
    response = client.get(f"{path}?lang=en&service=&endpoint=x&_external=1&_anchor=top&zz=1")
    assert response.status_code == 200
    # The language links keep the whole query string (i18n.this_page, which url_for never sees).
    links = re.findall(r'href="([^"]*\?[^"]*)"(?! lang=)', response.get_data(as_text=True))
    assert links and any("lang=en" in link for link in links)
    assert not [link for link in links if re.search(r"endpoint|_external|_anchor|zz=|#top|//localhost", link)]


def _change_password(client, current, new="a new long secret 7", confirm=None):
    token = csrf_token_from(client.get("/review/account/password?lang=az").get_data(as_text=True))
    return client.post("/review/account/password?lang=az", data={
        "csrf_token": token, "current_password": current, "new_password": new, "confirm": confirm or new})


@pytest.mark.config(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="2 per minute")
def test_guessing_the_current_password_is_rate_limited_per_account(app, client, world):
    login(client, "officer.a")
    # A new password refused (the two differ) is no guess at the current one: it does not count.
    assert _change_password(client, PASSWORD, confirm="something else 8").status_code == 400
    assert [_change_password(client, f"guess {n}").status_code for n in range(2)] == [401, 401]
    refused = _change_password(client, PASSWORD)
    assert refused.status_code == 429
    assert "Too many requests" not in refused.get_data(as_text=True), "the 429 page is in the page's language"
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "officer.a"))
        assert verify_password(user.password_hash, PASSWORD), "the refused request changed nothing"
    # The count is the account's: another officer at the same address is not held back.
    other = app.test_client()
    login(other, "sup.baku")
    assert _change_password(other, PASSWORD).status_code == 302


@pytest.mark.config(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="2 per minute")
def test_an_office_behind_one_address_signs_in_freely_while_guesses_are_limited(app, world):
    # Four people signing in from one address: none is a guess, none counts.
    for username in ("officer.a", "sup.baku", "integrity.1", "admin.1"):
        assert login(app.test_client(), username).status_code == 302, username
    guesser = app.test_client()
    assert [login(guesser, "officer.a", f"guess {n}").status_code for n in range(2)] == [401, 401]
    assert login(guesser, "officer.a").status_code == 429, "after two guesses, even the right password waits"
    # Kiosk codes are guessed on a count of their own.
    token = csrf_token_from(guesser.get("/kiosk/register").get_data(as_text=True))
    register = guesser.post("/kiosk/register?lang=en", data={"csrf_token": token, "code": "nonsense"})
    assert register.status_code == 400 and "unknown or has expired" in register.get_data(as_text=True)


def test_signing_out_on_every_other_computer(app):
    """Left signed in at another desk: the officer ends that session from here and goes on."""
    with app.app_context():
        make_user("officer.away", centers=[make_center("c-away")])
    here, there = app.test_client(), app.test_client()
    for client in (here, there):
        login_as(client, "officer.away")
        assert client.get("/review/").status_code == 200
    page = here.get("/review/account/password?lang=en").get_data(as_text=True)
    done = here.post("/review/account/sessions?lang=en", data={"csrf_token": csrf_token_from(page)})
    assert done.status_code == 303
    assert "signed out on every other computer" in here.get(done.headers["Location"]).get_data(as_text=True)
    assert here.get("/review/").status_code == 200, "this session goes on"
    assert there.get("/review/").status_code == 302, "the other one has ended"
    assert here.post("/review/account/sessions").status_code == 400, "not without the CSRF token"


@pytest.mark.config(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="2 per minute")
def test_signing_out_elsewhere_does_not_start_a_fresh_count_of_password_guesses(app, client, world):
    """The count is the account's, not its session id's: "Sign out on every other computer" gives
    the session a new id, and whoever found a desk left signed in could otherwise press it after
    every few guesses at the current password."""
    login(client, "officer.a")
    assert [_change_password(client, f"guess {n}").status_code for n in range(2)] == [401, 401]
    page = client.get("/review/account/password?lang=en").get_data(as_text=True)
    assert client.post("/review/account/sessions", data={"csrf_token": csrf_token_from(page)}).status_code == 303
    assert _change_password(client, "guess 3").status_code == 429
