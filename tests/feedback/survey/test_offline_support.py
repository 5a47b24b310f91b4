"""What the offline survey needs from the server: a root-scoped service worker and the saved/sent notice."""

from __future__ import annotations

from factories import make_center


def test_service_worker_is_served_from_the_root_for_the_whole_site(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    # A new worker must reach phones at once, not after a day in an HTTP cache.
    assert "no-cache" in response.headers["Cache-Control"]
    assert b'addEventListener("fetch"' in response.data


def test_survey_page_carries_the_translated_offline_notice_and_script(app, client):
    with app.app_context():
        make_center("baku-1")
    html = client.get("/c/baku-1?lang=ru").get_data(as_text=True)
    assert 'id="offline-notice"' in html and "hidden" in html
    assert "Ваш отзыв сохранён на этом устройстве" in html
    assert "Сохранённый отзыв отправлен. Спасибо!" in html
    assert "/static/js/offline.js" in html
    # The key travels with the form so a resent survey is recognised, whichever way it arrives.
    assert 'name="idempotency_key"' in html
