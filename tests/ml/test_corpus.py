"""Data tests for the seed corpus we wrote ourselves (ml/corpus/*.csv)."""

import csv
import itertools
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import pytest

CORPUS_DIR = Path(__file__).resolve().parents[2] / "ml" / "corpus"
LANGS = ("az", "ru", "en")
MIN_PER_LANG = 1500
#: Two comments sharing this share of their distinct words count as near duplicates.
NEAR_DUPLICATE_JACCARD = 0.75
#: Below this many distinct words a comment is too short for the near-duplicate rule.
NEAR_DUPLICATE_MIN_WORDS = 4

_WORD = re.compile(r"\w+", re.UNICODE)


def _rows():
    rows = []
    for path in sorted(CORPUS_DIR.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            assert reader.fieldnames[:3] == ["text", "label", "lang"], path.name
            for lineno, row in enumerate(reader, start=2):
                rows.append((path.name, lineno, row))
    return rows


ROWS = _rows()


def _words(text):
    folded = unicodedata.normalize("NFC", text).replace("İ", "i").replace("I", "ı").casefold()
    return _WORD.findall(folded)


def test_schema_and_labels():
    assert ROWS, "the corpus is empty"
    for name, lineno, row in ROWS:
        where = f"{name}:{lineno}"
        assert row["text"].strip(), f"empty text at {where}"
        assert row["label"] in {"0", "1"}, f"label {row['label']!r} at {where}"
        assert row["lang"] in LANGS + ("tr",), f"lang {row['lang']!r} at {where}"


@pytest.mark.parametrize("lang", LANGS)
def test_each_language_has_enough_distinct_comments(lang):
    texts = {row["text"].strip() for _, _, row in ROWS if row["lang"] == lang}
    assert len(texts) >= MIN_PER_LANG


@pytest.mark.parametrize("lang", LANGS)
def test_labels_are_balanced_enough_to_learn_both_classes(lang):
    labels = [int(row["label"]) for _, _, row in ROWS if row["lang"] == lang]
    share = sum(labels) / len(labels)
    assert 0.35 <= share <= 0.60, f"{lang}: complaint share {share:.2f}"


def test_no_exact_or_reordered_duplicates():
    seen = {}
    for name, lineno, row in ROWS:
        key = (row["lang"], tuple(sorted(_words(row["text"]))))
        if not key[1]:
            # Emoji-only comments have no words; compare them as written.
            key = (row["lang"], (row["text"].strip(),))
        assert key not in seen, f"{name}:{lineno} repeats {seen[key]}"
        seen[key] = f"{name}:{lineno}"


def test_no_near_duplicates():
    by_lang = defaultdict(list)
    for name, lineno, row in ROWS:
        words = frozenset(_words(row["text"]))
        if len(words) >= NEAR_DUPLICATE_MIN_WORDS:
            by_lang[row["lang"]].append((words, f"{name}:{lineno}"))
    offenders = []
    for items in by_lang.values():
        for (words, where), (other, other_where) in itertools.combinations(items, 2):
            jaccard = len(words & other) / len(words | other)
            if jaccard >= NEAR_DUPLICATE_JACCARD:
                offenders.append(f"{where} ~ {other_where} ({jaccard:.2f})")
    assert not offenders, "near duplicates:\n" + "\n".join(offenders[:40])


def test_readme_counts_match_the_files():
    readme = (CORPUS_DIR / "README.md").read_text(encoding="utf-8")
    total = re.search(r"([\d,]+) rows in all", readme)
    assert total and int(total.group(1).replace(",", "")) == len(ROWS), "update the counts in ml/corpus/README.md"
    for lang in LANGS + ("tr",):
        line = re.search(rf"^\| {lang} .*\| ([\d,]+) \|$", readme, re.MULTILINE)
        n = sum(1 for _, _, row in ROWS if row["lang"] == lang)
        assert line and int(line.group(1).replace(",", "")) == n, f"{lang}: README says otherwise than the files"
