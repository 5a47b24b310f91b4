"""Featurise a batch of comments through a ``Vocab``, mostly with array operations.

Per comment, Python only splits the text and looks its chunks up; language, tokens, word pairs
and the merged column counts are array operations over the batch (``ml.vocab`` explains the
tables). Comments with a negator take the word-by-word path for their tokens, since negation
marks words across chunks. The result is exactly what ``ml.features.analyse`` spells out,
comment by comment: the same language, tokens, pairs and hashed counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain, repeat
from operator import contains, ne

import numpy as np
import scipy.sparse as sp

from ml.hashing import SKIPPED, comment_tokens
from ml.langid import by_letters, by_words
from ml.text import has_smiley_marks, mark_negation, masked
from ml.vocab import SLOTS, WORD_LANGS, Vocab

__all__ = ["Featurised", "featurise", "count_rows", "SLICE"]

#: Comments featurised together (training and scoring alike): enough for array operations to pay
#: off (8192: ~10% faster than 2048 for ~75 MB more at the peak), few enough to bound memory.
SLICE = 8192
#: Up to this many units (about 50 comments), merge columns by sorting rather than a sparse product.
SMALL = 500


@dataclass
class Featurised:
    """A featurised batch. Unit and pair arrays are grouped by comment, in token order."""

    vocab: Vocab
    langs: list[str]
    chunks: np.ndarray  # chunk ids of the comments as written, grouped by comment
    chunk_text: np.ndarray  # the comment of each chunk
    units: np.ndarray  # unit id of each token the model sees
    unit_text: np.ndarray
    pairs: np.ndarray  # unit id of each word pair
    pair_text: np.ndarray
    pair_at: np.ndarray  # position of the pair's first token in its comment


def featurise(texts: list[str], vocab: Vocab) -> Featurised:
    """Language, tokens and word pairs of each comment, as unit ids of ``vocab``."""
    if not set(map(type, texts)) <= {str}:
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"comments must be str, got {type(text).__name__}")
    n = len(texts)
    splits = list(map(str.split, texts))
    ids, text_of = _chunk_ids(vocab, splits)
    langs = _languages(vocab, texts, ids, text_of, splits)
    written = ids, text_of

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
    # "xD" is respelled ":D" only in a text with other emoticon marks (see ml.text.chunk_tokens):
    # the rare comments with both get their tokens from the whole text.
    given = {i: comment_tokens(texts[i], langs[i])
             for i in np.flatnonzero(np.fromiter(map(contains, cleaned, repeat("xD")), dtype=bool, count=n)).tolist()
             if has_smiley_marks(cleaned[i])}

    units, unit_text = _tokens(vocab, views, text_of, negated, langs, given)
    pairs, pair_text, pair_at = _pairs(vocab, units, unit_text)
    return Featurised(vocab, langs, *written, units, unit_text, pairs, pair_text, pair_at)


def count_rows(found: Featurised) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(comment, column, count) with each column once per comment: a column shared by several
    units of a comment (word n-grams overlap) counts once, with the summed count."""
    n, vocab = len(found.langs), found.vocab
    order = np.argsort(np.concatenate((found.unit_text, found.pair_text)), kind="stable")  # merges two sorted runs
    units = np.concatenate((found.units, found.pairs))[order]
    unit_text = np.concatenate((found.unit_text, found.pair_text))[order]
    if len(units) <= SMALL:
        # Few comments: gather their columns and merge by sorting. (The sparse product below
        # clears a workspace as wide as the hash space on every call.)
        ptr, unit_columns, unit_counts = vocab.unit_rows()
        starts = ptr[units]
        sizes = ptr[units + 1] - starts
        offsets = np.cumsum(sizes) - sizes
        at = np.repeat(starts - offsets, sizes) + np.arange(int(sizes.sum()))
        width = vocab.n_features
        keys, where = np.unique(np.repeat(unit_text, sizes) * width + unit_columns[at], return_inverse=True)
        return keys // width, keys % width, np.bincount(where, weights=unit_counts[at])
    # comments × units @ units × columns adds up shared columns in C, without sorting.
    matrix = vocab.matrix()
    indptr = np.concatenate(([0], np.cumsum(np.bincount(unit_text, minlength=n))))
    membership = sp.csr_matrix((np.ones(len(units)), units, indptr), shape=(n, matrix.shape[0]))
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


