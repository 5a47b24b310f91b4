"""The admin page for a citizen's request to erase what they wrote: admins only; find by reference
without showing the text; erase; the log, the case page and the languages."""

import sqlalchemy as sa

from support import csrf_token_from, login_admin, login_as
from factories import make_case, make_center, make_user
from feedback.extensions import db
from feedback.models import AdminAction, AdminEvent, Submission

COMMENT = "Operator Əliyev mənə kobud danışdı, nömrəm [telefon]"


def _case(app):
    with app.app_context():
        center = make_center("baku-1")
        make_user("officer.1", "officer", centers=[center])
        case = make_case(center, comment=COMMENT, contact="+994 50 123 45 67", is_contact_consented=True)
        return case.submission.reference, case.id


def _stored(app, reference):
    with app.app_context():
        return db.session.scalar(sa.select(Submission).where(Submission.reference == reference))


def test_only_admins_may_erase(app, client):
    reference, _case_id = _case(app)
    login_as(client, "officer.1")
    assert client.get(f"/admin/erasure?reference={reference}").status_code == 403
    token = csrf_token_from(client.get("/review/account/password").get_data(as_text=True))
    assert client.post(f"/admin/erasure/{reference}", data={"csrf_token": token}).status_code == 403
    assert _stored(app, reference).comment == COMMENT


def test_an_admin_finds_the_feedback_erases_it_and_the_case_says_so(app, client):
    reference, case_id = _case(app)
    login_admin(app, client)
    typed = reference.lower().replace("-", " ")  # as read out over the phone
    found = client.get(f"/admin/erasure?lang=en&reference={typed}")
    page = found.get_data(as_text=True)
    assert found.status_code == 200 and f"Feedback {reference}" in page
    assert f"{len(COMMENT)} characters" in page and "kept" in page
    assert "Əliyev" not in page and "+994" not in page, "an administrator sees no case's text"
    erased = client.post(f"/admin/erasure/{reference}?lang=en", data={"csrf_token": csrf_token_from(page)})
    assert erased.status_code == 303
    after = client.get(erased.headers["Location"]).get_data(as_text=True)
    assert f"The contact details and comment of {reference} were erased" in after
    assert "This feedback holds no contact details or comment." in after
    stored = _stored(app, reference)
    assert (stored.comment, stored.comment_masked, stored.contact, stored.rating) == ("", "", None, 1)
    with app.app_context():
        logged = db.session.execute(sa.select(AdminEvent.action, AdminEvent.actor_name, AdminEvent.subject)).all()
    assert logged == [(AdminAction.personal_data_erased, "admin.1", reference)]
    # The officer following the case sees why the comment is gone.
    officer = app.test_client()
    login_as(officer, "officer.1")
    case_page = officer.get(f"/review/cases/{case_id}?lang=en").get_data(as_text=True)
    assert "The citizen's comment and contact details were erased at their request." in case_page
    assert "contact details and comment erased at the citizen's request" in case_page


def test_an_unknown_or_malformed_reference_is_explained(app, client):
    _case(app)
    token = login_admin(app, client)
    for typed in ("2222-2222", "not a reference", "x" * 40):
        response = client.get(f"/admin/erasure?lang=en&reference={typed}")
        assert response.status_code == 404
        assert "No feedback has this reference." in response.get_data(as_text=True)
    too_long = client.get(f"/admin/erasure?lang=en&reference={'x' * 41}")
    assert too_long.status_code == 400 and "Field cannot be longer than 40 characters." in too_long.get_data(as_text=True)
    gone = client.post("/admin/erasure/2222-2222?lang=en", data={"csrf_token": token})
    assert gone.status_code == 303
    assert "No feedback has this reference." in client.get(gone.headers["Location"]).get_data(as_text=True)


def test_the_page_speaks_azerbaijani_and_russian(app, client):
    login_admin(app, client)
    assert "<h1>Şəxsi məlumatları silmək</h1>" in client.get("/admin/erasure?lang=az").get_data(as_text=True)
    assert "<h1>Удаление персональных данных</h1>" in client.get("/admin/erasure?lang=ru").get_data(as_text=True)
