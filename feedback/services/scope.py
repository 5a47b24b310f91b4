"""Who may see what: the one place scope is decided.

Every query that shows cases or submissions to staff starts from here (queue, case page, dashboard,
exports), so a case outside a user's scope does not exist for them — the views answer 404.

- officer: cases of the centers assigned to them, except restricted ones;
- supervisor: cases of every center of their region (all regions when none is set), except restricted;
- integrity: restricted cases (bribery, threats, safety) of every center, and only those;
- admin: no cases (admins manage centers, services and users);
- an API key with ``exports:read`` (a machine client): the cases and submissions of its center, or
  of every center for a key bound to none, except restricted ones.
"""

from __future__ import annotations

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import ApiKey, Case, Center, Role, Submission, User, user_centers


def center_clause(user: User, center_id_column) -> sa.ColumnElement[bool]:
    """A condition on a ``center_id`` column limiting it to the centers the user looks after."""
    if user.role == Role.officer:
        return center_id_column.in_(sa.select(user_centers.c.center_id).where(user_centers.c.user_id == user.id))
    if user.role == Role.supervisor and user.region:
        return center_id_column.in_(sa.select(Center.id).where(Center.region == user.region))
    if user.role in (Role.supervisor, Role.integrity, Role.admin):
        return sa.true()
    return sa.false()


def case_clause(user: User) -> sa.ColumnElement[bool]:
    """The condition a case must meet to be visible to the user."""
    if not user.is_active:
        return sa.false()
    if user.role == Role.integrity:
        return Case.is_restricted.is_(True)
    if user.role in (Role.officer, Role.supervisor):
        return sa.and_(Case.is_restricted.is_(False), center_clause(user, Case.center_id))
    return sa.false()


def visible_cases(user: User) -> sa.Select:
    """``select(Case)`` limited to the user's scope; add filters and ordering to it."""
    return sa.select(Case).where(case_clause(user))


def get_visible_case(user: User, case_id: int, *, for_change: bool = False) -> Case | None:
    """The case if it exists and the user may see it; None otherwise (answer 404 for both).

    ``for_change`` locks the case's row until the transaction ends (PostgreSQL; SQLite has one
    writer at a time anyway): two officers resolving one case at once are then taken in turn, and
    the second finds it resolved rather than writing a second resolution over the first."""
    query = visible_cases(user).where(Case.id == case_id)
    if for_change:
        query = query.with_for_update(of=Case).execution_options(populate_existing=True)
    return db.session.scalar(query)


def key_case_clause(key: ApiKey) -> sa.ColumnElement[bool]:
    """The cases a machine client's key may read."""
    clause = Case.is_restricted.is_(False)
    return clause if key.center_id is None else sa.and_(clause, Case.center_id == key.center_id)


def key_submission_clause(key: ApiKey) -> sa.ColumnElement[bool]:
    """The submissions a machine client's key may read: those of restricted cases never leave."""
    clause = Submission.id.not_in(sa.select(Case.submission_id).where(Case.is_restricted.is_(True)))
    return clause if key.center_id is None else sa.and_(clause, Submission.center_id == key.center_id)


def submission_clause(user: User) -> sa.ColumnElement[bool]:
    """The submissions of the user's centers, without those of restricted cases unless the user is
    the integrity role (whose dashboard sees every center). Every count shown to a person goes by
    it: a count that includes them tells a center's staff that an integrity report came in."""
    clause = center_clause(user, Submission.center_id)
    if user.role != Role.integrity:
        restricted = sa.select(Case.submission_id).where(Case.is_restricted.is_(True))
        clause = sa.and_(clause, Submission.id.not_in(restricted))
    return clause


def visible_submissions(user: User) -> sa.Select:
    """``select(Submission)`` of ``submission_clause``."""
    return sa.select(Submission).where(submission_clause(user))


def visible_centers(user: User) -> list[Center]:
    """Centers the user may filter by, in code order."""
    return list(
        db.session.scalars(sa.select(Center).where(center_clause(user, Center.id)).order_by(Center.code))
    )


def may_see_case(user: User, case: Case) -> bool:
    """The same rule as ``case_clause`` for a case already loaded (e.g. to check an assignee)."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Case).where(case_clause(user), Case.id == case.id)
    ) == 1
