"""The estimator (hashed n-grams → TF-IDF → calibrated linear model) and the loaded Model."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from ml.errors import ModelError
from ml.features import TextFeatures
from ml.featurise import SLICE
from ml.langid import TURKIC, warm_up
from ml.privacy import PLACEHOLDERS
from ml.registry import load_pipeline
from ml.scoring import LinearScorer, Scored
from ml.text import NEG_SUFFIX, has_words, turkic_lower

__all__ = ["Prediction", "Model", "build_pipeline", "make_classifier", "load_model"]

MAX_REASONS = 5
#: Placeholders, lower-cased as any language would ("FINCODE" is "fıncode" in az and tr), and "!?".
_HIDDEN = frozenset(case(p.strip()) for p in PLACEHOLDERS.values() for case in (str.lower, turkic_lower)) | frozenset("!?")
_CUT = -len(NEG_SUFFIX)


@dataclass(frozen=True)
class Prediction:
    """The verdict on one comment."""

    #: None for a comment with nothing to read (punctuation alone): no evidence either way.
    complaint_probability: float | None
    flagged: bool
    lang: str
    #: Words and word pairs that pushed toward complaint, strongest first (empty if not flagged).
    reasons: list[str] = field(default_factory=list)


def make_classifier(C: float = 4.0, seed: int = 0, calibration_folds: int = 3) -> CalibratedClassifierCV:
    """Balanced logistic regression with sigmoid-calibrated probabilities (one model, not an ensemble)."""
    base = LogisticRegression(C=C, class_weight="balanced", solver="liblinear", random_state=seed)
    return CalibratedClassifierCV(base, method="sigmoid", cv=calibration_folds, ensemble=False)


def build_pipeline(*, C: float = 4.0, char_ngrams=(2, 5), n_features: int = 2**18, kind: str = "all",
                   seed: int = 0) -> Pipeline:
    return Pipeline([
        ("features", TextFeatures(n_features=n_features, char_ngrams=tuple(char_ngrams), kind=kind)),
        ("tfidf", TfidfTransformer(sublinear_tf=True)),
        ("clf", make_classifier(C, seed)),
    ])


class Model:
    """A trained classifier with its card and threshold. Read-only after loading, so thread-safe."""

    def __init__(self, pipeline: Pipeline, card: dict, path: Path):
        try:
            features: TextFeatures = pipeline.named_steps["features"]
            self._scorer = LinearScorer(features, pipeline.named_steps["tfidf"], pipeline.named_steps["clf"])
            self.threshold = float(card["threshold"])
        except (KeyError, AttributeError, IndexError, TypeError, ValueError) as exc:
            raise ModelError(
                f"{path}: the model file doesn't hold a Rəy pipeline ({exc!r}). Retrain with `python -m ml train`."
            ) from None
        self.pipeline = pipeline
        self.card = card
        self.path = Path(path)
        self.version = self.path.name
        self._explains = features.kind == "all"

    def _slices(self, texts):
        """Scored slices of ``texts``: arrays stay small, memory bounded."""
        if isinstance(texts, str):
            raise TypeError("predict() takes a list of comments, not one string; wrap it in a list.")
        texts = list(texts)
        for start in range(0, len(texts), SLICE):
            yield self._scorer.score(texts[start:start + SLICE])

    def predict_proba_langs(self, texts) -> list[tuple[float, str]]:
        """(complaint probability, language) for each comment, without explanations."""
        out = []
        for scored in self._slices(texts):
            out += zip(scored.p.tolist(), scored.langs)
        return out

    def predict(self, texts) -> list[Prediction]:
        """Score a batch of comments; flagged ones come with the n-grams behind the verdict. A
        comment with nothing to read ("-", "...") gets no probability and is not flagged."""
        threshold = self.threshold
        texts = texts if isinstance(texts, (list, str)) else list(texts)
        out = []
        for scored in self._slices(texts):
            for i, (lang, q) in enumerate(zip(scored.langs, scored.p.tolist())):
                if not has_words(texts[len(out)]):
                    out.append(Prediction(None, False, lang, []))
                    continue
                flagged = q >= threshold
                out.append(Prediction(round(q, 6), flagged, lang, self._reasons(scored, i) if flagged else []))
        return out

    def explain(self, text: str) -> list[str]:
        """The words that pushed ``text`` toward complaint, whatever the verdict."""
        if not isinstance(text, str):
            raise TypeError(f"comments must be str, got {type(text).__name__}")
        return self._reasons(self._scorer.score([text]), 0)

    def _reasons(self, scored: Scored, i: int) -> list[str]:
        """Rank the comment's words and word pairs by the weight they add to the complaint score,
        and give the top ones as the citizen wrote them (original casing), without masked data.

        Within one comment TF-IDF rows share one norm, so ranking by Σ coef·idf·count over a
        word's own n-grams orders words as their share of the decision does (up to tf damping).
        """
        if not self._explains:
            return []
        scored_units = scored.unit_weights(i)
        scored_units.sort(reverse=True)
        original = None
        reasons: list[str] = []
        for _, unit in scored_units:
            negated = False
            if " " in unit:
                words = [w[:_CUT] if w.endswith(NEG_SUFFIX) else w for w in unit.split(" ")]
            elif unit.endswith(NEG_SUFFIX):
                words, negated = [unit[:_CUT]], True
            else:
                words = [unit]
            if not _HIDDEN.isdisjoint(words):
                continue
            if original is None:
                original = scored.words_as_written(i, scored.langs[i] in TURKIC)
            shown = " ".join(map(original.get, words, words))
            if negated:
                shown += " (negated)"
            if shown not in reasons:
                reasons.append(shown)
                if len(reasons) == MAX_REASONS:
                    break
        return reasons


def load_model(path) -> Model:
    """Load a version folder (model.skops + card.json); raise ModelError saying how to fix it."""
    path = Path(path)
    pipeline, card = load_pipeline(path)
    model = Model(pipeline, card, path)
    warm_up()  # load the fallback language identifier now rather than on the first comment
    return model
