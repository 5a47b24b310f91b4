"""Writing a submission, and the case of a flagged one, as one atomic step, and committing it.

On PostgreSQL the submission, its case and the case's first audit line are one statement: the
submission's ``INSERT … ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`` with the other two
INSERTs in data-modifying WITH clauses that take that id, so a retry whose key is taken writes none
of the three. When the request has no transaction open (the API's usual case: its center came
from the directory memory), the statement is sent in autocommit and is its own transaction, which
saves the BEGIN and COMMIT round trips as well: one round trip instead of five for a flagged
submission. SQLite has no data-modifying WITH; there the three INSERTs share one transaction.
"""

from __future__ import annotations

import functools
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from feedback.database import attach_inserted, insert_unless_present
from feedback.extensions import db
from feedback.models import Case, CaseEvent, Submission
from feedback.services.cases import new_case_values, open_case, opening_event_values
from feedback.services.triage import TriageDecision


def commit_keeping(fresh: Submission) -> None:
    """Commit, expiring every object in the session except the submission just read or written.

    Its attributes are what the database holds (the values just inserted, or what the SELECT read),
    so reloading it after the commit, as the default expiry would on the caller's first
    ``.reference``, is a wasted round trip per submission; anything else may have been changed by
    others and is expired as usual.
    """
    session = db.session()
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire_on_commit
    if expire_on_commit:
        for obj in list(session.identity_map.values()):
            if obj is not fresh:
                session.expire(obj)


def store_submission(values: dict, decision: TriageDecision, *, now: datetime) -> Submission | None:
    """Store the submission, and its case when ``decision`` flags it, and commit.

    ``values`` are the submission's columns but its id. Returns the stored submission, built from
    those values and the returned id (nothing is read back), or None when a submission with the
    same idempotency key is stored already: then nothing was written and the caller's transaction
    is still open. A reference collision or a vanished center raises IntegrityError.
    """
    in_one_statement = db.session.get_bind().dialect.name == "postgresql"
    if in_one_statement:
        new_id = _insert_in_one_statement(values, decision, now=now)
    else:
        new_id = db.session.execute(insert_unless_present(Submission.__table__, "idempotency_key"), values).scalar()
    if new_id is None:
        return None
    submission = attach_inserted(Submission, {**values, "id": new_id})
    if not in_one_statement:
        # The case is part of the same transaction: a flagged submission never lacks its case.
        open_case(submission, decision, now=now)
    commit_keeping(submission)
    return submission


def _insert_in_one_statement(values: dict, decision: TriageDecision, *, now: datetime) -> int | None:
    case = new_case_values(decision, center_id=values["center_id"], service_id=values["service_id"],
                           language=values["language"], now=now)
    event = opening_event_values(decision, now=now)
    statement = _one_statement(tuple(values), tuple(case), tuple(event))
    params = {"flagged": decision.is_flagged}
    for prefix, columns in (("s_", values), ("c_", case), ("e_", event)):
        params.update({prefix + name: value for name, value in columns.items()})
    session = db.session()
    if session.in_transaction():
        # Something was read first (a center not yet remembered, a kiosk, a visit link) or changed
        # (the session begins at the first change): the submission joins that transaction.
        connection = session.connection()
    else:
        connection = session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    return connection.execute(statement, params).scalar()


@functools.cache
def _one_statement(submission_columns: tuple, case_columns: tuple, event_columns: tuple) -> sa.Select:
    """Built once per set of column names; parameters are ``s_``, ``c_`` and ``e_`` plus the column."""
    submissions, cases, events = Submission.__table__, Case.__table__, CaseEvent.__table__

    def params(table: sa.Table, prefix: str, columns: tuple) -> list:
        return [sa.bindparam(prefix + name, type_=table.c[name].type) for name in columns]

    stored = (
        postgresql.insert(submissions)
        .values(dict(zip(submission_columns, params(submissions, "s_", submission_columns))))
        .on_conflict_do_nothing(index_elements=[submissions.c.idempotency_key])
        .returning(submissions.c.id)
        .cte("stored")
    )
    flagged = sa.bindparam("flagged", type_=sa.Boolean)
    opened = (
        cases.insert()
        .from_select(["submission_id", *case_columns],
                     sa.select(stored.c.id, *params(cases, "c_", case_columns)).where(flagged))
        .returning(cases.c.id)
        .cte("opened")
    )
    logged = (
        events.insert()
        .from_select(["case_id", *event_columns], sa.select(opened.c.id, *params(events, "e_", event_columns)))
        .cte("logged")
    )
    # PostgreSQL runs every data-modifying WITH clause whether or not the query reads it.
    return sa.select(sa.select(stored.c.id).scalar_subquery()).add_cte(stored, opened, logged)
