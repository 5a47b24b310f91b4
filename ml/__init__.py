"""Rəy complaint classifier: a plain Python package (no Flask) used by the app and the CLI.

    from ml import load_model
    model = load_model("models/2026-11-26T1930-a1b2c3")   # once per process
    model.predict(["Sistem işləmir, 3 saat gözlədim"])     # -> [Prediction(...)]

Personal data (phones, e-mails, FINs, ID-card and bank-card numbers) is masked before the model
sees a comment (``ml.privacy.redact``), so it is never learnt, returned as a reason, or logged here.
"""

from ml.errors import DataError, ModelError
from ml.langid import detect_language
from ml.pipeline import Model, Prediction, load_model
from ml.privacy import redact
from ml.text import fold, mark_negation, normalise, stem, tokenise

__all__ = [
    "load_model", "Model", "Prediction", "ModelError", "DataError",
    "normalise", "fold", "tokenise", "mark_negation", "stem", "detect_language", "redact",
]
