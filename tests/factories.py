"""Factory helpers that create real rows in the test database."""

from __future__ import annotations

import itertools
from datetime import datetime, timezone

from feedback.extensions import db
from feedback.models import Center, Channel, Service, Submission
from feedback.services.references import new_reference

_counter = itertools.count(1)


def make_center(code: str | None = None, *, services=("passport", "id-card"), region="Bakı", **kwargs) -> Center:
    code = code or f"center-{next(_counter)}"
    center = Center(
        code=code,
        region=region,
        names={"az": f"{code} mərkəzi", "ru": f"Центр {code}", "en": f"{code} center"},
        **kwargs,
    )
    db.session.add(center)
    for position, service_code in enumerate(services):
        db.session.add(
            Service(
                center=center,
                code=service_code,
                position=position,
                names={"az": f"{service_code} (az)", "ru": f"{service_code} (ru)", "en": f"{service_code} (en)"},
            )
        )
    db.session.commit()
    return center


def make_submission(center: Center, *, rating: int = 4, comment: str = "", **kwargs) -> Submission:
    values = dict(
        reference=new_reference(),
        center_id=center.id,
        rating=rating,
        comment=comment,
        comment_masked=comment,
        language="az",
        channel=Channel.qr,
        created_dt=datetime.now(timezone.utc),
    )
    values.update(kwargs)
    submission = Submission(**values)
    db.session.add(submission)
    db.session.commit()
    return submission


def make_api_key(scopes=("visits:create",), *, name="queue system", center=None) -> str:
    """Issue an API key and return the full secret a client would send."""
    from feedback.services.api_keys import issue_api_key

    issued = issue_api_key(name, list(scopes), center=center)
    db.session.commit()
    return issued.secret


def make_kiosk(center: Center, desk: str = "5", **kwargs):
    """Create a kiosk; return ``(kiosk_id, one_time_registration_code)``."""
    from datetime import timedelta

    from feedback.services.kiosks import create_kiosk

    kiosk, code = create_kiosk(center, desk, registration_ttl=timedelta(minutes=30), **kwargs)
    db.session.commit()
    return kiosk.id, code


def make_user(username: str, role="officer", *, centers=(), region=None, password="correct horse 42"):  # noqa: S107
    """A staff account (cheap Argon2 in tests); ``centers`` are Center objects."""
    from feedback.models import Role, User
    from feedback.auth import hash_password

    user = User(username=username, password_hash=hash_password(password), role=Role(role), region=region,
                centers=list(centers))
    db.session.add(user)
    db.session.commit()
    return user


def make_case(center: Center, *, rating: int = 1, comment: str = "Gözlədim", restricted: bool = False, **kwargs):
    """A flagged submission with its open case, as triage would open it."""
    from datetime import timedelta

    from feedback.models import Priority
    from feedback.services.cases import open_case
    from feedback.services.triage import TriageDecision

    submission = make_submission(center, rating=rating, comment=comment, is_flagged=True,
                                 flag_reasons=["low_rating"], **kwargs)
    decision = TriageDecision(
        is_flagged=True, reasons=["low_rating"] + (["integrity"] if restricted else []),
        priority=Priority.urgent if restricted else Priority.high,
        due_dt=submission.created_dt + timedelta(hours=4 if restricted else 24), is_restricted=restricted,
    )
    case = open_case(submission, decision, now=submission.created_dt)
    db.session.commit()
    return case
