"""Admin pages for kiosks and posters: only admins, register/revoke tablets, download posters."""

import io
import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext
from pypdf import PdfReader

from support import csrf_token_from, once_from
from factories import make_center
from feedback.auth import hash_password
from feedback.extensions import db
from feedback.models import AdminAction, AdminEvent, Center, Kiosk, Role, User


def _login(app, client, role=Role.admin):
    with app.app_context():
        db.session.add(User(username=f"{role}-user", password_hash=hash_password("correct horse 42"), role=role))
        db.session.commit()
    html = client.get("/review/login?lang=en").get_data(as_text=True)
    response = client.post("/review/login?lang=en", data={
        "csrf_token": csrf_token_from(html), "username": f"{role}-user", "password": "correct horse 42"})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]


@pytest.fixture
def center_id(app):
    with app.app_context():
        center = make_center("baku-1")
        center.names = {"az": "Bakı 1 saylı mərkəz", "ru": "Центр Баку 1", "en": "Baku 1 center"}
        db.session.commit()
        return center.id


@pytest.fixture
def admin(app, client, center_id):
    _login(app, client)
    return client


def _add_kiosk(client, center_id, desk="12", **extra):
    html = client.get("/admin/kiosks?lang=en").get_data(as_text=True)
    return client.post("/admin/kiosks?lang=en", data={
        "csrf_token": csrf_token_from(html), "once": once_from(html), "center": str(center_id), "desk": desk,
        "label": "Door", **extra})


def test_reloading_the_page_with_the_code_adds_no_second_kiosk(app, admin, center_id):
    html = admin.get("/admin/kiosks?lang=en").get_data(as_text=True)
    fields = {"csrf_token": csrf_token_from(html), "once": once_from(html), "center": str(center_id), "desk": "7"}
    assert admin.post("/admin/kiosks?lang=en", data=fields).status_code == 200
    again = admin.post("/admin/kiosks?lang=en", data=fields)  # the browser's "send the form again"
    assert again.status_code == 303
    assert "That form had already added a kiosk" in admin.get(again.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Kiosk)) == 1
    assert _add_kiosk(admin, center_id, desk="8").status_code == 200, "the next form shown adds the next one"


def test_kiosk_forms_open_in_two_tabs_add_a_kiosk_each(app, admin, center_id):
    pages = [admin.get("/admin/kiosks?lang=en").get_data(as_text=True) for _ in range(2)]
    for html, desk in zip(pages, ("7", "8")):
        fields = {"csrf_token": csrf_token_from(html), "once": once_from(html), "center": str(center_id), "desk": desk}
        assert admin.post("/admin/kiosks?lang=en", data=fields).status_code == 200, desk
    # A form this session never showed adds nothing, and is not said to have added one.
    html = pages[0]
    sent = admin.post("/admin/kiosks?lang=en", data={"csrf_token": csrf_token_from(html), "once": "forged",
                                                     "center": str(center_id), "desk": "9"})
    listed = admin.get(sent.headers["Location"]).get_data(as_text=True)
    assert "too old to be sent, so no kiosk was added" in listed and "had already added" not in listed
    with app.app_context():
        assert sorted(db.session.scalars(sa.select(Kiosk.desk))) == ["7", "8"]


def test_kiosk_and_poster_pages_are_for_admins_only(app, client, center_id):
    assert client.get("/admin/kiosks").status_code in (302, 401)
    _login(app, client, role=Role.officer)
    assert client.get("/admin/kiosks").status_code == 403
    assert client.get("/admin/posters/baku-1.pdf").status_code == 403


def test_admin_registers_a_tablet_that_then_takes_ratings(app, admin, center_id):
    page = _add_kiosk(admin, center_id)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    code = re.search(r'aria-label="Registration code">([2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4})<', html).group(1)
    assert f"/kiosk/register?code={code}" in html
    tablet = app.test_client()
    form = tablet.get(f"/kiosk/register?code={code}").get_data(as_text=True)
    registered = tablet.post("/kiosk/register", data={"csrf_token": csrf_token_from(form), "code": code.lower()})
    assert registered.status_code == 303 and registered.headers["Location"].endswith("/kiosk/baku-1/12")
    assert tablet.get("/kiosk/baku-1/12").status_code == 200
    listing = admin.get("/admin/kiosks?lang=en").get_data(as_text=True)
    assert "in use" in listing and "Door" in listing


def test_bad_kiosk_form_is_a_message_not_a_kiosk(app, admin, center_id):
    response = _add_kiosk(admin, center_id, desk="12 <b>")
    assert response.status_code == 400 and "letters, digits and dashes" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Kiosk)) == 0


def test_revoking_from_the_admin_page_stops_the_tablet(app, admin, center_id):
    html = _add_kiosk(admin, center_id).get_data(as_text=True)
    code = re.search(r'aria-label="Registration code">([^<]+)<', html).group(1)
    tablet = app.test_client()
    form = tablet.get("/kiosk/register").get_data(as_text=True)
    tablet.post("/kiosk/register", data={"csrf_token": csrf_token_from(form), "code": code})
    with app.app_context():
        kiosk_id = db.session.scalar(sa.select(Kiosk.id))
    listing = admin.get("/admin/kiosks").get_data(as_text=True)
    response = admin.post(f"/admin/kiosks/{kiosk_id}/revoke", data={"csrf_token": csrf_token_from(listing)})
    assert response.status_code == 303
    assert tablet.get("/kiosk/baku-1/12").status_code == 403
    with app.app_context():
        logged = db.session.execute(sa.select(AdminEvent.action, AdminEvent.actor_name, AdminEvent.subject)
                                    .order_by(AdminEvent.id)).all()
    assert logged == [(AdminAction.kiosk_added, "admin-user", "baku-1 · 12"),
                      (AdminAction.kiosk_revoked, "admin-user", "baku-1 · 12")]


