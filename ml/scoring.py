"""Score comments with the fitted pipeline's numbers directly, without sklearn's per-call machinery.

For the pipeline ``TextFeatures → TfidfTransformer(sublinear_tf, l2) → CalibratedClassifierCV
(sigmoid, one model)``, the complaint probability of a comment whose hashed columns j hold the
counts c_j is

    v_j = (1 + ln c_j) · idf_j
    p   = 1 / (1 + exp(a · (Σ_j v_j · coef_j / ‖v‖ + intercept) + b))

which is what ``Pipeline.predict_proba`` computes, only without input validation on every call
(most of the time of a one-comment prediction) and without building feature strings per comment.
Comments reuse a small vocabulary, so each distinct token's hashed columns and its pull toward
complaint are worked out once and cached; a comment then costs its tokenising and a few lookups.
"""

from __future__ import annotations

from operator import itemgetter

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction import FeatureHasher
from sklearn.feature_extraction.text import TfidfTransformer

from ml.features import (
    TextFeatures, bigram_feature, comment_tokens, feature_index, joins_bigrams, select, token_features,
)
from ml.langid import detect_language

__all__ = ["LinearScorer", "Doc"]

#: Bound on each cache (entries); cleared when exceeded, as comments reuse few words.
CACHE_LIMIT = 200_000
_ONE = np.ones(1).tobytes()
_COLUMNS, _COUNTS, _SIZE = itemgetter(1), itemgetter(2), itemgetter(5)


class Doc:
    """One comment as the scorer sees it: language, tokens, and the cached entry of each unit.

    A unit entry is ``(word, indices, counts, weight, joins, size)``: the token's ``w:`` feature,
    its hashed columns (int32) and counts (float64) as raw bytes, Σ coef·idf·count over them (its
    pull toward complaint, for reasons), whether it takes part in word pairs, and how many columns
    it has. ``pair_units`` holds the entries of word pairs, ``pair_starts`` their first tokens. Bytes because a batch then joins its
    units' columns in one call: concatenating thousands of small arrays costs ten times more.
    """

    __slots__ = ("lang", "tokens", "units", "pair_starts", "pair_units")

    def __init__(self, lang: str, tokens: list[str], units: list):
        self.lang, self.tokens, self.units = lang, tokens, units
        self.pair_starts: list[int] = []
        self.pair_units: list[tuple] = []

    def unit_weights(self) -> list[tuple[float, str]]:
        """(pull toward complaint, unit) for each token and word pair of the comment."""
        out = [(u[3], tok) for u, tok in zip(self.units, self.tokens)]
        tokens = self.tokens
        out.extend((e[3], tokens[i] + " " + tokens[i + 1]) for i, e in zip(self.pair_starts, self.pair_units))
        return out


