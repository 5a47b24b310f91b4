"""Read labelled comments from CSV files, folders or globs, with errors a person can act on."""

from __future__ import annotations

import csv
import glob
import hashlib
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ml.errors import DataError
from ml.langid import detect_language

__all__ = ["Dataset", "read_datasets", "expand_paths"]

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # real reviews can be long

_LABELS = {"0": 0, "1": 1, "0.0": 0, "1.0": 1}
#: Weights are relative; above this their sums overflow and training never finishes.
MAX_WEIGHT = 1e6


@dataclass
class Dataset:
    texts: list[str] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    langs: list[str] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    has_weights: bool = False

    @property
    def y(self) -> np.ndarray:
        return np.asarray(self.labels, dtype=np.int64)

    @property
    def w(self) -> np.ndarray | None:
        return np.asarray(self.weights, dtype=np.float64) if self.has_weights else None

    def sha256(self) -> str:
        """Hash of the rows in order (text, label, lang, weight), to tie a model to its data."""
        digest = hashlib.sha256()
        for row in zip(self.texts, self.labels, self.langs, self.weights):
            digest.update("\x1f".join(map(str, row)).encode("utf-8") + b"\x1e")
        return digest.hexdigest()


def expand_paths(specs: list[str]) -> list[Path]:
    """Turn files, folders (their *.csv) and globs into a sorted list of CSV paths."""
    paths: list[Path] = []
    for spec in specs:
        path = Path(spec)
        if path.is_dir():
            found = sorted(path.glob("*.csv"))
        elif path.is_file():
            found = [path]
        else:
            found = sorted(Path(p) for p in glob.glob(spec, recursive=True) if Path(p).is_file())
        if not found:
            raise DataError(f"{spec}: no such file, or no CSV files there. Check the --data path.")
        paths.extend(found)
    return paths


def _read_one(path: Path, ds: Dataset, *, need_labels: bool) -> None:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                raise DataError(f"{path}: the file is empty; it needs a header row with text,label.")
            columns = {name.strip().lower(): i for i, name in enumerate(header)}
            missing = [c for c in ("text", "label") if c not in columns and (c == "text" or need_labels)]
            if missing:
                raise DataError(
                    f"{path}: missing column(s) {', '.join(missing)}; found {header!r}. "
                    "The first row must name the columns, e.g. text,label,lang."
                )
            i_text, i_label = columns["text"], columns.get("label")
            i_lang, i_weight = columns.get("lang"), columns.get("weight")
            ds.has_weights = ds.has_weights or i_weight is not None
            for lineno, row in enumerate(reader, start=2):
                if not row or all(not cell.strip() for cell in row):
                    continue  # blank line
                where = f"{path}:{lineno}"
                cell = lambda i: row[i].strip() if i is not None and i < len(row) else ""  # noqa: E731
                text = cell(i_text)
                if not text:
                    raise DataError(f"{where}: empty text. Remove the row or fill in the comment.")
                label = -1
                if i_label is not None:
                    raw = cell(i_label)
                    if raw not in _LABELS:
                        raise DataError(f"{where}: label {raw!r} is not 0 or 1 (1 = complaint).")
                    label = _LABELS[raw]
                weight = 1.0
                if i_weight is not None and cell(i_weight):
                    try:
                        weight = float(cell(i_weight))
                    except ValueError:
                        raise DataError(f"{where}: weight {cell(i_weight)!r} is not a number.") from None
                    if not 0 <= weight < math.inf:  # also false for NaN
                        raise DataError(f"{where}: weight {weight} must be a finite number, zero or more.")
                    if weight > MAX_WEIGHT:
                        raise DataError(f"{where}: weight {weight:g} is too large; weights are relative, "
                                        f"so use at most {MAX_WEIGHT:g}.")
                ds.texts.append(text)
                ds.labels.append(label)
                ds.langs.append(cell(i_lang).lower() or detect_language(text))
                ds.weights.append(weight)
                ds.sources.append(path.name)
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}). Save it as UTF-8.") from None
    except csv.Error as exc:
        raise DataError(f"{path}: not a readable CSV file ({exc}).") from None
    except OSError as exc:
        raise DataError(f"{path}: can't be read ({exc.strerror}).") from None


def read_datasets(specs: list[str], *, need_labels: bool = True) -> Dataset:
    """Read and concatenate every CSV named by ``specs``; raise DataError on anything unusable."""
    ds = Dataset()
    for path in expand_paths(specs):
        _read_one(path, ds, need_labels=need_labels)
    if not ds.texts:
        raise DataError(f"{', '.join(specs)}: no rows. Add labelled comments below the header.")
    if ds.has_weights and not sum(ds.weights) > 0:
        raise DataError("all weights are zero; at least one row must count.")
    return ds
