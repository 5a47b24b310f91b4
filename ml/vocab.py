"""What featurising has already worked out about the text it has seen, as integer tables.

Comments reuse a small vocabulary, so each distinct piece is worked out once:
- a *chunk* (a run of non-space characters, like ``"gözlədim,"``) gets its language evidence
  (``ml.langid.chunk_evidence``) and, per language, a *view*: its tokens, whether one of them is a
  negator, and the units of the tokens the model keeps (``ml.text.chunk_tokens`` explains why a
  chunk can be tokenised apart from its neighbours);
- a *unit* is a token in a language or a word pair: its hashed columns and counts (one row of a
  sparse matrix), its word and whether it forms pairs.
Everything is numbered and kept in growable numpy arrays, so a batch looks up each chunk once and
does the rest with array operations (``ml.featurise``). Nothing here depends on a fitted model,
only on the feature settings, so one Vocab per settings serves training and every loaded model of
the process (``vocab_for``); a model keeps just its weights per unit (``ml.scoring``).

Thread safety: lookups are lock-free; additions happen under ``lock`` and publish an id (a dict
insert) only after its rows are written. Arrays grow by copying into a larger one, so a reader
holding an older array still finds every id it was given before. A full Vocab is not cleared but
replaced (``vocab_for``), so ids never change meaning under a running batch.
"""

from __future__ import annotations

import re
import threading

import numpy as np
import scipy.sparse as sp

from ml.hashing import SKIPPED, bigram_feature, feature_index, hashed_tokens, joins_bigrams, token_features
from ml.langid import LANGUAGES, UNDETERMINED, chunk_evidence
from ml.text import chunk_tokens, plain_lower, triggers_negation, turkic_lower

__all__ = ["Vocab", "SLOTS", "WORD_LANGS", "vocab_for"]

#: The languages marker words vote for, in the order ``by_words`` breaks ties.
WORD_LANGS = ("az", "tr", "en", "ru")
#: Column of each language in the chunk → view table.
SLOTS = {lang: i for i, lang in enumerate((*LANGUAGES, UNDETERMINED))}
#: A Vocab is replaced once it holds this many chunks or units, or this many hashed columns.
MAX_ITEMS = 300_000
MAX_COLUMNS = 4_000_000
#: A word as the citizen wrote it (letters, with inner apostrophes or hyphens).
_WORD_AS_WRITTEN = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_AROUND_WORDS = ".,!?;:()\"'«»…"


class Grow:
    """A numpy array with spare room at the end; ``data[:size]`` is valid.

    Object arrays hold the Python objects of the tables (strings, tuples): unlike lists, the
    garbage collector doesn't walk them, which keeps full collections short in a big process.
    """

    __slots__ = ("data", "size", "fill")

    def __init__(self, dtype, width: int = 0, fill=0):
        self.fill = fill
        self.data = np.full((1024, width) if width else (1024,), fill, dtype=dtype)
        self.size = 0

    def extend(self, values) -> None:
        if self.data.dtype == object:  # one object per row, even tuples (asarray would unpack them)
            values = list(values)
            values = np.fromiter(values, dtype=object, count=len(values))
        else:
            values = np.asarray(values, dtype=self.data.dtype)
        end = self.size + len(values)
        if end > len(self.data):
            bigger = np.full((max(end, 2 * len(self.data)), *self.data.shape[1:]), self.fill, dtype=self.data.dtype)
            bigger[: self.size] = self.data[: self.size]
            self.data = bigger  # replaced only once complete: readers of the old one keep valid rows
        self.data[self.size:end] = values
        self.size = end


