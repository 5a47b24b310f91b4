"""Score a batch of comments with the fitted pipeline's numbers, mostly in array operations.

For the pipeline ``TextFeatures → TfidfTransformer(sublinear_tf, l2) → CalibratedClassifierCV
(sigmoid, one model)``, the complaint probability of a comment whose hashed columns j hold the
counts c_j is

    v_j = (1 + ln c_j) · idf_j
    p   = 1 / (1 + exp(a · (Σ_j v_j · coef_j / ‖v‖ + intercept) + b))

which is what ``Pipeline.predict_proba`` computes, without its per-call input validation and
without building feature strings per comment. Per comment, Python only splits the text and looks
its chunks up (``ml.vocab``); language, tokens, word pairs and the sum above are array operations
over the batch. Comments with a negator take the word-by-word path for their tokens, since
negation marks words across chunks.
"""

from __future__ import annotations

from itertools import chain, repeat
from operator import ne

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfTransformer

from ml.features import SKIPPED, TextFeatures
from ml.langid import by_letters, by_words
from ml.text import mark_negation, masked
from ml.vocab import SLOTS, Vocab

__all__ = ["LinearScorer", "Scored"]

#: Up to this many units (about 50 comments), merge columns by sorting rather than a sparse product.
SMALL = 500


class Scored:
    """A scored batch: ``langs`` and complaint probabilities ``p``, and what ``unit_weights`` needs."""

    def __init__(self, vocab: Vocab, langs: list[str], p: np.ndarray, units: np.ndarray, unit_text: np.ndarray,
                 pairs: np.ndarray, pair_text: np.ndarray, pair_at: np.ndarray, views: np.ndarray,
                 text_of: np.ndarray, negated_tokens: dict[int, list[str]]):
        self.langs, self.p = langs, p
        n = np.arange(len(langs) + 1)
        weight = vocab.unit_weight.data
        # Python lists: reasons read a few items per comment, which numpy scalars make slow.
        self._unit_weight, self._unit_bounds = weight[units].tolist(), np.searchsorted(unit_text, n).tolist()
        self._pair_weight, self._pair_at = weight[pairs].tolist(), pair_at.tolist()
        self._pair_bounds = np.searchsorted(pair_text, n).tolist()
        self._views, self._view_bounds = views, np.searchsorted(text_of, n).tolist()
        self._view_tokens, self._negated_tokens = vocab.view_tokens, negated_tokens

    def tokens(self, i: int) -> list[str]:
        """The tokens the model saw in comment ``i``."""
        tokens = self._negated_tokens.get(i)
        if tokens is None:
            view_tokens = self._view_tokens
            views = self._views[self._view_bounds[i]:self._view_bounds[i + 1]].tolist()
            tokens = list(chain.from_iterable(view_tokens[v][1] for v in views))
        return tokens

    def unit_weights(self, i: int) -> list[tuple[float, str]]:
        """(pull toward complaint, unit) for comment ``i``'s tokens and word pairs with a positive pull."""
        tokens = self.tokens(i)
        weights = self._unit_weight[self._unit_bounds[i]:self._unit_bounds[i + 1]]
        out = [(w, tok) for w, tok in zip(weights, tokens) if w > 0]
        a, b = self._pair_bounds[i], self._pair_bounds[i + 1]
        if a < b:
            out += [(w, tokens[k] + " " + tokens[k + 1])
                    for w, k in zip(self._pair_weight[a:b], self._pair_at[a:b]) if w > 0]
        return out