def _languages(vocab: Vocab, texts, ids, text_of, splits) -> list[str]:
    """``detect_language`` of each comment, from its chunks' evidence."""
    n = len(texts)
    count = np.bincount
    langs = list(map(by_letters,
                     count(text_of, weights=vocab.cyrillic.data[ids], minlength=n).astype(np.int64).tolist(),
                     count(text_of, weights=vocab.latin.data[ids], minlength=n).astype(np.int64).tolist(),
                     (count(text_of, weights=vocab.schwa.data[ids], minlength=n) > 0).tolist()))
    if None in langs:
        turkic = count(text_of, weights=vocab.turkic.data[ids], minlength=n) > 0
        undecided = np.array([lang is None for lang in langs])
        # Sum each comment's marker-word votes with arrays; where one language leads clearly,
        # that is by_words' answer (summing in another order moves the totals by far less than
        # the margin). Close calls and ties are replayed exactly by by_words, in order.
        columns = np.where(turkic[text_of], 4, 0)[:, None] + np.arange(4)
        votes = np.take_along_axis(vocab.word_scores.data[ids], columns, axis=1)
        totals = np.stack([count(text_of, weights=votes[:, j], minlength=n) for j in range(4)], axis=1)
        totals[:, :2] += np.where(turkic, 0.5, 0.0)[:, None]
        ranked = np.sort(totals, axis=1)
        clear = undecided & (ranked[:, 3] - ranked[:, 2] > 1e-6 * np.maximum(1.0, ranked[:, 3]))
        best = totals.argmax(axis=1)
        for i in np.flatnonzero(clear).tolist():
            langs[i] = WORD_LANGS[best[i]]
        if None in langs:
            steps = vocab.steps.data
            ends = np.cumsum(list(map(len, splits))).tolist()
            id_list = ids.tolist()
            for i in np.flatnonzero(undecided & ~clear).tolist():
                chunk_steps = [steps[c] for c in id_list[ends[i] - len(splits[i]):ends[i]]]
                langs[i] = by_words(chunk_steps, bool(turkic[i]), texts[i])
    return langs


def _tokens(vocab: Vocab, views, text_of, negated, langs, given):
    """Unit ids of each comment's tokens, grouped by comment and in order, with the comment of
    each. Comments with a negator take the word-by-word path: negation marks across chunks; so
    do those whose tokens are ``given``."""
    if given:
        negated = negated.copy()
        negated[list(given)] = True
    plain = ~negated[text_of]
    v = views[plain]
    sizes = vocab.view_size.data[v]
    offsets = np.cumsum(sizes) - sizes
    units = vocab.view_units.data[np.repeat(vocab.view_start.data[v] - offsets, sizes) + np.arange(int(sizes.sum()))]
    unit_text = np.repeat(text_of[plain], sizes)
    if negated.any():
        view_tokens = vocab.view_tokens.data
        bounds = np.searchsorted(text_of, np.arange(len(langs) + 1)).tolist()
        marked = {}
        for i in np.flatnonzero(negated).tolist():
            if i in given:
                marked[i] = given[i]
                continue
            raw = list(chain.from_iterable(view_tokens[k][0] for k in views[bounds[i]:bounds[i + 1]].tolist()))
            marked[i] = [t for t in mark_negation(raw, langs[i]) if t not in SKIPPED]
        extra_units, extra_text = [], []
        for i, kept in marked.items():
            extra_units += map(vocab.token_ids[langs[i]].get, kept, repeat(-1))
            extra_text += [i] * len(kept)
        if -1 in extra_units:  # new tokens (often a word with its negation mark)
            vocab.add_tokens((langs[i], t) for i, kept in marked.items() for t in kept)
            extra_units = [vocab.token_ids[langs[i]][t] for i, kept in marked.items() for t in kept]
        units = np.concatenate((units, np.array(extra_units, dtype=units.dtype)))
        unit_text = np.concatenate((unit_text, np.array(extra_text, dtype=unit_text.dtype)))
        order = np.argsort(unit_text, kind="stable")  # back in comment order, each one's in its order
        units, unit_text = units[order], unit_text[order]
    return units, unit_text


def _pairs(vocab: Vocab, units, unit_text):
    """Unit ids of the word pairs (neighbouring tokens of one comment that both form pairs),
    the comment of each, and the position of its first token in the comment."""
    if vocab.kind == "chars" or len(units) < 2:
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
