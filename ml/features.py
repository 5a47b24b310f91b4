"""Turn comments into hashed word and character n-gram counts.

One pass per comment: detect the language, normalise, tokenise, mark negation, then emit
- ``w:`` words (Snowball-stemmed for en/ru, folded) with their negation mark, and ``b:`` bigrams;
- character n-grams of each folded token padded with spaces (like ``char_wb``), which carry
  Azerbaijani suffixes (negation "-ma/-mə", tense, person) without an Azerbaijani stemmer.
Hashing keeps the model small and needs no vocabulary; the per-word n-gram cache keeps it fast.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction import FeatureHasher
from sklearn.utils import murmurhash3_32

from ml.langid import detect_language
from ml.text import NEG_SUFFIX, fold, mark_negation, normalised_tokens, stem

__all__ = [
    "TextFeatures", "Analysis", "analyse", "select", "feature_index", "hashed_tokens", "comment_tokens",
    "token_features",
    "bigram_feature", "joins_bigrams", "SKIPPED",
]

#: Pauses: they end a negation scope, then are dropped.
SKIPPED = frozenset(".,;")
_PAIR_BREAKS = frozenset("!?")
_CACHE_LIMIT = 300_000
#: (lang, lo, hi) -> token -> its features. Nested so the hot lookup is by a plain string.
_word_cache: dict[tuple, dict[str, tuple[str, ...]]] = {}
#: (n_features, kind, lang, lo, hi) -> token -> hashed (indices, counts) of its features.
_index_cache: dict[tuple, dict[str, tuple]] = {}


@dataclass(frozen=True)
class Analysis:
    """A comment broken into what the model sees, kept per token so features map back to words."""

    lang: str
    tokens: list[str]  # normalised tokens, as the citizen wrote them (lower-cased)
    token_features: list[tuple[str, ...]]  # the word and char n-gram features of each token
    bigrams: list[tuple[int, str]]  # (index of first token, bigram feature)

    @property
    def features(self) -> list[str]:
        out = [f for feats in self.token_features for f in feats]
        out.extend(b for _, b in self.bigrams)
        return out


def token_features(token: str, lang: str, lo: int, hi: int) -> tuple[str, ...]:
    """The word feature (first) and the char n-grams of one token of a comment in ``lang``."""
    cache = _word_cache.get((lang, lo, hi))
    if cache is None:
        cache = _word_cache[(lang, lo, hi)] = {}
    cached = cache.get(token)
    if cached is not None:
        return cached
    negated = token.endswith(NEG_SUFFIX)
    base = token[: -len(NEG_SUFFIX)] if negated else token
    word = fold(stem(base, lang)) if base.isalpha() else base
    feats = ["w:" + word + (NEG_SUFFIX if negated else "")]
    padded = " " + fold(base) + " "
    size = len(padded)
    for n in range(lo, hi + 1):
        feats.extend(padded[i : i + n] for i in range(size - n + 1))
    if len(cache) > _CACHE_LIMIT:
        cache.clear()  # Crude bound; comments reuse few words, so it refills fast.
    result = tuple(feats)
    cache[token] = result
    return result


def comment_tokens(text: str, lang: str) -> list[str]:
    """The tokens the model sees: normalised, negation-marked, without the pauses ``.,;``."""
    return [t for t in mark_negation(normalised_tokens(text, lang), lang) if t not in SKIPPED]


def bigram_feature(left: str, right: str) -> str:
    """The ``b:`` feature of two neighbouring tokens, given their ``w:`` features."""
    return "b:" + left[2:] + " " + right[2:]


def joins_bigrams(token: str) -> bool:
    """Whether ``token`` takes part in word pairs ("!" and "?" break them)."""
    return token not in _PAIR_BREAKS


def analyse(text: str, lang: str | None = None, char_ngrams: tuple[int, int] = (2, 5)) -> Analysis:
    """Break ``text`` into tokens and their features (see the module docstring)."""
    if lang is None:
        lang = detect_language(text)
    tokens = comment_tokens(text, lang)
    lo, hi = char_ngrams
    feats = [token_features(t, lang, lo, hi) for t in tokens]
    bigrams = []
    for i in range(len(tokens) - 1):
        if joins_bigrams(tokens[i]) and joins_bigrams(tokens[i + 1]):
            bigrams.append((i, bigram_feature(feats[i][0], feats[i + 1][0])))
    return Analysis(lang, tokens, feats, bigrams)


def feature_index(feature: str, n_features: int) -> int:
    """The column FeatureHasher(alternate_sign=False) gives ``feature`` (same murmurhash rule)."""
    h = murmurhash3_32(feature, seed=0)
    if h == -(2**31):
        return (2**31 - 1 - (n_features - 1)) % n_features
    return abs(h) % n_features


def hashed_tokens(wanted, *, n_features: int, kind: str, char_ngrams: tuple[int, int]) -> dict[tuple, tuple]:
    """(columns, counts) of the features of each (lang, token) in ``wanted``, as
    FeatureHasher(alternate_sign=False) gives them: columns ascending, repeated features summed.

    Cached for the process, since hashing depends on the settings, not on a fitted model.
    """
    lo, hi = char_ngrams
    out: dict[tuple, tuple] = {}
    missing: dict[tuple, list[str]] = {}
    for key in wanted:
        if key in out or key in missing:
            continue
        lang, tok = key
        cache = _index_cache.get((n_features, kind, lang, lo, hi))
        if cache is None:
            cache = _index_cache.setdefault((n_features, kind, lang, lo, hi), {})
        found = cache.get(tok)
        if found is None:
            missing[key] = select(list(token_features(tok, lang, lo, hi)), kind)
        else:
            out[key] = found
    if missing:
        for (lang, tok), arrays in zip(missing, _hash_rows(list(missing.values()), n_features)):
            out[(lang, tok)] = arrays
            cache = _index_cache[(n_features, kind, lang, lo, hi)]
            if len(cache) > _CACHE_LIMIT:
                cache.clear()
            cache[tok] = arrays
    return out


def _hash_rows(rows: list[list[str]], n_features: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """FeatureHasher's (columns, counts) for each list of string features, in one call."""
    hasher = FeatureHasher(n_features=n_features, input_type="string", alternate_sign=False)
    X = hasher.transform(rows)
    ptr = X.indptr.tolist()
    return [(X.indices[a:b], X.data[a:b]) for a, b in zip(ptr[:-1], ptr[1:])]


