"""The admins' model page: version and card, label counts, agreement with officers, rollback."""

from __future__ import annotations

import re
import shutil
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from support import csrf_token_from
from factories import make_center, make_submission
from feedback.auth import hash_password
from feedback.extensions import db
from feedback.models import AdminAction, AdminEvent, Case, Priority, Role, User
from ml.registry import current_version_dir, set_current

NOW = datetime.now(timezone.utc)


def _login(app, client, role=Role.admin):
    with app.app_context():
        db.session.add(User(username=f"{role}-user", password_hash=hash_password("correct horse 42"), role=role))
        db.session.commit()
    html = client.get("/review/login?lang=en").get_data(as_text=True)
    response = client.post("/review/login?lang=en", data={
        "csrf_token": csrf_token_from(html), "username": f"{role}-user", "password": "correct horse 42"})
    assert response.status_code in (302, 303)


def _judged(center, probability, verdict, *, version="test-model", closed=False, days_ago=1):
    sub = make_submission(center, rating=2, comment="x", complaint_probability=probability, model_version=version)
    case = Case(submission_id=sub.id, center_id=center.id, priority=Priority.normal, due_dt=NOW,
                is_complaint_confirmed=verdict, labelled_dt=NOW - timedelta(days=days_ago) if verdict is not None else None,
                status="dismissed" if closed else "new", closed_dt=NOW if closed else None)
    db.session.add(case)
    db.session.commit()


@pytest.mark.model
def test_model_page_shows_version_card_labels_and_agreement(app, client, trained_models_dir):
    with app.app_context():
        center = make_center("baku-1")
        _judged(center, 0.99, True)        # both said complaint
        _judged(center, 0.99, False)       # model only
        _judged(center, 0.0, True)         # officer only
        _judged(center, 0.0, False)        # both said no
        _judged(center, 0.99, True, days_ago=200)        # too old to count as recent
        _judged(center, 0.99, True, version="deleted")  # a version no longer stored
        _judged(center, 0.5, None, closed=True)
    _login(app, client)
    html = client.get("/admin/model?lang=en").get_data(as_text=True)
    assert 'data-current="test-model"' in html
    # The session's model is trained with --quick: nothing was compared, and the page says so.
    assert "Held-out test set" in html and "not compared (quick training)" in html
    assert "passes" not in html and "fails" not in html
    counts = dict(re.findall(r'data-labels="(\w+)">(\d+)<', html))
    assert counts == {"complaints": "4", "not_complaints": "2", "closed_unjudged": "1"}
    row = re.search(r'<tr data-version="test-model">(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r"<td>([^<]*)</td>", row)
    assert cells == ["test-model", "4", "50.0 %", "1", "1", "1"]


def test_model_page_is_for_admins_only(app, client):
    _login(app, client, Role.supervisor)
    assert client.get("/admin/model").status_code == 403


def test_model_page_without_a_model(app, client):
    _login(app, client)
    response = client.get("/admin/model?lang=en")
    assert response.status_code == 200 and "No model is in use" in response.get_data(as_text=True)


def test_rollback_button_goes_back_and_reports_when_it_cannot(app, client, tmp_path, trained_models_dir):
    root = tmp_path / "models"
    for name in ("v1", "v2"):
        shutil.copytree(trained_models_dir / "test-model", root / name)
        set_current(root, name)
    app.config["MODELS_DIR"] = str(root)
    _login(app, client)
    token = csrf_token_from(client.get("/admin/model?lang=en").get_data(as_text=True))
    response = client.post("/admin/model/rollback?lang=en", data={"csrf_token": token}, follow_redirects=True)
    assert "now uses v1" in response.get_data(as_text=True)
    assert current_version_dir(root).name == "v1"
    with app.app_context():
        (logged,) = db.session.scalars(sa.select(AdminEvent)).all()
    assert (logged.action, logged.subject, logged.details) == (
        AdminAction.model_rolled_back, "v1", {"version": {"from": "v2", "to": "v1"}})
    response = client.post("/admin/model/rollback?lang=en", data={"csrf_token": token}, follow_redirects=True)
    assert "no earlier model" in response.get_data(as_text=True)
    stale = client.post("/admin/model/rollback?lang=en", data={"csrf_token": "stale"}, follow_redirects=True)
    assert stale.status_code in (200, 400) and "expired" in stale.get_data(as_text=True)
    assert current_version_dir(root).name == "v1"
