"""A form sent twice at once (a double click on "Save"): both requests find the code or username
free, the first stores it, and the second is told it is taken, with what was typed kept, not a 500."""

from contextlib import contextmanager

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy import event
from sqlalchemy.orm import Session

from support import login_admin
from factories import make_center
from feedback.auth import hash_password
from feedback.extensions import db
from feedback.models import Center, Role, Service, User


@contextmanager
def stored_meanwhile(app, table: str, make_row):
    """Just before this request INSERTs into ``table``, another request stores ``make_row()`` and commits."""
    with app.app_context():
        engine = db.engine
    done = []

    def other_request_first(_conn, _cursor, statement, _params, _context, _many):
        if not done and statement.lstrip().upper().startswith(f"INSERT INTO {table.upper()} "):
            done.append(True)
            with Session(engine) as other:
                other.add(make_row(other))
                other.commit()

    event.listen(engine, "before_cursor_execute", other_request_first)
    try:
        yield done
    finally:
        event.remove(engine, "before_cursor_execute", other_request_first)


def test_a_center_saved_twice_at_once_is_stored_once(app, client):
    token = login_admin(app, client)
    with stored_meanwhile(app, "centers", lambda _s: Center(code="qusar", names={"az": "Qusar"}, region="")) as done:
        response = client.post("/admin/centers/new?lang=en", data={
            "csrf_token": token, "code": "qusar", "name_az": "Qusar mərkəzi", "region": "Quba", "is_active": "y"})
    assert done
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "Another center has this code" in body and "Qusar mərkəzi" in body
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Center).where(Center.code == "qusar")) == 1


def test_a_service_saved_twice_at_once_is_stored_once(app, client):
    token = login_admin(app, client)
    with app.app_context():
        center_id = make_center("qusar", services=()).id
    with stored_meanwhile(app, "services",
                          lambda _s: Service(center_id=center_id, code="passport", names={"az": "Pasport"})) as done:
        response = client.post(f"/admin/centers/{center_id}/services/new?lang=en", data={
            "csrf_token": token, "code": "passport", "name_az": "Pasport xidməti", "position": "1", "is_active": "y"})
    assert done
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "already has a service with this code" in body
    assert "Pasport xidməti" in body
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Service)) == 1


def test_an_account_created_twice_at_once_is_stored_once(app, client):
    token = login_admin(app, client)
    with app.app_context():
        make_center("qusar")
    with stored_meanwhile(app, "users", lambda _s: User(username="officer.q", password_hash=hash_password("x" * 12),
                                                        role=Role.supervisor)) as done:
        response = client.post("/admin/users/new?lang=en", data={
            "csrf_token": token, "username": "officer.q", "display_name": "Rəşad Əliyev", "role": "supervisor",
            "password": "long enough pw 1"})
    assert done
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "This username is taken" in body and "Rəşad Əliyev" in body
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.username == "officer.q")) == 1


def test_the_command_line_says_a_username_taken_meanwhile_in_one_line(app, runner):
    with stored_meanwhile(app, "users", lambda _s: User(username="officer.q", password_hash=hash_password("x" * 12),
                                                        role=Role.supervisor)) as done:
        result = runner.invoke(args=["users", "create", "officer.q", "--role", "supervisor",
                                     "--password", "long enough pw 1"])
    assert done
    with app.test_request_context():  # the command line speaks the default language, Azerbaijani
        taken = gettext("This username is taken.")
    assert result.exit_code != 0 and taken in result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, sa.exc.IntegrityError)
