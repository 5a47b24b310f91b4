"""Kiosk tablets without a browser: registration, one-tap ratings, contact fields, revocation,
the abuse guard, and pages that keep nothing for the next person."""

import logging
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from support import csrf_token_from
from factories import make_center, make_kiosk
from feedback.addresses import networks
from feedback.extensions import db
from feedback.models import Center, Channel, Kiosk, KioskTap, Submission
from feedback.services.kiosks import revoke_kiosk

RATE = "/kiosk/baku-1/5"


@pytest.fixture
def code(app):
    with app.app_context():
        center = make_center("baku-1")
        return make_kiosk(center, "5", label="Entrance")[1]


def _register(client, code):
    page = client.get(f"/kiosk/register?code={code}&lang=en")
    return client.post("/kiosk/register?lang=en", data={"csrf_token": csrf_token_from(page.get_data(as_text=True)),
                                                        "code": code})


@pytest.fixture
def tablet(app, client, code):
    response = _register(client, code)
    assert response.status_code == 303 and response.headers["Location"].endswith(RATE)
    return client


def _tap(client, rating, comment="", **extra):
    html = client.get(RATE + "?lang=en").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(html), "rating": str(rating), "comment": comment,
            "idempotency_key": re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1), **extra}
    return client.post(RATE + "?lang=en", data=data)


def _submissions(app):
    with app.app_context():
        return db.session.scalars(sa.select(Submission).order_by(Submission.id)).all()


def test_an_unregistered_browser_gets_no_kiosk(client, code):
    response = client.get(RATE + "?lang=en")
    assert response.status_code == 403
    assert "not registered" in response.get_data(as_text=True) and 'name="rating"' not in response.get_data(as_text=True)


def test_registration_sets_a_signed_http_only_device_cookie(tablet):
    cookie = tablet.get_cookie("rey_kiosk", path="/kiosk")
    assert cookie is not None and cookie.http_only and "." in cookie.value
    page = tablet.get(RATE + "?lang=en")
    assert page.status_code == 200 and page.get_data(as_text=True).count('name="rating"') == 5


def test_a_registration_code_works_once(app, client, code):
    assert _register(client, code).status_code == 303
    again = _register(app.test_client(), code)
    assert again.status_code == 400 and "unknown or has expired" in again.get_data(as_text=True)


def test_an_expired_registration_code_is_refused(app, client, code):
    with app.app_context():
        kiosk = db.session.scalar(sa.select(Kiosk))
        kiosk.registration_expires_dt = kiosk.created_dt - timedelta(minutes=1)
        db.session.commit()
    assert _register(client, code).status_code == 400


def test_a_forged_cookie_is_refused(client, code):
    client.set_cookie("rey_kiosk", "eyJrIjoxLCJ0IjoieCJ9.forged", path="/kiosk")
    assert client.get(RATE).status_code == 403


def test_one_tap_stores_a_kiosk_rating_with_the_desk_and_thanks(app, tablet):
    response = _tap(tablet, 2, comment="Növbə çox uzun idi")
    assert response.status_code == 303 and response.headers["Location"].endswith(RATE + "/thanks")
    (stored,) = _submissions(app)
    assert stored.channel == Channel.kiosk and stored.desk == "5" and stored.rating == 2
    assert stored.comment == "Növbə çox uzun idi" and not stored.is_verified
    thanks = tablet.get(RATE + "/thanks?lang=en").get_data(as_text=True)
    assert "Thank you" in thanks
    assert f'http-equiv="refresh" content="7;url={RATE}?lang=az"' in thanks and 'data-kiosk-reset-ms="6000"' in thanks
    # The next person starts in the hall's default language, whatever this one chose.
    assert f'data-kiosk-start="{RATE}?lang=az"' in thanks


def test_the_page_keeps_nothing_for_the_next_person(app, tablet):
    _tap(tablet, 1, comment="my private complaint")
    page = tablet.get(RATE + "?lang=en")
    html = page.get_data(as_text=True)
    assert "my private complaint" not in html
    assert 'autocomplete="off"' in html and 'data-kiosk-idle-ms="20000"' in html
    assert "no-store" in page.headers["Cache-Control"]
    assert "no-store" in tablet.get(RATE + "/thanks").headers["Cache-Control"]


