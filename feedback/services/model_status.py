"""What the admins' model page shows: the current model and its card, the labels officers have given,
and how often the model and the officers agreed recently — counted in SQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import AdminAction, Case, Submission, User
from feedback.services import audit
from ml import ModelError
from ml.registry import current_version_dir, list_versions, read_card, rollback


@dataclass(frozen=True)
class ModelOverview:
    #: The version CURRENT points to, or None.
    current: str | None
    card: dict | None
    #: Why the card could not be read, if it could not.
    problem: str | None
    versions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LabelCounts:
    complaints: int
    not_complaints: int
    #: Closed cases without a verdict: labels that could still be given.
    closed_unjudged: int


@dataclass(frozen=True)
class Agreement:
    model_version: str
    judged: int
    #: Model flagged it and the officer confirmed a complaint.
    both_complaint: int
    #: Model flagged it, the officer said it was not a complaint.
    model_only: int
    #: The officer confirmed a complaint the model had not flagged.
    officer_only: int

    @property
    def agreement(self) -> float | None:
        agreed = self.judged - self.model_only - self.officer_only
        return round(100.0 * agreed / self.judged, 1) if self.judged else None


def overview(models_dir: str | Path) -> ModelOverview:
    root = Path(models_dir)
    current = current_version_dir(root)
    card, problem = None, None
    if current is not None:
        try:
            card = read_card(current)
        except ModelError as exc:
            problem = str(exc)
    return ModelOverview(current.name if current else None, card, problem, list_versions(root))


def label_counts() -> LabelCounts:
    verdict = Case.is_complaint_confirmed
    row = db.session.execute(
        sa.select(
            sa.func.count(Case.id).filter(verdict.is_(True)),
            sa.func.count(Case.id).filter(verdict.is_(False)),
            sa.func.count(Case.id).filter(verdict.is_(None), Case.closed_dt.is_not(None)),
        )
    ).one()
    return LabelCounts(*(n or 0 for n in row))


def thresholds(models_dir: str | Path) -> dict[str, float]:
    """Each stored version's threshold, to tell what each model said about the comments it judged."""
    out = {}
    for version in list_versions(Path(models_dir)):
        try:
            out[version] = float(read_card(Path(models_dir) / version)["threshold"])
        except (ModelError, TypeError, ValueError):
            continue
    return out


def agreement(since: datetime, version_thresholds: dict[str, float]) -> list[Agreement]:
    """Per model version, how its verdicts compare with officers' verdicts given since ``since``."""
    if not version_thresholds:
        return []
    threshold = sa.case(version_thresholds, value=Submission.model_version)
    said = Submission.complaint_probability >= threshold
    confirmed = Case.is_complaint_confirmed.is_(True)
    rows = db.session.execute(
        sa.select(
            Submission.model_version,
            sa.func.count(Case.id),
            sa.func.count(Case.id).filter(said, confirmed),
            sa.func.count(Case.id).filter(said, sa.not_(confirmed)),
            sa.func.count(Case.id).filter(sa.not_(said), confirmed),
        )
        .join(Submission, Submission.id == Case.submission_id)
        .where(Case.is_complaint_confirmed.is_not(None), Case.labelled_dt >= since,
               Submission.complaint_probability.is_not(None),
               Submission.model_version.in_(list(version_thresholds)))
        .group_by(Submission.model_version)
        .order_by(Submission.model_version.desc())
    ).all()
    return [Agreement(*row) for row in rows]


def roll_back(models_dir: str | Path, *, actor: User | None = None) -> str:
    """Point CURRENT at the previously promoted version, and log it; the caller reloads the
    classifier and commits the log line."""
    current = current_version_dir(Path(models_dir))
    version = rollback(Path(models_dir))
    audit.record(AdminAction.model_rolled_back, version, actor=actor,
                 details={"version": audit.change(current.name if current else None, version)})
    return version
