"""``flask --app feedback ml export-labels|retrain|rollback``: learning from officers' verdicts."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from feedback.classifier import get_classifier
from feedback.extensions import db
from feedback.services import model_status
from feedback.services.learning import (
    RATING_LABEL_WEIGHT,
    LearningError,
    officer_labels,
    rating_labels,
    retrain,
    write_labels,
)
from ml import DataError, ModelError

ml_group = AppGroup("ml", help="Export officers' verdicts as labels, retrain the classifier, roll back.")
DEFAULT_CORPUS = str(Path(__file__).resolve().parent.parent / "ml" / "corpus")


#: The weight of a rating-labelled comment beside an officer's verdict (1); infinity would
#: overflow training.
RATING_WEIGHT = click.FloatRange(min=0, max=100)


@ml_group.command("export-labels")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True, allow_dash=True), default="-",
              help="CSV file to write (default: standard output).")
@click.option("--rating-weight", type=RATING_WEIGHT, default=0.0, show_default=True,
              help="Also export comments no officer judged, labelled by rating (1 → 1, 5 → 0), at this weight.")
@click.option("--include-restricted", is_flag=True, help="Include integrity cases (confidential).")
def export_labels_command(output: str, rating_weight: float, include_restricted: bool):
    """Write officers' verdicts as text,label,lang,weight CSV for `python -m ml train`."""
    labels = officer_labels(include_restricted=include_restricted)
    if rating_weight > 0:
        labels += rating_labels(rating_weight, include_restricted=include_restricted)
    if output == "-":
        rows = write_labels(labels, sys.stdout)
    else:
        try:
            with open(output, "w", encoding="utf-8", newline="") as fh:
                rows = write_labels(labels, fh)
        except OSError as exc:
            raise click.ClickException(f"cannot write {output}: {exc.strerror}") from None
    click.echo(f"{rows} labels written to {'standard output' if output == '-' else output}", err=True)


@ml_group.command("retrain")
@click.option("--corpus", multiple=True, default=[DEFAULT_CORPUS], show_default=True,
              help="Seed corpus: CSV file, folder or glob; repeatable.")
@click.option("--rating-weight", type=RATING_WEIGHT, default=RATING_LABEL_WEIGHT, show_default=True,
              help="Weight of comments labelled only by their rating; 0 leaves them out.")
@click.option("--include-restricted", is_flag=True, help="Train on integrity cases too.")
@click.option("--seed", type=int, default=0)
@click.option("--quick", is_flag=True, help="Fit the default configuration without comparing candidates.")
def retrain_command(corpus: tuple[str, ...], rating_weight: float, include_restricted: bool, seed: int,
                    quick: bool):
    """Train on corpus + verdicts; promote only if not worse on held-out verdicts."""
    try:
        result = retrain(Path(current_app.config["MODELS_DIR"]), list(corpus), rating_weight=rating_weight,
                         include_restricted=include_restricted, seed=seed, quick=quick,
                         progress=lambda msg: click.echo(msg, err=True))
    except (LearningError, DataError, ModelError) as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()  # the administration log's line for a promotion
    if result.is_promoted:
        get_classifier().reload()
        click.echo(f"promoted {result.candidate} (previous: {result.previous or 'none'}): {result.reason}")
    else:
        click.echo(f"kept {result.previous}; {result.candidate} was not promoted: {result.reason}")


@ml_group.command("rollback")
def rollback_command():
    """Point the classifier back at the previously promoted model."""
    try:
        version = model_status.roll_back(current_app.config["MODELS_DIR"])
    except ModelError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    get_classifier().reload()
    click.echo(f"current model: {version}")
