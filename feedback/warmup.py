"""Do the slow first-use work before a server takes traffic, so no citizen waits for it."""

from __future__ import annotations

import logging
import time

from flask import Flask

from feedback.classifier import get_classifier

log = logging.getLogger(__name__)


def warm_up(app: Flask) -> None:
    """Load the complaint model and run it once (first calls pay for lazy imports and caches)."""
    started = time.perf_counter()
    with app.app_context():
        classifier = get_classifier()
        classifier.judge("warm-up")
        log.info(
            "warm-up done in %.2fs: model %s",
            time.perf_counter() - started,
            classifier.version or f"absent ({classifier.error or 'no current model'})",
        )