def select(features: list[str], kind: str) -> list[str]:
    """Keep all features, only the word ones (``w:``/``b:``), or only the character n-grams."""
    if kind == "all":
        return features
    words = kind == "words"
    return [f for f in features if f.startswith(("w:", "b:")) == words]


class TextFeatures(TransformerMixin, BaseEstimator):
    """Hash word uni/bigrams and character n-grams of comments into a sparse count matrix.

    Stateless apart from its parameters, so ``fit`` learns nothing; it exists for the Pipeline.
    """

    def __init__(self, *, n_features: int = 2**18, char_ngrams: tuple[int, int] = (2, 5), kind: str = "all"):
        self.n_features = n_features
        self.char_ngrams = char_ngrams
        self.kind = kind  # "all", "words" or "chars"

    def fit(self, X, y=None):
        self.n_features_out_ = self.n_features
        return self

    def transform(self, X):
        return self.transform_analyses([analyse(t, char_ngrams=tuple(self.char_ngrams)) for t in X])

    def _token_arrays(self, analyses: list[Analysis]) -> list[list[tuple[np.ndarray, np.ndarray]]]:
        """Hashed (indices, counts) of each token of each comment; each distinct token hashed once."""
        arrays = hashed_tokens(((a.lang, tok) for a in analyses for tok in a.tokens),
                               n_features=self.n_features, kind=self.kind, char_ngrams=tuple(self.char_ngrams))
        return [[arrays[(a.lang, tok)] for tok in a.tokens] for a in analyses]

    def _bigram_indices(self, a: Analysis) -> list[int]:
        cache = _index_cache.setdefault((self.n_features, "bigrams"), {})
        out = []
        for _, b in a.bigrams:
            j = cache.get(b)
            if j is None:
                if len(cache) > _CACHE_LIMIT:
                    cache.clear()
                j = cache[b] = feature_index(b, self.n_features)
            out.append(j)
        return out

    def transform_analyses(self, analyses: list[Analysis]):
        """Count matrix of already analysed comments (lets callers reuse the detected language)."""
        units = self._token_arrays(analyses)
        if self.kind != "chars":
            for a, doc in zip(analyses, units):
                if a.bigrams:
                    idx = np.array(self._bigram_indices(a), dtype=np.int32)
                    doc.append((idx, np.ones(len(idx))))
        indptr = np.zeros(len(units) + 1, dtype=np.int64)
        indptr[1:] = np.cumsum([sum(len(u[0]) for u in doc) for doc in units])
        flat = [u for doc in units for u in doc]
        if flat:
            indices = np.concatenate([u[0] for u in flat])
            data = np.concatenate([u[1] for u in flat])
        else:
            indices, data = np.zeros(0, dtype=np.int32), np.zeros(0)
        X = sp.csr_matrix((data, indices, indptr), shape=(len(units), self.n_features))
        X.sum_duplicates()
        return X
