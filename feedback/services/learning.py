"""Learning from officers' verdicts: export them as training labels, retrain, and promote only
a model that is not worse on the same held-out verdicts. The old model stays for rollback.

Which verdicts are held out is decided by the case id (every fifth verdict of each kind, in id
order), so a verdict held out once is held out in every later retrain: no model is ever judged on a
verdict it was trained on.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import AdminAction, Case, Submission
from feedback.services import audit
from ml import ModelError, load_model
from ml.data import Dataset, read_datasets
from ml.evaluate import report
from ml.privacy import redact
from ml.registry import current_version_dir, set_current

log = logging.getLogger(__name__)

LABEL_COLUMNS = ("text", "label", "lang", "weight")
#: Every n-th officer verdict of each kind is held out to compare the old and the new model.
HOLD_OUT_EVERY = 5
#: Fewer held-out verdicts of either kind than this and the comparison would be noise.
MIN_HELD_OUT_PER_CLASS = 2
#: Weight of a comment labelled only by its rating, against 1.0 for an officer's verdict.
RATING_LABEL_WEIGHT = 0.3


class LearningError(ValueError):
    """Retraining cannot go ahead; the message says what is missing."""


@dataclass(frozen=True)
class Label:
    text: str
    label: int
    lang: str
    weight: float = 1.0
    case_id: int | None = None


@dataclass
class GateResult:
    """What a retrain decided and why."""

    candidate: str
    previous: str | None
    is_promoted: bool
    reason: str
    old_metrics: dict | None = None
    new_metrics: dict = field(default_factory=dict)
    held_out: int = 0
    trained_on: int = 0


def training_text(comment: str) -> str:
    """A comment as training data: personal data masked as the model masks it when it reads a
    comment (``ml.privacy.redact``), not with the officers' readable masks, whose "[phone]" the model
    would learn as a word that no comment it judges ever holds."""
    return " ".join(redact(comment).split())


def officer_labels(*, include_restricted: bool = False) -> list[Label]:
    """Every verdict an officer gave, with the comment masked, oldest case first."""
    lang = sa.func.coalesce(sa.func.nullif(Submission.comment_language, ""), Submission.language)
    query = (
        sa.select(Case.id, Submission.comment, Case.is_complaint_confirmed, lang)
        .join(Submission, Submission.id == Case.submission_id)
        .where(Case.is_complaint_confirmed.is_not(None), sa.func.length(sa.func.trim(Submission.comment_masked)) > 0)
        .order_by(Case.id)
    )
    if not include_restricted:
        # Integrity matters are confidential: their text stays out of files unless asked for.
        query = query.where(Case.is_restricted.is_(False))
    return [Label(training_text(text), int(bool(verdict)), lang or "", 1.0, case_id)
            for case_id, text, verdict, lang in db.session.execute(query)]


def rating_labels(weight: float = RATING_LABEL_WEIGHT, *, include_restricted: bool = False) -> list[Label]:
    """Comments no officer judged, labelled by their rating: 1 → complaint, 5 → not; others skipped."""
    left_out = Case.is_complaint_confirmed.is_not(None)
    if not include_restricted:
        left_out = sa.or_(left_out, Case.is_restricted.is_(True))
    judged = sa.select(Case.submission_id).where(left_out)
    lang = sa.func.coalesce(sa.func.nullif(Submission.comment_language, ""), Submission.language)
    query = (
        sa.select(Submission.comment, Submission.rating, lang)
        .where(Submission.rating.in_((1, 5)), Submission.id.not_in(judged),
               sa.func.length(sa.func.trim(Submission.comment_masked)) > 0)
        .order_by(Submission.id)
    )
    return [Label(training_text(text), 1 if rating == 1 else 0, lang or "", weight)
            for text, rating, lang in db.session.execute(query)]


def split_held_out(labels: list[Label]) -> tuple[list[Label], list[Label]]:
    """(to train on, held out): every HOLD_OUT_EVERY-th verdict of each kind, in case-id order."""
    train, held = [], []
    seen = {0: 0, 1: 0}
    for item in sorted(labels, key=lambda x: x.case_id or 0):
        seen[item.label] += 1
        (held if seen[item.label] % HOLD_OUT_EVERY == 0 else train).append(item)
    return train, held


def write_labels(labels: list[Label], fh: IO[str]) -> int:
    """Write labels as the CSV ``python -m ml train`` reads; return the number of rows."""
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(LABEL_COLUMNS)
    for item in labels:
        writer.writerow((item.text, item.label, item.lang, f"{item.weight:g}"))
    return len(labels)


def _dataset(labels: list[Label]) -> Dataset:
    return Dataset(
        texts=[x.text for x in labels], labels=[x.label for x in labels],
        langs=[x.lang or "az" for x in labels], weights=[1.0] * len(labels),
        sources=["held-out"] * len(labels),
    )


def evaluate(version_dir: Path, held_out: list[Label]) -> dict:
    """Macro-F1, precision and recall of a model on the held-out verdicts, at its own threshold."""
    result = report(load_model(version_dir), _dataset(held_out))
    return {k: result.get(k) for k in ("n", "macro_f1", "precision", "recall", "roc_auc", "threshold")}


def gate(models_root: Path, candidate_dir: Path, held_out: list[Label]) -> GateResult:
    """Promote ``candidate_dir`` if it scores at least the current model's macro-F1 on ``held_out``.

    A rejected candidate is deleted; a promoted one becomes CURRENT and the old one stays on disk and
    in HISTORY, so ``python -m ml rollback`` brings it back.
    """
    models_root, candidate_dir = Path(models_root), Path(candidate_dir)
    current = current_version_dir(models_root)
    new_metrics = evaluate(candidate_dir, held_out)
    result = GateResult(candidate_dir.name, current.name if current else None, False, "",
                        new_metrics=new_metrics, held_out=len(held_out))
    if current is not None:
        try:
            result.old_metrics = evaluate(current, held_out)
        except ModelError as exc:
            log.warning("current model %s cannot be evaluated (%s); replacing it", current, exc)
    old_f1 = (result.old_metrics or {}).get("macro_f1")
    if old_f1 is not None and new_metrics["macro_f1"] < old_f1:
        result.reason = f"worse on held-out verdicts: macro-F1 {new_metrics['macro_f1']:.4f} < {old_f1:.4f}"
        shutil.rmtree(candidate_dir, ignore_errors=True)
        log.info("retrain: %s not promoted, %s", candidate_dir.name, result.reason)
        return result
    set_current(models_root, candidate_dir.name)
    result.is_promoted = True
    result.reason = ("no usable current model" if old_f1 is None else
                     f"not worse on held-out verdicts: macro-F1 {new_metrics['macro_f1']:.4f} ≥ {old_f1:.4f}")
    log.info("retrain: %s promoted (%s)", candidate_dir.name, result.reason)
    return result


def _version_dir(models_root: Path, ds: Dataset) -> Path:
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H%M%S")
    base = f"{stamp}-retrain-{ds.sha256()[:6]}"
    candidate, n = models_root / base, 1
    while candidate.exists():
        n += 1
        candidate = models_root / f"{base}-{n}"
    return candidate


def _score(metrics: dict | None) -> float | None:
    """A model's macro-F1 as the administration log keeps it (JSON: a plain float, or None)."""
    value = (metrics or {}).get("macro_f1")
    return None if value is None or value != value else round(float(value), 4)


