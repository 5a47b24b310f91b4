"""The page's language: from the URL or the switcher, then the remembered choice, then Accept-Language;
names, validation messages, dates and numbers follow it."""

from __future__ import annotations

import re

import pytest

from support import csrf_token_from
from factories import make_center
from feedback.extensions import db
from feedback.services.demo import seed_demo_centers


@pytest.fixture
def demo(app):
    with app.app_context():
        seed_demo_centers()
        db.session.commit()


def _h1(html: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", html, re.S).group(1).strip()


def test_azerbaijani_is_the_default(client, demo):
    html = client.get("/c/baku-1").get_data(as_text=True)
    assert '<html lang="az">' in html
    assert _h1(html) == "Ziyarətiniz necə keçdi?"
    assert "Bakı 1 saylı xidmət mərkəzi" in html and "Ümumvətəndaş pasportu" in html


def test_accept_language_chooses_russian(client, demo):
    html = client.get("/c/baku-1", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="ru">' in html and _h1(html) == "Как прошёл ваш визит?"
    assert "Бакинский центр обслуживания №1" in html and "Общегражданский паспорт" in html


def test_the_url_beats_accept_language_and_is_remembered(client, demo):
    html = client.get("/c/baku-1?lang=en", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert _h1(html) == "How was your visit?" and "Baku Service Center No. 1" in html
    # The cookie set by the switcher's link keeps English on the next page without ?lang.
    html = client.get("/", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert '<html lang="en">' in html and "Rate your visit" in html


def test_an_unknown_language_falls_back(client, demo):
    html = client.get("/c/baku-1?lang=xx", headers={"Accept-Language": "de, ru;q=0.5"}).get_data(as_text=True)
    assert '<html lang="ru">' in html


def test_an_unknown_language_in_the_url_keeps_the_one_chosen_before(client, demo):
    client.get("/c/baku-1?lang=ru")
    html = client.get("/c/baku-1?lang=de", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="ru">' in html
    assert client.get_cookie("rey_lang").value == "ru"


@pytest.mark.parametrize("written", ["RU", "ru-RU", "ru_ru"])
def test_a_language_written_another_way_is_understood_and_remembered(client, demo, written):
    html = client.get(f"/c/baku-1?lang={written}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="ru">' in html
    assert client.get_cookie("rey_lang").value == "ru"


def test_the_switcher_keeps_the_desk_and_service_of_the_qr_code(client, demo):
    html = client.get("/c/baku-1?service=passport&desk=7&lang=az").get_data(as_text=True)
    links = re.findall(r'<a href="([^"]+)" lang="(\w\w)" hreflang', html)
    assert {lang for _, lang in links} == {"ru", "en"}
    for href, lang in links:
        href = href.replace("&amp;", "&")
        assert f"lang={lang}" in href and "service=passport" in href and "desk=7" in href


@pytest.mark.parametrize("path", ["/", "/status", "/review/login", "/c/baku-1"])
def test_query_parameters_named_like_url_parts_are_kept_as_they_are(client, demo, path):
    """The switcher's links keep every query parameter; none is taken for part of the page's address."""
    query = "endpoint=x&_method=DELETE&_external=1&center_code=other&lang=ru"
    response = client.get(f"{path}?{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    links = [href.replace("&amp;", "&") for href, _ in re.findall(r'<a href="([^"]+)" lang="(\w\w)" hreflang', html)]
    assert len(links) == 2
    for href in links:
        assert href.startswith(path + "?") and "endpoint=x" in href and "_method=DELETE" in href
        assert "center_code=other" in href and "lang=ru" not in href


@pytest.mark.parametrize(
    ("language", "message"),
    [("az", "Lütfən, 1-dən 5-ə qədər qiymət seçin."), ("ru", "Выберите оценку от 1 до 5."),
     ("en", "Please choose a rating from 1 to 5.")],
)
def test_validation_messages_are_in_the_page_language(client, demo, language, message):
    html = client.get(f"/c/baku-1?lang={language}").get_data(as_text=True)
    response = client.post(f"/c/baku-1?lang={language}", data={"csrf_token": csrf_token_from(html)})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("language", "limit"), [("az", "2.000"), ("ru", "2\u00a0000"), ("en", "2,000")]
)
def test_numbers_are_formatted_per_locale(client, demo, language, limit):
    html = client.get(f"/c/baku-1?lang={language}").get_data(as_text=True)
    hint = re.search(r'id="comment-count"[^>]*>([^<]+)<', html).group(1)
    assert limit in hint


@pytest.mark.parametrize(
    ("language", "received"),
    [("az", "27 noyabr 2026, 00:05"), ("ru", "27 ноября 2026\u202fг. в 00:05"),
     ("en", "November 27, 2026 at 12:05\u202fAM")],
)
def test_dates_are_formatted_per_locale(app, client, language, received):
    from datetime import datetime, timezone

    from factories import make_submission

    with app.app_context():
        center = make_center("baku-9")
        submission = make_submission(center, created_dt=datetime(2026, 11, 26, 20, 5, tzinfo=timezone.utc))
        reference = submission.reference
    html = client.get(f"/c/baku-9/thanks/{reference}?lang={language}").get_data(as_text=True)
    # 20:05 UTC is 00:05 the next day in Baku (UTC+4).
    assert received in html


def test_a_crafted_post_gets_only_azerbaijani_messages(client, demo):
    # WTForms' own messages have no Azerbaijani catalogue: none of them may reach an az page.
    html = client.get("/c/baku-1?lang=az").get_data(as_text=True)
    response = client.post("/c/baku-1?lang=az", data={
        "csrf_token": csrf_token_from(html), "rating": "abc", "waiting_rating": "9.5",
        "desk": "d" * 30, "service": "s" * 50,
    })
    assert response.status_code == 400
    errors = re.findall(r'class="error"[^>]*>([^<]*)<', response.get_data(as_text=True))
    assert "Qiymət 1-dən 5-ə qədər tam ədəd olmalıdır." in errors
    assert "Xidməti siyahıdan seçin." in errors
    assert not [e for e in errors if re.search(r"\b(not|valid|field|must|the)\b", e, re.I)]


@pytest.mark.parametrize(("language", "average"), [("az", "3,50"), ("ru", "3,50"), ("en", "3.50")])
def test_dashboard_figures_use_the_locale_decimal_separator(app, client, language, average):
    from datetime import datetime, timedelta, timezone

    from factories import make_submission
    from feedback.auth import hash_password
    from feedback.models import Role, User

    with app.app_context():
        center = make_center("baku-1")
        for rating in (3, 4):
            make_submission(center, rating=rating, created_dt=datetime.now(timezone.utc) - timedelta(days=1))
        db.session.add(User(username="boss", password_hash=hash_password("correct horse 42"),
                            role=Role.supervisor))
        db.session.commit()
    html = client.get("/review/login").get_data(as_text=True)
    client.post("/review/login", data={"csrf_token": csrf_token_from(html), "username": "boss",
                                       "password": "correct horse 42"})
    page = client.get(f"/dashboard/?lang={language}").get_data(as_text=True)
    assert re.search(rf'data-kpi="average_rating">\s*{re.escape(average)}\s*<', page)


@pytest.mark.parametrize(("language", "required", "too_long"), [
    ("az", "Bu sahəni doldurun.", "Ən çoxu 40 simvol yazmaq olar."),
    ("ru", "Заполните это поле.", "Не более 40 символов."),
    ("en", "This field is required.", "Field cannot be longer than 40 characters."),
])
def test_staff_forms_give_wtforms_own_messages_in_the_page_language(client, language, required, too_long):
    """WTForms has no Azerbaijani catalogue; the staff forms take its messages from ours."""
    page = client.get(f"/review/login?lang={language}").get_data(as_text=True)
    token = csrf_token_from(page)
    empty = client.post(f"/review/login?lang={language}", data={"csrf_token": token, "username": "", "password": ""})
    assert empty.status_code == 400 and required in empty.get_data(as_text=True)
    long = client.post(f"/review/login?lang={language}", data={"csrf_token": token, "username": "u" * 41, "password": "p"})
    assert long.status_code == 400 and too_long in long.get_data(as_text=True)


def test_translated_text_outside_a_request_uses_the_default_language(app):
    """CLI commands and domain functions run without a request; they must not crash on gettext."""
    from flask_babel import gettext

    with app.app_context():
        assert gettext("Thank you for your feedback!") == "Rəyiniz üçün təşəkkür edirik!"
