"""The fast scoring path gives the fitted pipeline's own probabilities, for every feature kind."""

import numpy as np
import pytest

from ml.data import read_datasets
from ml.pipeline import Model, build_pipeline
from tests.ml.conftest import CORPUS

ODD = ["", "👍", "!!!", "x" * 5000, "İSTANBUL", "?? ! ,", "not not good. ok", "Zəng edin +994 50 123 45 67",
       "NOT GOOD AT ALL!!!", ":-(( :) ;)", "Heç kim kömək etmədi, yaxşı deyil", "don't don't don't"]


@pytest.fixture(scope="module")
def corpus():
    return read_datasets([str(CORPUS)])


def fast_and_reference(model, texts):
    fast = np.array([p for p, _ in model.predict_proba_langs(texts)])
    return fast, model.pipeline.predict_proba(texts)[:, 1]


def test_same_probabilities_as_the_pipeline(model, corpus):
    texts = corpus.texts[::5] + ODD
    fast, reference = fast_and_reference(model, texts)
    assert np.abs(fast - reference).max() < 1e-9
    # A second pass, served from the caches, gives the same numbers bit for bit.
    again, _ = fast_and_reference(model, texts)
    assert (again == fast).all()


@pytest.mark.parametrize("kind", ["words", "chars"])
def test_same_probabilities_for_other_feature_kinds(tmp_path, corpus, kind):
    pipeline = build_pipeline(kind=kind).fit(corpus.texts[::4], corpus.y[::4])
    model = Model(pipeline, {"threshold": 0.5}, tmp_path / "v")
    fast, reference = fast_and_reference(model, corpus.texts[1::9] + ODD)
    assert np.abs(fast - reference).max() < 1e-9
    assert all(p.reasons == [] for p in model.predict(ODD))  # reasons only for words+chars


def test_one_comment_at_a_time_equals_the_batch(model, corpus):
    texts = corpus.texts[3::97]
    batch = model.predict(texts)
    assert [model.predict([t])[0] for t in texts] == batch
