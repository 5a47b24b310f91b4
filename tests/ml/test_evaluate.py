"""Metrics: weighted rows count as that many copies, and undefined figures are None, not NaN."""

import math

from ml.evaluate import metrics


def test_a_weight_of_two_counts_as_two_copies_of_the_row():
    weighted = metrics([1, 0, 0], [0.9, 0.8, 0.1], 0.5, weights=[1.0, 2.0, 1.0])
    copied = metrics([1, 0, 0, 0], [0.9, 0.8, 0.8, 0.1], 0.5)
    for key in ("macro_f1", "precision", "recall", "roc_auc",
                "precision_at_5pct_complaints", "precision_at_20pct_complaints"):
        assert weighted[key] == copied[key], key


def test_rows_that_all_weigh_nothing_give_no_figures_rather_than_an_error():
    out = metrics([1, 0], [0.9, 0.1], 0.5, weights=[0.0, 0.0])
    assert out["n"] == 2 and out["macro_f1"] is None and out["roc_auc"] is None


def test_no_figure_is_nan_or_infinite():
    out = metrics([1, 0, 0], [0.9, 0.8, 0.1], 0.5, weights=[0.0, 1.0, 1.0])
    assert out["roc_auc"] is None
    assert all(not (isinstance(v, float) and not math.isfinite(v)) for v in out.values())
