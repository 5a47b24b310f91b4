"""Adapter between the web app and the ml package: load the current model once, judge comments."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app

from feedback import monitoring
from ml import ModelError, load_model
from ml.registry import CURRENT, current_version_dir

log = logging.getLogger(__name__)
_EXTENSION_KEY = "rey.classifier"


@dataclass(frozen=True)
class Verdict:
    """What the model said about one comment."""

    probability: float
    threshold: float
    model_version: str
    lang: str
    reasons: list[str] = field(default_factory=list)

    @property
    def is_complaint(self) -> bool:
        return self.probability >= self.threshold


class ComplaintClassifier:
    """The current model of a models folder, loaded on first use and shared by all threads.

    Every ``check_seconds`` it looks at the folder's CURRENT pointer and loads the model it names
    when that has changed: a rollback or promotion made in one process (the admin page, the command
    line) reaches every worker of every server on the folder, not just the process that made it.
    """

    def __init__(self, models_dir: str | Path, *, check_seconds: float = 10.0):
        self.models_dir = Path(models_dir)
        self.check_seconds = check_seconds
        self._lock = threading.Lock()
        self._model = None
        self._loaded = False
        #: The CURRENT pointer's text when the model was loaded (None: there was none).
        self._pointer: str | None = None
        self._checked_at = 0.0
        self.error: str | None = None

    def _read_pointer(self) -> str | None:
        try:
            return (self.models_dir / CURRENT).read_text(encoding="utf-8").strip() or None
        except OSError:
            return None

    def _load(self, pointer: str | None = None):
        with self._lock:
            if self._loaded and (pointer is None or pointer == self._pointer):
                return self._model  # another thread has just done it
            self._pointer = self._read_pointer()
            self._checked_at = time.monotonic()
            try:
                version_dir = current_version_dir(self.models_dir)
                if version_dir is None:
                    log.warning("no current model under %s; flagging on ratings alone", self.models_dir)
                    self._model = None
                else:
                    self._model = load_model(version_dir)
                    log.info("loaded complaint model %s", self._model.version)
                self.error = None
            except (ModelError, OSError) as exc:
                # A broken model must not stop citizens from submitting: the model loaded before (if
                # any) goes on, else triage falls back to ratings.
                self.error = str(exc)
                log.error("could not load the complaint model: %s", exc)
            self._loaded = True
            return self._model

    @property
    def model(self):
        if not self._loaded:
            return self._load()
        if time.monotonic() - self._checked_at >= self.check_seconds:
            self._checked_at = time.monotonic()
            pointer = self._read_pointer()
            if pointer != self._pointer:
                return self._load(pointer)
        return self._model

    @property
    def version(self) -> str | None:
        return self.model.version if self.model is not None else None

    def judge(self, text: str) -> Verdict | None:
        """Return the model's verdict on a comment, or None without text, without a model, or when
        the model fails on it: the feedback is then stored and triaged on its rating and words, as
        if no model were loaded, since a citizen's complaint must not be lost to a model's bug."""
        model = self.model
        if not text or not text.strip() or model is None:
            return None
        try:
            (prediction,) = model.predict([text])
        except Exception:
            monitoring.classifier_failures.inc()
            log.exception("complaint model %s failed on a comment of %d characters; triaged without it",
                          model.version, len(text))
            return None
        if prediction.complaint_probability is None:
            return None  # nothing to read ("-", "..."): triaged on the rating, as without a comment
        return Verdict(
            probability=float(prediction.complaint_probability),
            threshold=float(model.threshold),
            model_version=model.version,
            lang=prediction.lang,
            reasons=list(prediction.reasons),
        )

    def reload(self) -> None:
        """Pick up a newly promoted or rolled-back model now, in this process (the others follow
        within ``check_seconds``)."""
        with self._lock:
            self._loaded = False
            self._model = None
            self.error = None


def init_app(app: Flask) -> None:
    app.extensions[_EXTENSION_KEY] = ComplaintClassifier(app.config["MODELS_DIR"],
                                                         check_seconds=app.config["MODEL_CHECK_SECONDS"])


def get_classifier() -> ComplaintClassifier:
    return current_app.extensions[_EXTENSION_KEY]