def test_a_new_code_moves_the_kiosk_to_another_tablet(app, admin, center_id):
    html = _add_kiosk(admin, center_id).get_data(as_text=True)
    first_code = re.search(r'aria-label="Registration code">([^<]+)<', html).group(1)
    old_tablet, new_tablet = app.test_client(), app.test_client()
    for tablet, code in ((old_tablet, first_code),):
        form = tablet.get("/kiosk/register").get_data(as_text=True)
        tablet.post("/kiosk/register", data={"csrf_token": csrf_token_from(form), "code": code})
    with app.app_context():
        kiosk_id = db.session.scalar(sa.select(Kiosk.id))
    listing = admin.get("/admin/kiosks").get_data(as_text=True)
    html = admin.post(f"/admin/kiosks/{kiosk_id}/code", data={"csrf_token": csrf_token_from(listing)}).get_data(as_text=True)
    second_code = re.search(r'aria-label="Registration code">([^<]+)<', html).group(1)
    form = new_tablet.get("/kiosk/register").get_data(as_text=True)
    new_tablet.post("/kiosk/register", data={"csrf_token": csrf_token_from(form), "code": second_code})
    assert new_tablet.get("/kiosk/baku-1/12").status_code == 200
    assert old_tablet.get("/kiosk/baku-1/12").status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(AdminEvent.action).order_by(AdminEvent.id.desc()).limit(1)) \
            == AdminAction.kiosk_code_renewed


@pytest.mark.config(PUBLIC_BASE_URL="https://rey.example.az")
def test_desk_poster_is_an_a4_pdf_with_the_address_and_all_three_languages(app, admin):
    response = admin.get("/admin/posters/baku-1.pdf?desk=12")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert 'filename="rey-baku-1-desk-12.pdf"' in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    (page,) = reader.pages
    width_mm, height_mm = (float(v) / 72 * 25.4 for v in (page.mediabox.width, page.mediabox.height))
    assert round(width_mm) == 210 and round(height_mm) == 297
    text = page.extract_text()
    assert "rey.example.az/c/baku-1?desk=12" in text
    # The font must carry Azerbaijani letters and Cyrillic, not boxes.
    assert "Bakı 1 saylı mərkəz" in text and "Центр Баку 1" in text
    fonts = [font.get_object()["/BaseFont"] for font in page["/Resources"]["/Font"].values()]
    assert all("DejaVuSans" in name for name in fonts)
    titles = set()
    for language in ("az", "ru", "en"):
        with app.test_request_context(), force_locale(language):
            titles.add(gettext("Rate your visit"))
            assert gettext("Rate your visit") in text and gettext("Desk %(desk)s", desk="12") in text
    assert len(titles) == 3, "the poster must speak all three languages, not English three times"


def test_the_qr_code_encodes_the_survey_address(admin, app):
    # Decoding needs a camera library we do not have; instead the PNG must equal segno's own
    # rendering of the expected address, which it would not for any other text.
    import segno

    response = admin.get("/admin/posters/baku-1.png?desk=7")
    assert response.mimetype == "image/png"
    expected = io.BytesIO()
    segno.make("http://127.0.0.1:5000/c/baku-1?desk=7", error="m").save(expected, kind="png", scale=10, border=4)
    assert response.data == expected.getvalue()


def test_poster_page_lists_centers_and_bad_desks_are_refused(admin):
    page = admin.get("/admin/posters?lang=en").get_data(as_text=True)
    assert "/admin/posters/baku-1.pdf" in page and "127.0.0.1:5000/c/baku-1" in page
    assert admin.get("/admin/posters/baku-1.pdf?desk=<script>").status_code == 400
    assert admin.get("/admin/posters/nowhere.pdf").status_code == 404


@pytest.mark.config(POSTER_FONT_DIR="/nonexistent")
def test_a_missing_font_is_a_clear_error_not_a_500(admin):
    response = admin.get("/admin/posters/baku-1.pdf?lang=en")
    assert response.status_code == 503 and "fonts-dejavu-core" in response.get_data(as_text=True)
    # In the page's language, and without the server's folders (they go to the log).
    page = admin.get("/admin/posters/baku-1.pdf?lang=az").get_data(as_text=True)
    assert "Plakatlar" in page and "fonts-dejavu-core" in page and "/nonexistent" not in page


def test_held_back_bursts_are_reported_on_the_kiosk_list(app, admin, center_id):
    from factories import make_kiosk
    from feedback.models import KioskTap

    with app.app_context():
        kiosk_id, _ = make_kiosk(db.session.get(Center, center_id), "4")
        db.session.add_all([KioskTap(kiosk_id=kiosk_id, rating=1, comment_digest="x", is_held=True)
                            for _ in range(3)])
        db.session.commit()
    listing = admin.get("/admin/kiosks?lang=en").get_data(as_text=True)
    assert '<strong class="error">3</strong>' in listing