@pytest.mark.config(KIOSK_IDLE_SECONDS=1.5)
def test_idle_timeout_comes_from_config(tablet):
    assert 'data-kiosk-idle-ms="1500"' in tablet.get(RATE).get_data(as_text=True)


@pytest.mark.config(KIOSK_REPEAT_SECONDS=5, KIOSK_BURST_PER_MINUTE=4)
def test_taps_held_offline_are_sent_spaced_beyond_what_the_abuse_guard_counts_once(app, tablet):
    """Two people's identical taps, held while the network was down, must not arrive as one repeat
    or as a burst: kiosk.js spaces them as the page says."""
    page = tablet.get(RATE + "?lang=en").get_data(as_text=True)
    gap = int(re.search(r'data-kiosk-gap-ms="(\d+)"', page).group(1)) / 1000
    assert gap > app.config["KIOSK_REPEAT_SECONDS"] and gap > 60 / app.config["KIOSK_BURST_PER_MINUTE"]
    assert "No connection. Your rating will be sent when the connection is back." in page


def test_no_contact_fields_unless_enabled_and_none_stored(app, tablet):
    html = tablet.get(RATE + "?lang=en").get_data(as_text=True)
    assert 'name="contact"' not in html and 'name="consent"' not in html
    _tap(tablet, 3, contact="+994 50 123 45 67", consent="y")
    (stored,) = _submissions(app)
    assert stored.contact is None and not stored.is_contact_consented


def test_contact_fields_when_the_kiosk_enables_them(app, tablet):
    with app.app_context():
        db.session.scalar(sa.select(Kiosk)).is_contact_enabled = True
        db.session.commit()
    page = tablet.get(RATE).get_data(as_text=True)
    assert 'name="contact"' in page and "erased after 90 days" in page
    _tap(tablet, 2, contact="+994 50 123 45 67", consent="y")
    (stored,) = _submissions(app)
    assert stored.contact == "+994 50 123 45 67" and stored.is_contact_consented


def test_a_revoked_kiosk_stores_nothing(app, tablet):
    html = tablet.get(RATE + "?lang=en").get_data(as_text=True)
    with app.app_context():
        revoke_kiosk(db.session.scalar(sa.select(Kiosk)))
        db.session.commit()
    response = tablet.post(RATE + "?lang=en", data={"csrf_token": csrf_token_from(html), "rating": "5"})
    assert response.status_code == 403 and "switched off" in response.get_data(as_text=True)
    assert _submissions(app) == []


def test_a_tablet_at_another_desks_address_is_sent_to_its_own(tablet):
    response = tablet.get("/kiosk/baku-1/9")
    assert response.status_code == 302 and response.headers["Location"].endswith(RATE)


def test_repeated_identical_taps_count_once(app, tablet):
    for _ in range(3):
        assert _tap(tablet, 5).status_code == 303
    assert len(_submissions(app)) == 1
    _tap(tablet, 4)
    assert [s.rating for s in _submissions(app)] == [5, 4]


def test_a_double_submit_of_one_page_stores_once(app, tablet):
    html = tablet.get(RATE).get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(html), "rating": "3", "idempotency_key": "double-tap-0001",
            "comment": "a"}
    tablet.post(RATE, data=data)
    tablet.post(RATE, data={**data, "comment": "a"})
    assert len(_submissions(app)) == 1


def test_a_key_too_long_for_the_column_with_the_kiosk_prefix_is_no_key(app, tablet):
    # The kiosk stores "kiosk-" + the key: a key of 123 to 128 characters made more than the
    # column's 128, a 500 on PostgreSQL. The tap is stored without a key; 122 characters still fit.
    token = csrf_token_from(tablet.get(RATE).get_data(as_text=True))
    for key, comment in (("k" * 128, "a"), ("k" * 122, "b"), ("k" * 122, "b")):
        data = {"csrf_token": token, "rating": "3", "idempotency_key": key, "comment": comment}
        assert tablet.post(RATE, data=data).status_code == 303
    assert [s.idempotency_key for s in _submissions(app)] == [None, "kiosk-" + "k" * 122]


