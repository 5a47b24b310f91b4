"""The case page: a button on a page loaded before a colleague's change does not undo it."""

import re

import sqlalchemy as sa

from support import csrf_token_from, login_as
from factories import make_case, make_center, make_user
from feedback.extensions import db
from feedback.models import Case, CaseEvent, CaseStatus, EventKind


def _case_with_two_officers(app):
    with app.app_context():
        center = make_center("baku-1")
        make_user("officer.a", centers=[center])
        make_user("officer.b", centers=[center])
        case = make_case(center)
        return case.id, case.submission.reference


def test_a_stale_status_button_does_not_reopen_a_case_a_colleague_resolved(app, client):
    case_id, reference = _case_with_two_officers(app)
    colleague = app.test_client()
    login_as(client, "officer.a")
    login_as(colleague, "officer.b")
    url = f"/review/cases/{case_id}"
    page = client.get(f"{url}?lang=en").get_data(as_text=True)  # "new": its buttons include In progress
    assert 'name="seen" value="new"' in page
    token = csrf_token_from(page)
    other_token = csrf_token_from(colleague.get(url).get_data(as_text=True))
    colleague.post(f"{url}/status", data={"csrf_token": other_token, "to": "in_progress", "seen": "new"})
    colleague.post(f"{url}/resolve", data={"csrf_token": other_token, "category": "waiting_time",
                                           "message": "We opened a second desk."})

    stale = client.post(f"{url}/status?lang=en", data={"csrf_token": token, "to": "in_progress", "seen": "new"},
                        follow_redirects=True)
    assert "A colleague changed this case meanwhile: it is now “Resolved”." in stale.get_data(as_text=True)
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.status == CaseStatus.resolved and case.resolution_message == "We opened a second desk."
        moves = db.session.scalars(sa.select(CaseEvent.detail).where(
            CaseEvent.case_id == case_id, CaseEvent.kind == EventKind.status_changed)).all()
    assert [m["to"] for m in moves] == ["in_progress", "resolved"]
    assert "We opened a second desk." in client.get(f"/status/{reference}?lang=en").get_data(as_text=True)

    # The page loaded now shows "Resolved" and may reopen it on purpose.
    fresh = client.get(url).get_data(as_text=True)
    assert 'name="seen" value="resolved"' in fresh
    client.post(f"{url}/status", data={"csrf_token": token, "to": "in_progress", "seen": "resolved"})
    with app.app_context():
        assert db.session.get(Case, case_id).status == CaseStatus.in_progress
    reopened = client.get(f"{url}?lang=en").get_data(as_text=True)
    assert "Earlier message for the citizen, before the case was reopened" in reopened


def test_a_status_form_without_what_it_saw_still_works_and_a_forged_one_is_refused(app, client):
    """A page served before the check sends no "seen"; nonsense in it is a form error, not a 500."""
    case_id, _reference = _case_with_two_officers(app)
    login_as(client, "officer.a")
    url = f"/review/cases/{case_id}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    forged = client.post(f"{url}/status", data={"csrf_token": token, "to": "in_progress", "seen": "<b>"})
    assert forged.status_code == 303
    with app.app_context():
        assert db.session.get(Case, case_id).status == CaseStatus.new
    client.post(f"{url}/status", data={"csrf_token": token, "to": "in_progress"})
    with app.app_context():
        assert db.session.get(Case, case_id).status == CaseStatus.in_progress


def test_the_trail_and_the_reasons_speak_the_pages_language(app, client):
    """The stored codes (status_changed, low_rating, a verdict's True) never show through."""
    case_id, _reference = _case_with_two_officers(app)
    login_as(client, "officer.a")
    url = f"/review/cases/{case_id}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    client.post(f"{url}/status", data={"csrf_token": token, "to": "in_progress"})
    client.post(f"{url}/label", data={"csrf_token": token, "verdict": "complaint"})
    client.post(f"{url}/resolve", data={"csrf_token": token, "category": "waiting_time", "message": "Bağışlayın."})
    expected = {
        "az": ["aşağı qiymət", "açıldı", "status dəyişdi", "təyin edildi", "qərar", "Həqiqi şikayət",
               "mesajla həll edildi", "Gözləmə müddəti"],
        "en": ["low rating", "status changed", "A real complaint", "resolved with a message", "Waiting time"],
        "ru": ["низкая оценка", "открыто", "статус изменён", "назначено", "вердикт", "Настоящая жалоба",
               "решено с сообщением", "Время ожидания"],
    }
    for lang in ("az", "ru", "en"):
        page = client.get(f"{url}?lang={lang}").get_data(as_text=True)
        shown = page.split('class="reasons"', 1)[1].split("</main>", 1)[0]
        codes = ["status_changed", "labelled", "low_rating", "waiting_time", "True"]
        if lang != "en":  # words of the English page
            codes += ["opened", "assigned"]
        for code in codes:
            assert not re.search(rf"\b{code}\b", shown), f"{lang}: {code}"
        for words in expected[lang]:
            assert words in shown, f"{lang}: {words}"
