"""Metrics for a complaint classifier, overall and per language."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import f1_score, precision_score, recall_score, roc_auc_score

__all__ = ["metrics", "metrics_by_lang", "expected_calibration_error", "threshold_for_recall", "report"]

#: Complaint shares at which we also quote precision: real traffic has few complaints.
PREVALENCES = (0.05, 0.20)


def expected_calibration_error(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """Weighted mean gap between predicted probability and observed complaint rate, over 10 bins."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.sum() * abs(p[mask].mean() - y[mask].mean())
    return float(total / max(len(y), 1))


def metrics(y, p, threshold: float, weights=None) -> dict:
    """Macro-F1, complaint precision/recall, ROC AUC, calibration error at ``threshold``.

    A figure that the rows can't define (ROC AUC without both classes, anything on rows that all
    weigh nothing) is None, never NaN: the result is printed and stored as JSON.
    """
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=float)
    pred = (p >= threshold).astype(int)
    if weights is not None:
        weights = np.asarray(weights, dtype=float)
        top = weights.max() if len(weights) else 0.0
        if not top > 0:
            # Nothing here counts: no weighted figure exists (scikit-learn refuses the weights).
            return {"n": int(len(y)), "complaint_share": round(float(y.mean()), 4) if len(y) else None,
                    "macro_f1": None, "precision": None, "recall": None, "roc_auc": None,
                    "calibration_error": None}
        weights = weights / top  # same ratios; huge weights no longer overflow the sums
    counted = y if weights is None else y[weights > 0]
    out = {
        "n": int(len(y)),
        "complaint_share": round(float(y.mean()), 4) if len(y) else None,
        "macro_f1": float(f1_score(y, pred, average="macro", labels=[0, 1], zero_division=0,
                                   sample_weight=weights)),
        "precision": float(precision_score(y, pred, zero_division=0, sample_weight=weights)),
        "recall": float(recall_score(y, pred, zero_division=0, sample_weight=weights)),
        "roc_auc": None,
        "calibration_error": expected_calibration_error(y, p) if len(y) else None,
    }
    if len(set(counted.tolist())) == 2:
        out["roc_auc"] = float(roc_auc_score(y, p, sample_weight=weights))
        tpr = out["recall"]
        w = np.ones(len(y)) if weights is None else weights
        fpr = float(w[(pred == 1) & (y == 0)].sum() / w[y == 0].sum())
        for prev in PREVALENCES:
            denom = tpr * prev + fpr * (1 - prev)
            out[f"precision_at_{int(prev * 100)}pct_complaints"] = round(tpr * prev / denom, 4) if denom else None
    return {k: _finite(v) for k, v in out.items()}


def _finite(value):
    """A float rounded for the report, or None where it isn't a number (NaN is not JSON)."""
    if isinstance(value, float):
        return round(value, 4) if np.isfinite(value) else None
    return value


def metrics_by_lang(y, p, langs, threshold: float, weights=None) -> dict:
    """``metrics`` overall plus the same for each language under ``by_lang``."""
    y, p, langs = np.asarray(y), np.asarray(p), np.asarray(langs)
    w = None if weights is None else np.asarray(weights)
    result = metrics(y, p, threshold, w)
    result["by_lang"] = {
        lang: metrics(y[langs == lang], p[langs == lang], threshold, None if w is None else w[langs == lang])
        for lang in sorted(set(langs.tolist()))
    }
    return result


def threshold_for_recall(y, p, target: float) -> float:
    """Highest threshold whose complaint recall on (y, p) is still at least ``target``."""
    y, p = np.asarray(y), np.asarray(p)
    positives = np.sort(p[y == 1])[::-1]
    if len(positives) == 0:
        return 0.5
    k = int(np.ceil(target * len(positives)))  # flag at least k of the complaints
    return float(positives[min(k, len(positives)) - 1])


def report(model, ds) -> dict:
    """Evaluate a loaded model on a Dataset: the JSON the ``evaluate`` command prints."""
    preds = model.predict_proba_langs(ds.texts)
    p = np.array([q for q, _ in preds])
    result = metrics_by_lang(ds.y, p, ds.langs, model.threshold, ds.w)
    result["threshold"] = model.threshold
    result["model_version"] = model.version
    return result
