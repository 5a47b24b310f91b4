"""Model folders on disk: skops files with an allow-list of types, cards, and the CURRENT pointer.

Layout::

    models/<version>/model.skops   the pipeline (skops format, never pickle)
    models/<version>/card.json     provenance and metrics
    models/CURRENT                 one line: the version folder in use
    models/HISTORY                 versions promoted, oldest first (what ``rollback`` walks back)
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
import zipfile
from pathlib import Path

import skops.io as sio

from ml.errors import ModelError

__all__ = [
    "MODEL_FILE", "CARD_FILE", "TRUSTED_TYPES", "save", "load_pipeline", "read_card",
    "current_version_dir", "set_current", "rollback", "list_versions",
]

MODEL_FILE = "model.skops"
CARD_FILE = "card.json"
CURRENT = "CURRENT"
HISTORY = "HISTORY"

#: The only types outside skops' default trust that a Rəy model file may hold. Anything else in a
#: file means it wasn't written by ``python -m ml train`` and is refused.
TRUSTED_TYPES = frozenset({
    "ml.features.TextFeatures",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
})


def save(version_dir: Path, pipeline, card: dict) -> None:
    """Write model.skops and card.json as the folder ``version_dir``, whole or not at all.

    Both files are written into a hidden folder beside it, which then takes its name: training
    stopped half-way leaves no version that ``versions``, ``promote`` or ``rollback`` would offer,
    and a folder being overwritten (``train --force``) never holds a new model with an old card.
    """
    version_dir = Path(version_dir)
    version_dir.parent.mkdir(parents=True, exist_ok=True)
    # Not mkdtemp: its folder is private, and the web server's user may be another.
    tmp = version_dir.parent / f".{version_dir.name}.partial-{os.getpid()}-{secrets.token_hex(4)}"
    tmp.mkdir()
    old = None
    try:
        sio.dump(pipeline, tmp / MODEL_FILE, compression=zipfile.ZIP_DEFLATED)
        _atomic_write(tmp / CARD_FILE, json.dumps(card, indent=2, ensure_ascii=False) + "\n")
        if version_dir.exists():
            old = Path(tempfile.mkdtemp(dir=version_dir.parent, prefix=f".{version_dir.name}.old-"))
            os.replace(version_dir, old / version_dir.name)
        os.replace(tmp, version_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and not version_dir.exists() and (old / version_dir.name).exists():
            os.replace(old / version_dir.name, version_dir)  # put the previous version back
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def read_card(version_dir: Path) -> dict:
    path = Path(version_dir) / CARD_FILE
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{path} is missing. Point to a folder made by `python -m ml train --out DIR`.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{path} is unreadable ({exc}). Retrain the model or restore the folder.") from None
    if not isinstance(card, dict) or "threshold" not in card:
        raise ModelError(f"{path} has no threshold. Retrain the model with `python -m ml train`.")
    return card


def load_pipeline(version_dir: Path):
    """Load (pipeline, card) from a version folder, trusting only ``TRUSTED_TYPES``."""
    version_dir = Path(version_dir)
    if not version_dir.is_dir():
        raise ModelError(f"{version_dir}: no such model folder. Train one with `python -m ml train --out DIR`.")
    path = version_dir / MODEL_FILE
    if not path.is_file():
        raise ModelError(f"{path} is missing. The folder isn't a trained model; retrain or pick another version.")
    card = read_card(version_dir)
    try:
        untrusted = set(sio.get_untrusted_types(file=path))
    except Exception as exc:  # skops raises many kinds on a damaged zip  # noqa: BLE001
        raise ModelError(f"{path} is corrupt ({type(exc).__name__}). Retrain or restore the folder.") from None
    unexpected = untrusted - TRUSTED_TYPES
    if unexpected:
        raise ModelError(
            f"{path} holds types Rəy doesn't trust: {', '.join(sorted(unexpected))}. "
            "Only load models made by `python -m ml train`."
        )
    try:
        pipeline = sio.load(path, trusted=sorted(untrusted))
    except Exception as exc:  # noqa: BLE001
        raise ModelError(f"{path} is corrupt ({type(exc).__name__}: {exc}). Retrain or restore it.") from None
    return pipeline, card


def _atomic_write(path: Path, content: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        # mkstemp's file is private; the web server reading the card and CURRENT may be another user.
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def current_version_dir(models_root: Path) -> Path | None:
    """The folder CURRENT points to, or None if there is no pointer yet."""
    pointer = Path(models_root) / CURRENT
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return Path(models_root) / name if name else None


def _history(models_root: Path) -> list[str]:
    try:
        text = (Path(models_root) / HISTORY).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [line.strip() for line in text.splitlines() if line.strip()]


def set_current(models_root: Path, version: str) -> None:
    """Point CURRENT at ``version`` (atomically) and remember it in HISTORY; ModelError, and
    CURRENT left as it was, if that version doesn't load."""
    models_root = Path(models_root)
    version = Path(version).name
    if not (models_root / version / MODEL_FILE).is_file():
        raise ModelError(f"{models_root / version} has no {MODEL_FILE}; train it before promoting it.")
    load_pipeline(models_root / version)  # a card without a threshold, a damaged file: refuse it now
    history = _history(models_root)
    if not history or history[-1] != version:
        history.append(version)
    _atomic_write(models_root / HISTORY, "\n".join(history) + "\n")
    _atomic_write(models_root / CURRENT, version + "\n")


def rollback(models_root: Path) -> str:
    """Point CURRENT back at the version promoted before it; return that version's name."""
    models_root = Path(models_root)
    current = current_version_dir(models_root)
    history = _history(models_root)
    while history and current is not None and history[-1] == current.name:
        history.pop()
    while history and not _loads(models_root / history[-1]):
        history.pop()  # skip versions deleted or damaged since
    if not history:
        raise ModelError(f"{models_root}: no earlier version to roll back to (see {HISTORY}).")
    _atomic_write(models_root / HISTORY, "\n".join(history) + "\n")
    _atomic_write(models_root / CURRENT, history[-1] + "\n")
    return history[-1]


def _loads(version_dir: Path) -> bool:
    try:
        load_pipeline(version_dir)
    except ModelError:
        return False
    return True


def list_versions(models_root: Path) -> list[str]:
    """Version folders under ``models_root`` (those with a model file), oldest name first."""
    root = Path(models_root)
    if not root.is_dir():
        return []
    # Hidden folders are versions being written by ``save``, or left by one that was killed.
    return sorted(p.name for p in root.iterdir() if not p.name.startswith(".") and (p / MODEL_FILE).is_file())