class LinearScorer:
    """The arithmetic of a fitted pipeline, plus per-model caches of token and word-pair entries.

    Read-only apart from the caches, which are plain dicts: a lookup or an insert is atomic under
    the GIL, and a batch keeps its own new entries, so concurrent batches (or a cache being cleared
    by another thread) can't hand it a missing or half-built entry.
    """

    def __init__(self, features: TextFeatures, tfidf: TfidfTransformer, clf: CalibratedClassifierCV):
        if not (tfidf.sublinear_tf and tfidf.use_idf and tfidf.norm == "l2"):
            raise ValueError("expected TfidfTransformer(sublinear_tf=True, norm='l2', use_idf=True)")
        if clf.method != "sigmoid" or len(clf.calibrated_classifiers_) != 1 or len(clf.classes_) != 2:
            raise ValueError("expected one sigmoid-calibrated binary classifier (ensemble=False)")
        calibrated = clf.calibrated_classifiers_[0]
        (calibrator,) = calibrated.calibrators
        linear = calibrated.estimator
        self.n_features = int(features.n_features)
        self.kind = features.kind
        self.lo, self.hi = features.char_ngrams
        self.idf = np.asarray(tfidf.idf_, dtype=np.float64)
        self.coef = np.asarray(linear.coef_, dtype=np.float64).ravel()
        self.intercept = float(np.ravel(linear.intercept_)[0])
        self.a, self.b = float(calibrator.a_), float(calibrator.b_)
        if self.coef.shape != (self.n_features,) or self.idf.shape != (self.n_features,):
            raise ValueError("coefficients or idf don't match the number of hashed features")
        self.weights = self.coef * self.idf  # pull of one occurrence of each column
        self._tokens: dict[str, dict[str, tuple]] = {}  # lang -> token -> entry
        self._pairs: dict[str, tuple] = {}  # "b:" feature -> entry

    # -- turning comments into Docs ---------------------------------------------------------
    def docs(self, texts) -> list[Doc]:
        """Tokenise ``texts`` and attach each unit's cached entry, hashing new tokens in one go."""
        docs, waiting = [], []
        token_caches = self._tokens
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"comments must be str, got {type(text).__name__}")
            lang = detect_language(text)
            tokens = comment_tokens(text, lang)
            cache = token_caches.get(lang)
            if cache is None:
                cache = token_caches.setdefault(lang, {})
            units = [cache.get(t) for t in tokens]
            doc = Doc(lang, tokens, units)
            if None in units:
                waiting.append(doc)
            elif self.kind != "chars":
                self._attach_pairs(doc)
            docs.append(doc)
        if waiting:
            fresh = self._hash_tokens(waiting)
            for doc in waiting:
                doc.units = [u if u is not None else fresh[(doc.lang, t)] for u, t in zip(doc.units, doc.tokens)]
                if self.kind != "chars":
                    self._attach_pairs(doc)
        return docs

    def _attach_pairs(self, doc: Doc) -> None:
        cache = self._pairs
        units = doc.units
        starts, pairs = doc.pair_starts, doc.pair_units
        for i in range(len(units) - 1):
            left, right = units[i], units[i + 1]
            if left[4] and right[4]:
                key = bigram_feature(left[0], right[0])
                entry = cache.get(key)
                if entry is None:
                    j = feature_index(key, self.n_features)
                    entry = (key, np.array([j], dtype=np.int32).tobytes(), _ONE, float(self.weights[j]), True, 1)
                    if len(cache) >= CACHE_LIMIT:
                        cache.clear()
                    cache[key] = entry
                starts.append(i)
                pairs.append(entry)

    def _hash_tokens(self, docs: list[Doc]) -> dict[tuple[str, str], tuple]:
        """Entries for the tokens of ``docs`` not yet cached, hashed together (C speed)."""
        missing: dict[tuple[str, str], tuple[str, ...]] = {}
        for doc in docs:
            for unit, tok in zip(doc.units, doc.tokens):
                if unit is None and (doc.lang, tok) not in missing:
                    missing[(doc.lang, tok)] = token_features(tok, doc.lang, self.lo, self.hi)
        hasher = FeatureHasher(n_features=self.n_features, input_type="string", alternate_sign=False)
        counts = hasher.transform(select(list(f), self.kind) for f in missing.values())
        ptr, ind, dat = counts.indptr, counts.indices, counts.data
        weights = self.weights
        fresh = {}
        for i, ((lang, tok), feats) in enumerate(missing.items()):
            idx, cnt = ind[ptr[i]:ptr[i + 1]], dat[ptr[i]:ptr[i + 1]]
            fresh[(lang, tok)] = (feats[0], idx.astype(np.int32).tobytes(), cnt.astype(np.float64).tobytes(),
                                  float(weights[idx] @ cnt), joins_bigrams(tok), len(idx))
        for (lang, tok), entry in fresh.items():
            cache = self._tokens[lang]
            if len(cache) >= CACHE_LIMIT:
                cache.clear()
            cache[tok] = entry
        return fresh

    # -- probabilities ------------------------------------------------------------------------
    def probabilities(self, docs: list[Doc]) -> np.ndarray:
        """Complaint probability of each Doc (equal to the pipeline's predict_proba[:, 1])."""
        n = len(docs)
        columns, counts, sizes = [], [], [0]
        for doc in docs:
            units = doc.units
            columns += map(_COLUMNS, units)
            counts += map(_COUNTS, units)
            pairs = doc.pair_units
            columns += map(_COLUMNS, pairs)
            counts += map(_COUNTS, pairs)
            sizes.append(sum(map(_SIZE, units)) + len(pairs))
        # bytearray: writable, since sum_duplicates and the TF-IDF steps work in place.
        indices = np.frombuffer(bytearray().join(columns), dtype=np.int32)
        counts = np.frombuffer(bytearray().join(counts), dtype=np.float64)
        indptr = np.cumsum(sizes)
        X = sp.csr_matrix((counts, indices, indptr), shape=(n, self.n_features))
        X.sum_duplicates()  # a column shared by several tokens counts once, with their summed count
        v = X.data
        np.log(v, out=v)
        v += 1.0
        v *= self.idf[X.indices]
        rows = np.repeat(np.arange(n), np.diff(X.indptr))
        norms = np.sqrt(np.bincount(rows, weights=v * v, minlength=n))
        norms[norms == 0.0] = 1.0
        decision = np.bincount(rows, weights=v * self.coef[X.indices], minlength=n) / norms + self.intercept
        return expit(-(self.a * decision + self.b))
