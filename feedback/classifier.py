"""Adapter between the web app and the ml package: load the current model once, judge comments."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app

from feedback import monitoring
from ml import ModelError, load_model
from ml.registry import current_version_dir

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
    """The current model of a models folder, loaded on first use and shared by all threads."""

    def __init__(self, models_dir: str | Path):
        self.models_dir = Path(models_dir)
        self._lock = threading.Lock()
        self._model = None
        self._loaded = False
        self.error: str | None = None

    def _load(self):
        with self._lock:
            if self._loaded:
                return self._model
            try:
                version_dir = current_version_dir(self.models_dir)
                if version_dir is None:
                    log.warning("no current model under %s; flagging on ratings alone", self.models_dir)
                else:
                    self._model = load_model(version_dir)
                    log.info("loaded complaint model %s", self._model.version)
            except (ModelError, OSError) as exc:
                # A broken model must not stop citizens from submitting: fall back to ratings.
                self.error = str(exc)
                log.error("could not load the complaint model: %s", exc)
            self._loaded = True
            return self._model

    @property
    def model(self):
        return self._model if self._loaded else self._load()

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
        return Verdict(
            probability=float(prediction.complaint_probability),
            threshold=float(model.threshold),
            model_version=model.version,
            lang=prediction.lang,
            reasons=list(prediction.reasons),
        )

    def reload(self) -> None:
        """Pick up a newly promoted or rolled-back model."""
        with self._lock:
            self._loaded = False
            self._model = None
            self.error = None


def init_app(app: Flask) -> None:
    app.extensions[_EXTENSION_KEY] = ComplaintClassifier(app.config["MODELS_DIR"])


def get_classifier() -> ComplaintClassifier:
    return current_app.extensions[_EXTENSION_KEY]