class LinearScorer:
    """The arithmetic of a fitted pipeline over a ``Vocab`` of what it has seen.

    Thread-safe: the Vocab only grows, under its lock; a full one is replaced, not cleared, and
    a batch keeps the one it started with.
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
        self.char_ngrams = tuple(features.char_ngrams)
        self.idf = np.asarray(tfidf.idf_, dtype=np.float64)
        self.coef = np.asarray(linear.coef_, dtype=np.float64).ravel()
        self.intercept = float(np.ravel(linear.intercept_)[0])
        self.a, self.b = float(calibrator.a_), float(calibrator.b_)
        if self.coef.shape != (self.n_features,) or self.idf.shape != (self.n_features,):
            raise ValueError("coefficients or idf don't match the number of hashed features")
        self.weights = self.coef * self.idf  # pull of one occurrence of each column
        self._vocab = self._new_vocab()

    def _new_vocab(self) -> Vocab:
        return Vocab(n_features=self.n_features, kind=self.kind, char_ngrams=self.char_ngrams, weights=self.weights)

    def score(self, texts: list[str]) -> Scored:
        """Languages and complaint probabilities of ``texts`` (a list of str)."""
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"comments must be str, got {type(text).__name__}")
        vocab = self._vocab
        if vocab.full():
            vocab = self._vocab = self._new_vocab()
        n = len(texts)
        splits = list(map(str.split, texts))
        ids, text_of = _chunk_ids(vocab, splits)
        langs = self._languages(vocab, texts, ids, text_of, splits)

        # Tokens come from the text after NFC and masking; most comments are unchanged by them.
        cleaned = list(map(masked, texts))
        changed = np.flatnonzero(np.fromiter(map(ne, cleaned, texts), dtype=bool, count=n))
        if len(changed):  # swap in their chunks, keeping chunks grouped by comment
            new_ids, new_of = _chunk_ids(vocab, [cleaned[i].split() for i in changed.tolist()])
            keep = np.ones(n, dtype=bool)
            keep[changed] = False
            keep = keep[text_of]
            ids, text_of = np.concatenate((ids[keep], new_ids)), np.concatenate((text_of[keep], changed[new_of]))
            order = np.argsort(text_of, kind="stable")
            ids, text_of = ids[order], text_of[order]
        slot = np.fromiter(map(SLOTS.__getitem__, langs), dtype=np.int64, count=n)[text_of]
        views = vocab.view_of.data[ids, slot]
        if (views < 0).any():
            miss = np.flatnonzero(views < 0)
            vocab.add_views([(int(ids[k]), langs[int(text_of[k])]) for k in miss])
            views[miss] = vocab.view_of.data[ids[miss], slot[miss]]
        negated = np.bincount(text_of, weights=vocab.view_negates.data[views], minlength=n) > 0

        units, unit_text, negated_tokens = self._tokens(vocab, views, text_of, negated, langs)
        pairs, pair_text, pair_at = self._pairs(vocab, units, unit_text)
        order = np.argsort(np.concatenate((unit_text, pair_text)), kind="stable")  # merges two sorted runs
        p = self._probabilities(vocab, n, np.concatenate((units, pairs))[order],
                                np.concatenate((unit_text, pair_text))[order])
        return Scored(vocab, langs, p, units, unit_text, pairs, pair_text, pair_at, views, text_of, negated_tokens)

    @staticmethod
    def _languages(vocab: Vocab, texts, ids, text_of, splits) -> list[str]:
        n = len(texts)
        count = np.bincount
        langs = list(map(by_letters,
                         count(text_of, weights=vocab.cyrillic.data[ids], minlength=n).astype(np.int64).tolist(),
                         count(text_of, weights=vocab.latin.data[ids], minlength=n).astype(np.int64).tolist(),
                         (count(text_of, weights=vocab.schwa.data[ids], minlength=n) > 0).tolist()))
        if None in langs:
            turkic = count(text_of, weights=vocab.turkic.data[ids], minlength=n) > 0
            steps = vocab.steps
            ends = np.cumsum(list(map(len, splits))).tolist()
            id_list = ids.tolist()
            for i, lang in enumerate(langs):
                if lang is None:
                    chunk_steps = [steps[c] for c in id_list[ends[i] - len(splits[i]):ends[i]]]
                    langs[i] = by_words(chunk_steps, bool(turkic[i]), texts[i])
        return langs

    @staticmethod
    def _tokens(vocab: Vocab, views, text_of, negated, langs):
        """Unit ids of each comment's tokens, grouped by comment and in order, with the comment of
        each; and the tokens of the comments with a negator, which take the word-by-word path."""
        plain = ~negated[text_of]
        v = views[plain]
        sizes = vocab.view_size.data[v]
        offsets = np.cumsum(sizes) - sizes
        units = vocab.view_units.data[np.repeat(vocab.view_start.data[v] - offsets, sizes) + np.arange(int(sizes.sum()))]
        unit_text = np.repeat(text_of[plain], sizes)
        negated_tokens: dict[int, list[str]] = {}
        if negated.any():
            view_tokens = vocab.view_tokens
            bounds = np.searchsorted(text_of, np.arange(len(langs) + 1)).tolist()
            for i in np.flatnonzero(negated).tolist():
                raw = list(chain.from_iterable(view_tokens[k][0] for k in views[bounds[i]:bounds[i + 1]].tolist()))
                negated_tokens[i] = [t for t in mark_negation(raw, langs[i]) if t not in SKIPPED]
            vocab.add_tokens((langs[i], t) for i, kept in negated_tokens.items() for t in kept)
            extra_units, extra_text = [], []
            for i, kept in negated_tokens.items():
                ids = vocab.token_ids[langs[i]]
                extra_units += [ids[t] for t in kept]
                extra_text += [i] * len(kept)
            units = np.concatenate((units, np.array(extra_units, dtype=units.dtype)))
            unit_text = np.concatenate((unit_text, np.array(extra_text, dtype=unit_text.dtype)))
            order = np.argsort(unit_text, kind="stable")  # back in comment order, each one's in its order
            units, unit_text = units[order], unit_text[order]
        return units, unit_text, negated_tokens

    def _pairs(self, vocab: Vocab, units, unit_text):
        """Unit ids of the word pairs (neighbouring tokens of one comment that both form pairs),
        the comment of each, and the position of its first token in the comment."""
        if self.kind == "chars" or len(units) < 2:
            return units[:0], unit_text[:0], unit_text[:0]
        joins = vocab.unit_joins.data[units]
        left = np.flatnonzero((unit_text[1:] == unit_text[:-1]) & joins[:-1] & joins[1:])
        word = vocab.unit_word.data
        key_list = ((word[units[left]] << 32) | word[units[left + 1]]).tolist()
        found = list(map(vocab.pair_ids.get, key_list, repeat(-1)))
        if -1 in found:
            vocab.add_pairs(k for k, f in zip(key_list, found) if f == -1)
            found = list(map(vocab.pair_ids.__getitem__, key_list))
        text = unit_text[left]
        return np.array(found, dtype=units.dtype), text, left - np.searchsorted(unit_text, text)

    def _probabilities(self, vocab: Vocab, n: int, units, unit_text) -> np.ndarray:
        """Complaint probabilities of ``n`` comments from their units, grouped by comment."""
        rows, columns, counts = self._counts(vocab, n, units, unit_text)
        tf = np.log(counts)
        tf += 1.0
        v = tf * self.idf[columns]
        norms = np.sqrt(np.bincount(rows, weights=v * v, minlength=n))
        norms[norms == 0.0] = 1.0
        decision = np.bincount(rows, weights=v * self.coef[columns], minlength=n) / norms + self.intercept
        return expit(-(self.a * decision + self.b))

    def _counts(self, vocab: Vocab, n: int, units, unit_text):
        """(comment, column, count) with each column once per comment: a column shared by
        several units of a comment (word n-grams overlap) counts once, with the summed count."""
        with vocab.lock:  # a consistent view of the unit matrix
            m = vocab.unit_weight.size
            ptr = vocab.unit_ptr.data[: m + 1]
            all_columns, all_counts = vocab.unit_columns.data, vocab.unit_counts.data
        if len(units) <= SMALL:
            # Few comments: gather their columns and merge by sorting. (The sparse product below
            # clears a workspace as wide as the hash space on every call.)
            starts = ptr[units]
            sizes = ptr[units + 1] - starts
            offsets = np.cumsum(sizes) - sizes
            at = np.repeat(starts - offsets, sizes) + np.arange(int(sizes.sum()))
            keys, where = np.unique(np.repeat(unit_text, sizes) * self.n_features + all_columns[at],
                                    return_inverse=True)
            return keys // self.n_features, keys % self.n_features, np.bincount(where, weights=all_counts[at])
        # comments × units @ units × columns adds up shared columns in C, without sorting.
        nnz = int(ptr[-1])
        matrix = sp.csr_matrix((all_counts[:nnz], all_columns[:nnz], ptr), shape=(m, self.n_features))
        indptr = np.concatenate(([0], np.cumsum(np.bincount(unit_text, minlength=n))))
        membership = sp.csr_matrix((np.ones(len(units)), units, indptr), shape=(n, m))
        X = membership @ matrix
        return np.repeat(np.arange(n), np.diff(X.indptr)), X.indices, X.data


def _chunk_ids(vocab: Vocab, splits):
    """Chunk ids of all chunks of the batch, in order, and the comment of each."""
    flat = list(chain.from_iterable(splits))
    ids = np.fromiter(map(vocab.chunk_ids.get, flat, repeat(-1)), dtype=np.int64, count=len(flat))
    if (ids < 0).any():
        miss = np.flatnonzero(ids < 0).tolist()
        vocab.add_chunks([flat[k] for k in miss])
        ids[miss] = [vocab.chunk_ids[flat[k]] for k in miss]
    text_of = np.repeat(np.arange(len(splits)), list(map(len, splits)))
    return ids, text_of
