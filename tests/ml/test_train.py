"""Training end to end on a small slice of the corpus: what the card records, quick or full."""

import csv
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from ml import load_model
from ml.data import read_datasets
from ml.train import CANDIDATES, RECALL_TARGET, train

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def small_csv(tmp_path_factory) -> Path:
    """30 complaints and 30 other comments in each of az, ru and en."""
    ds = read_datasets([str(ROOT / "ml" / "corpus")])
    rng = random.Random(0)
    rows = []
    for lang in ("az", "ru", "en"):
        for label in (0, 1):
            idx = [i for i, (y, l) in enumerate(zip(ds.labels, ds.langs)) if y == label and l == lang]
            rows += [(ds.texts[i], label, lang) for i in rng.sample(idx, 30)]
    path = tmp_path_factory.mktemp("data") / "small.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "label", "lang"])
        writer.writerows(rows)
    return path


def test_full_training_compares_candidates_and_baselines(small_csv, tmp_path):
    card = train(read_datasets([str(small_csv)]), tmp_path / "full", log=lambda _m: None)
    assert [c["name"] for c in card["model_selection"]["candidates"]] == [c["name"] for c in CANDIDATES]
    assert set(card["baselines"]) == {"majority_class", "bow_logreg", "vader"}
    assert set(card["acceptance"]) == {"az", "ru", "en"}
    # The threshold is chosen so that out-of-fold recall reaches the target in every language.
    for lang in ("az", "ru", "en"):
        assert card["metrics"]["cv"]["by_lang"][lang]["recall"] >= RECALL_TARGET
    assert load_model(tmp_path / "full").threshold == card["threshold"]


def test_quick_training_fits_the_default_without_comparisons(small_csv, tmp_path):
    card = train(read_datasets([str(small_csv)]), tmp_path / "quick", quick=True, log=lambda _m: None)
    assert card["model_selection"]["quick"] is True
    assert len(card["model_selection"]["candidates"]) == 1
    assert card["baselines"] == {} and card["acceptance"] == {}
    model = load_model(tmp_path / "quick")
    assert model.predict(["Növbə 3 saat çəkdi, heç kim kömək etmədi"])[0].complaint_probability > \
        model.predict(["Hər şey əla idi, çox sağ olun"])[0].complaint_probability


def test_cli_train_quick_then_evaluate(small_csv, tmp_path):
    out = tmp_path / "models" / "v1"
    trained = subprocess.run([sys.executable, "-m", "ml", "train", "--data", str(small_csv), "--out", str(out),
                              "--quick", "--promote"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert trained.returncode == 0, trained.stderr
    assert json.loads(trained.stdout)["promoted"] is True
    assert (out.parent / "CURRENT").read_text().strip() == "v1"
    evaluated = subprocess.run([sys.executable, "-m", "ml", "evaluate", "--model", str(out.parent),
                                "--data", str(small_csv)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    metrics = json.loads(evaluated.stdout)
    assert metrics["n"] == 180 and 0.0 <= metrics["macro_f1"] <= 1.0