def test_a_second_tap_with_another_face_on_one_page_keeps_the_first_and_says_so(app, tablet):
    html = tablet.get(RATE + "?lang=en").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(html), "rating": "4", "idempotency_key": "two-faces-0001"}
    assert tablet.post(RATE + "?lang=en", data=data).status_code == 303
    response = tablet.post(RATE + "?lang=en", data={**data, "rating": "1"})
    assert response.status_code == 409
    assert "This form had already been sent, so your changes were not saved." in response.get_data(as_text=True)
    assert [s.rating for s in _submissions(app)] == [4]


def _kept(page: str) -> dict:
    """What a kiosk page offers back: its comment, contact and consent box, and whether kiosk.js is
    told that someone is using it (so that it wipes the page after idleness)."""
    comment = re.search(r'<textarea id="comment"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    contact = re.search(r'<input id="contact"[^>]*value="([^"]*)"', page)
    return {"comment": comment, "contact": contact and contact.group(1),
            "consent": bool(re.search(r'<input id="consent"[^>]* checked>', page)), "in_use": "data-kiosk-in-use" in page}


def test_changes_the_page_asks_to_send_again_are_still_there_to_send(app, tablet):
    with app.app_context():
        db.session.scalar(sa.select(Kiosk)).is_contact_enabled = True
        db.session.commit()
    html = tablet.get(RATE + "?lang=en").get_data(as_text=True)
    assert _kept(html) == {"comment": "", "contact": "", "consent": False, "in_use": False}
    data = {"csrf_token": csrf_token_from(html), "rating": "4", "idempotency_key": "changed-mind-0001"}
    assert tablet.post(RATE + "?lang=en", data=data).status_code == 303
    changed = {**data, "rating": "1", "comment": "Heç kim kömək etmədi", "contact": "+994 50 123 45 67", "consent": "y"}
    response = tablet.post(RATE + "?lang=en", data=changed)
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "Send it again to store them as new feedback" in page
    assert _kept(page) == {"comment": "Heç kim kömək etmədi", "contact": "+994 50 123 45 67", "consent": True,
                           "in_use": True}
    # Sent again from the page as it came back (a new key), they are stored as new feedback.
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
    assert tablet.post(RATE + "?lang=en", data={**changed, "idempotency_key": key}).status_code == 303
    assert [(s.rating, s.comment) for s in _submissions(app)] == [(4, ""), (1, "Heç kim kömək etmədi")]


def test_a_comment_refused_for_a_character_comes_back_to_be_corrected(app, tablet):
    comment = "Növbə \u200bçox uzun idi, iki saat gözlədim"   # a zero-width space from the keyboard
    response = _tap(tablet, 1, comment=comment)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "cannot be stored" in page
    assert _kept(page)["comment"] == comment and _kept(page)["in_use"]
    assert _submissions(app) == []


@pytest.mark.config(KIOSK_BURST_PER_MINUTE=3)
def test_a_burst_is_held_back_and_reported(app, tablet, caplog):
    with caplog.at_level(logging.WARNING, logger="feedback.services.kiosks"):
        for rating in (1, 2, 3, 4, 5):
            assert _tap(tablet, rating).status_code == 303
    assert [s.rating for s in _submissions(app)] == [1, 2, 3]
    with app.app_context():
        held = db.session.scalars(sa.select(KioskTap).where(KioskTap.is_held.is_(True))).all()
        assert sorted(t.rating for t in held) == [4, 5] and all(t.submission_id is None for t in held)
    assert any("held back" in record.getMessage() for record in caplog.records)


def test_bad_input_on_the_kiosk_is_a_clear_message_and_stores_nothing(app, tablet):
    response = _tap(tablet, 9)
    assert response.status_code == 400 and "from 1 to 5" in response.get_data(as_text=True)
    assert _submissions(app) == []


