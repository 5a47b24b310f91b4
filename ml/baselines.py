"""Baselines the model must beat: majority class, bag-of-words logistic regression, VADER (en)."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

__all__ = ["BASELINES", "vader_scores"]

_vader = None


def _majority(train_texts, y, w, test_texts):
    share = np.average(y, weights=w)
    return np.full(len(test_texts), 1.0 if share > 0.5 else 0.0)


def _bow_logreg(train_texts, y, w, test_texts):
    pipe = make_pipeline(CountVectorizer(), LogisticRegression(max_iter=1000))
    pipe.fit(train_texts, y, logisticregression__sample_weight=w)
    return pipe.predict_proba(test_texts)[:, 1]


def vader_scores(texts) -> np.ndarray:
    """VADER compound score mapped to [0, 1], 1 = most negative (complaint-like)."""
    global _vader
    if _vader is None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        _vader = SentimentIntensityAnalyzer()
    return np.array([(1.0 - _vader.polarity_scores(t)["compound"]) / 2.0 for t in texts])


def _vader_en(train_texts, y, w, test_texts):
    return vader_scores(test_texts)


#: name -> (scorer(train_texts, y, weights, test_texts) -> probabilities, languages or None for all)
BASELINES = {
    "majority_class": (_majority, None),
    "bow_logreg": (_bow_logreg, None),
    "vader": (_vader_en, ("en",)),
}
