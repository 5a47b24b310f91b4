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
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction import FeatureHasher

from ml.langid import detect_language
from ml.text import NEG_SUFFIX, fold, mark_negation, normalise, stem, tokenise

__all__ = ["TextFeatures", "Analysis", "analyse", "select"]

_SKIP = frozenset(".,;")
_CACHE_LIMIT = 300_000
_word_cache: dict[tuple, tuple[str, ...]] = {}


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


def _token_features(token: str, lang: str, lo: int, hi: int) -> tuple[str, ...]:
    key = (token, lang, lo, hi)
    cached = _word_cache.get(key)
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
    if len(_word_cache) > _CACHE_LIMIT:
        _word_cache.clear()  # Crude bound; comments reuse few words, so it refills fast.
    result = tuple(feats)
    _word_cache[key] = result
    return result


def analyse(text: str, lang: str | None = None, char_ngrams: tuple[int, int] = (2, 5)) -> Analysis:
    """Break ``text`` into tokens and their features (see the module docstring)."""
    if lang is None:
        lang = detect_language(text)
    tokens = [t for t in mark_negation(tokenise(normalise(text, lang)), lang) if t not in _SKIP]
    lo, hi = char_ngrams
    token_features = [_token_features(t, lang, lo, hi) for t in tokens]
    bigrams = []
    for i in range(len(tokens) - 1):
        left, right = token_features[i][0], token_features[i + 1][0]
        if tokens[i] not in "!?" and tokens[i + 1] not in "!?":
            bigrams.append((i, "b:" + left[2:] + " " + right[2:]))
    return Analysis(lang, tokens, token_features, bigrams)


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

    def _hasher(self) -> FeatureHasher:
        return FeatureHasher(n_features=self.n_features, input_type="string", alternate_sign=False)

    def transform(self, X):
        return self.transform_analyses([analyse(t, char_ngrams=tuple(self.char_ngrams)) for t in X])

    def transform_analyses(self, analyses: list[Analysis]):
        """Hash already analysed comments (lets callers reuse the detected language)."""
        return self._hasher().transform(select(a.features, self.kind) for a in analyses)

    def indices(self, features: list[str]) -> np.ndarray:
        """Column index of each feature, in order (to map coefficients back to n-grams)."""
        if not features:
            return np.zeros(0, dtype=np.int64)
        return self._hasher().transform([f] for f in features).indices
