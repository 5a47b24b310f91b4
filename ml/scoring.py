"""Score featurised comments with the fitted pipeline's numbers, without sklearn's machinery.

For the pipeline ``TextFeatures → TfidfTransformer(sublinear_tf, l2) → CalibratedClassifierCV
(sigmoid, one model)``, the complaint probability of a comment whose hashed columns j hold the
counts c_j is

    v_j = (1 + ln c_j) · idf_j
    p   = 1 / (1 + exp(a · (Σ_j v_j · coef_j / ‖v‖ + intercept) + b))

which is what ``Pipeline.predict_proba`` computes, without its per-call input validation and
without building feature strings per comment (``ml.featurise`` does the text side).
"""

from __future__ import annotations

import threading
from itertools import chain
from operator import itemgetter

import numpy as np
from scipy.special import expit

from ml.featurise import Featurised, count_rows, featurise
from ml.vocab import Grow, Vocab, vocab_for

__all__ = ["LinearScorer", "Scored"]

_PLAIN_OR_TURKIC = (itemgetter(0), itemgetter(1))


class Scored:
    """A scored batch: ``langs`` and complaint probabilities ``p``, and what explanations need."""

    def __init__(self, found: Featurised, p: np.ndarray, unit_weight: np.ndarray):
        self.langs, self.p = found.langs, p
        vocab = self._vocab = found.vocab
        n = np.arange(len(found.langs) + 1)
        # Python lists: explanations read a few items per comment, which numpy scalars make slow.
        self._tokens = vocab.unit_token.data[found.units].tolist()
        self._unit_weight = unit_weight[found.units].tolist()
        self._unit_bounds = np.searchsorted(found.unit_text, n).tolist()
        self._pair_weight, self._pair_at = unit_weight[found.pairs].tolist(), found.pair_at.tolist()
        self._pair_bounds = np.searchsorted(found.pair_text, n).tolist()
        self._chunks, self._chunk_bounds = found.chunks, np.searchsorted(found.chunk_text, n).tolist()

    def tokens(self, i: int) -> list[str]:
        """The tokens the model saw in comment ``i``."""
        return self._tokens[self._unit_bounds[i]:self._unit_bounds[i + 1]]

    def unit_weights(self, i: int) -> list[tuple[float, str]]:
        """(pull toward complaint, unit) for comment ``i``'s tokens and word pairs with a positive pull."""
        a, b = self._unit_bounds[i], self._unit_bounds[i + 1]
        tokens = self._tokens[a:b]
        out = [(w, tok) for w, tok in zip(self._unit_weight[a:b], tokens) if w > 0]
        a, b = self._pair_bounds[i], self._pair_bounds[i + 1]
        if a < b:
            out += [(w, tokens[k] + " " + tokens[k + 1])
                    for w, k in zip(self._pair_weight[a:b], self._pair_at[a:b]) if w > 0]
        return out

    def words_as_written(self, i: int, turkic: bool) -> dict[str, str]:
        """Lower-cased word -> the word as written in comment ``i`` (its last spelling there)."""
        chunks = self._chunks[self._chunk_bounds[i]:self._chunk_bounds[i + 1]]
        known = self._vocab.spellings.data[chunks].tolist()
        if None in known:
            known = list(map(self._vocab.words_as_written, chunks.tolist()))
        return dict(chain.from_iterable(map(_PLAIN_OR_TURKIC[turkic], known)))


class LinearScorer:
    """The arithmetic of a fitted pipeline, over the process's ``Vocab`` for its feature settings.

    Thread-safe: the Vocab only grows, under its lock; so does the scorer's one mutable part, the
    weight of each unit, under its own lock: rows already handed out are never written again.
    """

    def __init__(self, features, tfidf, clf):
        if not (tfidf.sublinear_tf and tfidf.use_idf and tfidf.norm == "l2"):
            raise ValueError("expected TfidfTransformer(sublinear_tf=True, norm='l2', use_idf=True)")
        if clf.method != "sigmoid" or len(clf.calibrated_classifiers_) != 1 or len(clf.classes_) != 2:
            raise ValueError("expected one sigmoid-calibrated binary classifier (ensemble=False)")
        calibrated = clf.calibrated_classifiers_[0]
        (calibrator,) = calibrated.calibrators
        linear = calibrated.estimator
        self.n_features = int(features.n_features)
        self.kind = features.kind
        self.char_ngrams = tuple(features.char_ngrams)
        self.idf = np.asarray(tfidf.idf_, dtype=np.float64)
        self.coef = np.asarray(linear.coef_, dtype=np.float64).ravel()
        self.intercept = float(np.ravel(linear.intercept_)[0])
        self.a, self.b = float(calibrator.a_), float(calibrator.b_)
        if self.coef.shape != (self.n_features,) or self.idf.shape != (self.n_features,):
            raise ValueError("coefficients or idf don't match the number of hashed features")
        self.weights = self.coef * self.idf  # pull of one occurrence of each column
        self._lock = threading.Lock()
        self._unit_weight: tuple[Vocab | None, Grow] = (None, Grow(np.float64))

    def score(self, texts: list[str]) -> Scored:
        """Languages and complaint probabilities of ``texts`` (a list of str)."""
        found = featurise(texts, vocab_for(self.n_features, self.kind, self.char_ngrams))
        n = len(texts)
        rows, columns, counts = count_rows(found)
        tf = np.log(counts)
        tf += 1.0
        v = tf * self.idf[columns]
        norms = np.sqrt(np.bincount(rows, weights=v * v, minlength=n))
        norms[norms == 0.0] = 1.0
        decision = np.bincount(rows, weights=v * self.coef[columns], minlength=n) / norms + self.intercept
        return Scored(found, expit(-(self.a * decision + self.b)), self._weights_of_units(found.vocab))

    def _weights_of_units(self, vocab: Vocab) -> np.ndarray:
        """Σ coef·idf·count over each unit's columns (its pull toward complaint, for reasons)."""
        known, weight = self._unit_weight
        size = weight.size  # before the data: a size is only published once its rows are written
        if known is vocab and size >= vocab.unit_word.size:
            return weight.data[:size]
        ptr, columns, counts = vocab.unit_rows()
        with self._lock:
            known, weight = self._unit_weight
            if known is not vocab:
                weight = Grow(np.float64)
                self._unit_weight = (vocab, weight)
            done, m = weight.size, len(ptr) - 1
            if done < m:
                # The new units' rows, summed in column order as a sparse product would. Appended
                # with room to spare: a comment's few new words must not copy every unit's weight.
                first, last = ptr[done], ptr[m]
                rows = np.repeat(np.arange(m - done), np.diff(ptr[done:]))
                pulls = counts[first:last] * self.weights[columns[first:last]]
                weight.extend(np.bincount(rows, weights=pulls, minlength=m - done))
            return weight.data[: weight.size]
