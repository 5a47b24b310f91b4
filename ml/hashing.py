"""What the model sees of one token or one word pair, and the columns it hashes to.

- ``w:`` words (Snowball-stemmed for en/ru, folded) with their negation mark, and ``b:`` pairs of
  neighbouring words;
- character n-grams of each folded token padded with spaces (like ``char_wb``), which carry
  Azerbaijani suffixes (negation "-ma/-mə", tense, person) without an Azerbaijani stemmer.
Hashing (FeatureHasher, no sign flipping) keeps the model small and needs no vocabulary. Comments
reuse few words, so each token's features are worked out once per process (and its columns once
per ``ml.vocab.Vocab``).
"""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction import FeatureHasher
from sklearn.utils import murmurhash3_32

from ml.text import NEG_SUFFIX, fold, mark_negation, normalised_tokens, stem

__all__ = [
    "SKIPPED", "token_features", "comment_tokens", "bigram_feature", "joins_bigrams", "feature_index",
    "hashed_tokens", "select",
]

#: Pauses: they end a negation scope, then are dropped.
SKIPPED = frozenset(".,;")
_PAIR_BREAKS = frozenset("!?")
_CACHE_LIMIT = 300_000
#: Up to this many tokens (a comment's new words), hashing feature by feature costs less than
#: FeatureHasher's set-up and sparse matrix; a training batch's thousands go through FeatureHasher.
_ONE_BY_ONE = 8
#: (lang, lo, hi) -> token -> its features. Nested so the hot lookup is by a plain string.
_word_cache: dict[tuple, dict[str, tuple[str, ...]]] = {}


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


def feature_index(feature: str, n_features: int) -> int:
    """The column FeatureHasher(alternate_sign=False) gives ``feature`` (same murmurhash rule)."""
    h = murmurhash3_32(feature, seed=0)
    if h == -(2**31):
        return (2**31 - 1 - (n_features - 1)) % n_features
    return abs(h) % n_features


def hashed_tokens(wanted, *, n_features: int, kind: str, char_ngrams: tuple[int, int]) -> dict[tuple, tuple]:
    """(columns, counts) of the features of each distinct (lang, token) in ``wanted``, as
    FeatureHasher(alternate_sign=False) gives them (columns ascending, repeats summed): many tokens
    in one FeatureHasher call, a few one by one. (``ml.vocab`` keeps the result; nothing is cached
    here.)"""
    lo, hi = char_ngrams
    keys = list(dict.fromkeys(wanted))
    rows = [select(list(token_features(tok, lang, lo, hi)), kind) for lang, tok in keys]
    if len(keys) <= _ONE_BY_ONE:
        return {key: _hashed_row(row, n_features) for key, row in zip(keys, rows)}
    X = FeatureHasher(n_features=n_features, input_type="string", alternate_sign=False).transform(rows)
    ptr = X.indptr.tolist()
    return {key: (X.indices[a:b], X.data[a:b]) for key, a, b in zip(keys, ptr[:-1], ptr[1:])}


def _hashed_row(features: list[str], n_features: int) -> tuple:
    """One row as FeatureHasher gives it, hashing feature by feature (same columns, same sums)."""
    columns = np.fromiter((feature_index(f, n_features) for f in features), dtype=np.int32, count=len(features))
    columns, counts = np.unique(columns, return_counts=True)
    return columns, counts.astype(np.float64)


def select(features: list[str], kind: str) -> list[str]:
    """Keep all features, only the word ones (``w:``/``b:``), or only the character n-grams."""
    if kind == "all":
        return features
    words = kind == "words"
    return [f for f in features if f.startswith(("w:", "b:")) == words]