class Vocab:
    """One generation of the tables for one set of feature settings (see the module docstring)."""

    def __init__(self, *, n_features: int, kind: str, char_ngrams: tuple[int, int]):
        self.n_features, self.kind, self.char_ngrams = n_features, kind, tuple(char_ngrams)
        self.lock = threading.Lock()
        # chunks
        self.chunk_ids: dict[str, int] = {}
        self.chunks = Grow(object, fill=None)
        self.cyrillic, self.latin = Grow(np.int64), Grow(np.int64)
        self.schwa, self.turkic = Grow(np.bool_), Grow(np.bool_)
        self.steps = Grow(object, fill=None)  # (steps with plain casing, with Turkic casing)
        self.word_scores = Grow(np.float64, width=8)  # the steps summed per language (WORD_LANGS), both casings
        self.view_of = Grow(np.int32, width=len(SLOTS), fill=-1)  # chunk × language -> view id
        self.spellings = Grow(object, fill=None)  # per chunk, filled on demand: see ``words_as_written``
        # views
        self.view_negates = Grow(np.bool_)
        self.view_start = Grow(np.int64)  # units of view v: view_units[view_start[v]:view_start[v] + view_size[v]]
        self.view_size = Grow(np.int64)
        self.view_units = Grow(np.int32)
        self.view_tokens = Grow(object, fill=None)  # (tokens, tokens kept)
        # units: tokens of a language, then word pairs, in one sparse matrix
        self.token_ids: dict[str, dict[str, int]] = {lang: {} for lang in SLOTS}
        self.pair_ids: dict[int, int] = {}  # left word id << 32 | right word id -> unit id
        self.word_ids: dict[str, int] = {}
        self.words = Grow(object, fill=None)
        self.unit_ptr = Grow(np.int64)
        self.unit_ptr.extend([0])
        self.unit_columns, self.unit_counts = Grow(np.int32), Grow(np.float64)
        self.unit_word = Grow(np.int64)  # word id (tokens), -1 for pairs
        self.unit_token = Grow(object, fill=None)  # the token (tokens), None for pairs
        self.unit_joins = Grow(np.bool_)
        self._matrix: sp.csr_matrix | None = None  # the last ``matrix()``, while no unit is added

    def full(self) -> bool:
        return (self.chunks.size > MAX_ITEMS or self.unit_word.size > MAX_ITEMS
                or self.unit_columns.size > MAX_COLUMNS)

    def matrix(self) -> sp.csr_matrix:
        """All units so far as rows of hashed counts (a snapshot; the arrays are shared, not copied)."""
        with self.lock:
            m = self.unit_word.size
            known = self._matrix
            if known is None or known.shape[0] != m:
                ptr = self.unit_ptr.data[: m + 1]
                nnz = int(ptr[-1])
                known = self._matrix = sp.csr_matrix(
                    (self.unit_counts.data[:nnz], self.unit_columns.data[:nnz], ptr), shape=(m, self.n_features))
            return known

    def unit_rows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(ptr, columns, counts) of the units so far without building a sparse matrix, which costs
        more than a comment's few new units: unit u's columns are ``columns[ptr[u]:ptr[u + 1]]``.
        Arrays only grow, so these stay valid for every unit id handed out before the call."""
        with self.lock:
            m = self.unit_word.size
            return self.unit_ptr.data[: m + 1], self.unit_columns.data, self.unit_counts.data

    def words_as_written(self, chunk: int) -> tuple:
        """(lower-cased word, word as written) for the words of a chunk (for explanations): one
        tuple with plain casing, one with Turkic casing. Words never span whitespace, so a
        comment's words are its chunks' words in order."""
        known = self.spellings.data[chunk]
        if known is None:
            chunk_text = self.chunks.data[chunk]
            core = chunk_text.strip(_AROUND_WORDS)
            # One word with punctuation around it (the common case) needs no regex: letters are
            # exactly what a word is made of, and its ends can't be apostrophes or hyphens.
            words = [core] if core.isalpha() else _WORD_AS_WRITTEN.findall(chunk_text)
            plain = tuple(zip(map(plain_lower, words), words))
            # Turkic casing differs only for I and İ.
            turkic = tuple(zip(map(turkic_lower, words), words)) if "I" in chunk_text or "İ" in chunk_text else plain
            known = self.spellings.data[chunk] = (plain, turkic)
        return known

    # -- additions (each under the lock; ids are published last) ---------------------------
    def add_chunks(self, chunks) -> None:
        evidence = {c: chunk_evidence(c) for c in chunks}
        with self.lock:
            new = [c for c in evidence if c not in self.chunk_ids]
            if not new:
                return
            self.cyrillic.extend([evidence[c][0] for c in new])
            self.latin.extend([evidence[c][1] for c in new])
            self.schwa.extend([evidence[c][2] for c in new])
            self.turkic.extend([evidence[c][3] for c in new])
            self.steps.extend((evidence[c][4], evidence[c][5]) for c in new)
            self.word_scores.extend([_summed(evidence[c][4]) + _summed(evidence[c][5]) for c in new])
            self.view_of.extend(np.full((len(new), len(SLOTS)), -1))
            first = self.chunks.size
            self.spellings.extend([None] * len(new))
            self.chunks.extend(new)
            for i, c in enumerate(new, first):
                self.chunk_ids[c] = i

    def add_tokens(self, wanted) -> None:
        """Units of the (lang, token) pairs not yet known."""
        lo, hi = self.char_ngrams
        with self.lock:
            missing = list(dict.fromkeys((lang, t) for lang, t in wanted if t not in self.token_ids[lang]))
            if not missing:
                return
            arrays = hashed_tokens(missing, n_features=self.n_features, kind=self.kind, char_ngrams=self.char_ngrams)
            rows = [arrays[key] for key in missing]
            sizes = [len(columns) for columns, _ in rows]
            ptr = np.concatenate(([0], np.cumsum(sizes)))
            columns = np.concatenate([c for c, _ in rows])
            counts = np.concatenate([c for _, c in rows])
            words = self._word_ids([token_features(t, lang, lo, hi)[0] for lang, t in missing])
            self._add_units(columns, counts, ptr, words, [joins_bigrams(t) for _, t in missing], [t for _, t in missing])
            first = self.unit_word.size - len(missing)
            for i, (lang, tok) in enumerate(missing, first):
                self.token_ids[lang][tok] = i

    def _word_ids(self, words: list[str]) -> list[int]:
        new = [w for w in dict.fromkeys(words) if w not in self.word_ids]
        for i, w in enumerate(new, self.words.size):
            self.word_ids[w] = i
        self.words.extend(new)
        return [self.word_ids[w] for w in words]

    def _add_units(self, columns, counts, ptr, words, joins, tokens) -> None:
        base = self.unit_columns.size
        self.unit_columns.extend(columns)
        self.unit_counts.extend(counts)
        self.unit_ptr.extend(np.asarray(ptr[1:], dtype=np.int64) + base)
        self.unit_token.extend(tokens)
        self.unit_joins.extend(joins)
        self.unit_word.extend(words)  # last: its size is the number of units

    def add_views(self, wanted) -> None:
        """Views of (chunk id, language) not yet known; their tokens are hashed first."""
        made = {}
        for cid, lang in wanted:
            if (cid, lang) not in made:
                raw = chunk_tokens(self.chunks.data[cid], lang)
                made[(cid, lang)] = (raw, tuple(t for t in raw if t not in SKIPPED), triggers_negation(raw, lang))
        self.add_tokens((lang, t) for (_, lang), (_, kept, _) in made.items() for t in kept)
        with self.lock:
            made = {key: view for key, view in made.items() if self.view_of.data[key[0], SLOTS[key[1]]] < 0}
            if not made:
                return
            units = [[self.token_ids[lang][t] for t in kept] for (_, lang), (_, kept, _) in made.items()]
            sizes = [len(u) for u in units]
            self.view_start.extend(np.cumsum([0, *sizes[:-1]]) + self.view_units.size)
            self.view_size.extend(sizes)
            self.view_units.extend([u for unit_ids in units for u in unit_ids])
            self.view_negates.extend([negates for _, _, negates in made.values()])
            first = self.view_tokens.size
            self.view_tokens.extend((raw, kept) for raw, kept, _ in made.values())
            for i, (cid, lang) in enumerate(made, first):
                self.view_of.data[cid, SLOTS[lang]] = i

    def add_pairs(self, keys) -> None:
        """Units of the word pairs ``keys`` (left word id << 32 | right word id) not yet known."""
        with self.lock:
            new = sorted({k for k in keys if k not in self.pair_ids})
            if not new:
                return
            words = self.words.data
            features = [bigram_feature(words[k >> 32], words[k & 0xFFFFFFFF]) for k in new]
            columns = [feature_index(f, self.n_features) for f in features]
            n = len(new)
            self._add_units(columns, np.ones(n), np.arange(n + 1), [-1] * n, [True] * n, [None] * n)
            first = self.unit_word.size - n
            for i, k in enumerate(new, first):
                self.pair_ids[k] = i


def _summed(steps) -> list[float]:
    totals = dict.fromkeys(WORD_LANGS, 0.0)
    for lang, amount in steps:
        totals[lang] += amount
    return list(totals.values())


_shared: dict[tuple, Vocab] = {}
_shared_lock = threading.Lock()


def vocab_for(n_features: int, kind: str, char_ngrams: tuple[int, int]) -> Vocab:
    """The process's Vocab for these feature settings; a full one is replaced by a fresh one."""
    key = (int(n_features), kind, tuple(char_ngrams))
    vocab = _shared.get(key)
    if vocab is None or vocab.full():
        with _shared_lock:
            vocab = _shared.get(key)
            if vocab is None or vocab.full():
                vocab = _shared[key] = Vocab(n_features=key[0], kind=kind, char_ngrams=key[2])
    return vocab