def retrain(models_root: Path, corpus: list[str], *, rating_weight: float = RATING_LABEL_WEIGHT,
            include_restricted: bool = False, seed: int = 0, quick: bool = False,
            progress=log.info) -> GateResult:
    """Train on the seed corpus plus officers' verdicts (and rating-labelled comments), then gate;
    a promotion goes into the administration log (the command line's: ``actor`` None). The caller commits."""
    from ml.train import train  # scikit-learn's model selection is only needed here

    verdicts = officer_labels(include_restricted=include_restricted)
    to_train, held_out = split_held_out(verdicts)
    kinds = [sum(1 for x in held_out if x.label == k) for k in (0, 1)]
    if min(kinds) < MIN_HELD_OUT_PER_CLASS:
        need = MIN_HELD_OUT_PER_CLASS * HOLD_OUT_EVERY
        raise LearningError(
            f"not enough officer verdicts to compare models fairly: {len(verdicts)} judged "
            f"({kinds[1]} complaints and {kinds[0]} non-complaints held out). "
            f"Judge at least {need} complaints and {need} non-complaints first."
        )
    extra = to_train + (rating_labels(rating_weight, include_restricted=include_restricted)
                        if rating_weight > 0 else [])
    models_root = Path(models_root)
    models_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rey-labels-") as tmp:
        labels_csv = Path(tmp) / "labels.csv"
        with labels_csv.open("w", encoding="utf-8", newline="") as fh:
            write_labels(extra, fh)
        ds = read_datasets([*corpus, str(labels_csv)] if extra else list(corpus))
    out = _version_dir(models_root, ds)
    progress(f"training {out.name} on {len(ds.texts)} rows ({len(extra)} from this service), "
             f"{len(held_out)} verdicts held out")
    train(ds, out, seed=seed, quick=quick, log=progress)
    result = gate(models_root, out, held_out)
    result.trained_on = len(ds.texts)
    if result.is_promoted:
        # Which model flags feedback changed, as with a rollback: the caller commits the log line.
        audit.record(AdminAction.model_promoted, result.candidate, actor=None, details={
            "version": audit.change(result.previous, result.candidate),
            "macro_f1": audit.change(_score(result.old_metrics), _score(result.new_metrics)),
            "held_out": result.held_out,
        })
    return result
