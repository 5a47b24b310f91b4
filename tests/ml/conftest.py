"""Fixtures for the ml tests: one small model trained once per session on the seed corpus."""

import pytest

from ml import load_model
from ml.data import read_datasets
from ml.pipeline import build_pipeline
from ml.registry import save
from support import CORPUS


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory):
    """A version folder trained on the corpus with fixed settings (no model selection: fast)."""
    ds = read_datasets([str(CORPUS)])
    pipeline = build_pipeline(C=4.0).fit(ds.texts, ds.y)
    out = tmp_path_factory.mktemp("models") / "2026-01-01T0000-test00"
    save(out, pipeline, {"threshold": 0.5, "version": out.name})
    return out


@pytest.fixture(scope="session")
def model(model_dir):
    return load_model(model_dir)