def test_a_refused_tap_leaves_the_tablet_on_its_way_back_to_the_start(tablet):
    """A form token gone stale is refused before the kiosk's page is reached: the site's error page,
    with its one link to the public list of centers, would strand the tablet out of kiosk mode."""
    response = tablet.post(RATE + "?lang=en", data={"csrf_token": "stale", "rating": "3"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "This form has expired" in page
    assert f'http-equiv="refresh" content="21;url={RATE}?lang=az"' in page
    assert f'data-kiosk-start="{RATE}?lang=az"' in page and "js/kiosk.js" in page
    assert 'href="/"' not in page


@pytest.mark.config(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="1 per minute")
def test_a_tablet_refused_for_too_many_codes_returns_when_the_limit_allows(client, code):
    assert _register(client, "not-the-code").status_code == 400
    response = _register(client, code)
    assert response.status_code == 429
    refresh = re.search(r'http-equiv="refresh" content="(\d+);url=/kiosk/register"', response.get_data(as_text=True))
    assert refresh and int(refresh.group(1)) >= int(response.headers["Retry-After"])


def _close_center(app):
    with app.app_context():
        db.session.scalar(sa.select(Center)).is_active = False
        db.session.commit()


def _returns_to(page: str) -> tuple[str, int]:
    """Where a kiosk page takes the tablet by itself, and after how many seconds (its refresh, which
    must not come before kiosk.js's own return, nor disagree with it on where)."""
    refresh = re.search(r'http-equiv="refresh" content="(\d+);url=([^"]+)"', page)
    script = re.search(r'data-kiosk-start="([^"]+)"[^>]*data-kiosk-reset-ms="(\d+)"', page, re.S)
    assert refresh and script and "js/kiosk.js" in page, "the page does not leave by itself"
    assert refresh.group(2) == script.group(1) and int(refresh.group(1)) * 1000 >= int(script.group(2))
    return refresh.group(2), int(refresh.group(1))


def test_a_kiosk_of_a_closed_center_shows_no_faces(app, tablet):
    """No citizen should tap an answer that will be thrown away."""
    _close_center(app)
    page = tablet.get(RATE + "?lang=ru")
    html = page.get_data(as_text=True)
    assert page.status_code == 403 and "Этот центр сейчас не принимает отзывы." in html
    assert 'name="rating"' not in html


def test_a_tap_after_the_center_closed_is_explained(app, tablet):
    html = tablet.get(RATE + "?lang=en").get_data(as_text=True)
    _close_center(app)
    response = tablet.post(RATE + "?lang=en", data={"csrf_token": csrf_token_from(html), "rating": "5"})
    assert response.status_code == 403
    assert "not taking feedback at the moment" in response.get_data(as_text=True)
    assert "switched off" not in response.get_data(as_text=True) and _submissions(app) == []
    assert _returns_to(response.get_data(as_text=True))[0] == RATE + "?lang=az"


def test_a_closed_centers_tablet_takes_ratings_again_by_itself_once_it_reopens(app, tablet):
    """Nobody in the hall is there to reload a tablet the morning its center reopens."""
    _close_center(app)
    closed = tablet.get(RATE + "?lang=en")
    page = closed.get_data(as_text=True)
    assert closed.status_code == 403 and "checks again every few minutes" in page
    # Not the page for unregistered tablets: its link would take a citizen to the registration form.
    assert "/kiosk/register" not in page and 'href="/"' not in page
    start, seconds = _returns_to(page)
    # Not a page that flickers at the citizens every few seconds: it waits well beyond the idle time.
    assert seconds > 2 * app.config["KIOSK_IDLE_SECONDS"]
    assert tablet.get(start).status_code == 403
    with app.app_context():
        db.session.scalar(sa.select(Center)).is_active = True
        db.session.commit()
    reopened = tablet.get(start)
    assert reopened.status_code == 200 and reopened.get_data(as_text=True).count('name="rating"') == 5


@pytest.mark.config(KIOSK_NETWORKS=networks("10.20.0.0/16", name="test"))
def test_with_kiosk_networks_set_a_copied_cookie_rates_nothing_from_elsewhere(app, client, code):
    client.environ_base["REMOTE_ADDR"] = "10.20.4.7"  # the hall's Wi-Fi
    assert _register(client, code).status_code == 303
    assert _tap(client, 5).status_code in (302, 303)
    html = client.get(RATE + "?lang=en").get_data(as_text=True)
    client.environ_base["REMOTE_ADDR"] = "203.0.113.9"  # the same cookie, outside
    outside = client.post(RATE + "?lang=en", data={"csrf_token": csrf_token_from(html), "rating": "1"})
    assert outside.status_code == 403 and "network of its hall" in outside.get_data(as_text=True)
    assert client.get(RATE).status_code == 403
    # A tablet that wandered onto another network for a while starts again on its hall's own.
    start, _ = _returns_to(outside.get_data(as_text=True))
    client.environ_base["REMOTE_ADDR"] = "10.20.4.7"
    assert client.get(start).status_code == 200
    assert [s.rating for s in _submissions(app)] == [5]
