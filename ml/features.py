"""Turn comments into hashed word and character n-gram counts: the pipeline's first step.

What the features are is in ``ml.hashing``; ``TextFeatures`` computes them for a batch through
``ml.featurise`` (shared with prediction). ``analyse`` spells out one comment's features, for
training code that wants the feature strings themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from ml.featurise import SLICE, count_rows, featurise
from ml.hashing import bigram_feature, comment_tokens, joins_bigrams, token_features
from ml.langid import detect_language
from ml.vocab import vocab_for

__all__ = ["TextFeatures", "Analysis", "analyse"]


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


def analyse(text: str, lang: str | None = None, char_ngrams: tuple[int, int] = (2, 5)) -> Analysis:
    """Break ``text`` into tokens and their features (what they are: see ``ml.hashing``)."""
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
        texts = list(X)
        vocab = vocab_for(self.n_features, self.kind, tuple(self.char_ngrams))
        parts = []
        for start in range(0, len(texts), SLICE):  # slices bound the working memory
            part = texts[start:start + SLICE]
            rows, columns, counts = count_rows(featurise(part, vocab))
            counts = sp.csr_matrix((counts, (rows, columns)), shape=(len(part), self.n_features))
            counts.sum_duplicates()  # canonical: columns ascending in each row
            parts.append(counts)
        if not parts:
            return sp.csr_matrix((0, self.n_features))
        return parts[0] if len(parts) == 1 else sp.vstack(parts, format="csr")
