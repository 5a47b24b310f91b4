"""The model that ships in models/ (what `make run` and a fresh deployment serve) is sound."""

import json

import pytest

from ml import load_model
from ml.data import read_datasets
from ml.registry import current_version_dir, read_card
from support import CORPUS, ROOT

MODELS = ROOT / "models"
SPEED_FIGURES = ("train_seconds_100k", "model_folder_mb", "load_seconds", "first_batch_comments_per_second",
                 "later_batch_comments_per_second", "single_comment_median_ms")


@pytest.fixture(scope="module")
def shipped():
    version_dir = current_version_dir(MODELS)
    assert version_dir is not None, "models/CURRENT names no version"
    return version_dir, read_card(version_dir)


def test_the_current_model_passes_its_own_acceptance_in_every_language(shipped):
    _, card = shipped
    assert set(card["acceptance"]) >= {"az", "ru", "en"}
    for lang, verdict in card["acceptance"].items():
        assert verdict["passes"], lang
        assert verdict["cv_macro_f1"] >= 0.80 and verdict["cv_recall_at_threshold"] >= 0.90, lang
        assert all(verdict["beats_baselines"].values()), lang
    assert not card["model_selection"]["quick"], "ship a fully selected model, not a --quick one"


def test_the_card_describes_the_corpus_in_the_repository(shipped):
    _, card = shipped
    rows = len(read_datasets([str(CORPUS)]).texts)
    assert card["data"]["rows"] == rows, "the corpus changed since the shipped model was trained"


def test_the_card_records_the_benchmark_figures(shipped):
    version_dir, card = shipped
    assert set(SPEED_FIGURES) <= set(card["speed"])
    assert card["speed"]["measured_model"] == version_dir.name
    size_mb = sum(path.stat().st_size for path in version_dir.iterdir()) / 2**20
    assert size_mb <= 20


def test_the_current_model_loads_and_flags_plain_complaints(shipped):
    version_dir, card = shipped
    model = load_model(version_dir)
    assert model.threshold == pytest.approx(card["threshold"])
    complaints = ["Növbədə 3 saat gözlədim, işçi kobud danışdı",
                  "Три часа в очереди, сотрудник нагрубил",
                  "Waited three hours and the clerk was rude to me"]
    praise = ["Çox sağ olun, hər şey tez oldu", "Спасибо, всё быстро", "Thank you, quick and friendly"]
    verdicts = model.predict(complaints + praise)
    assert [p.flagged for p in verdicts] == [True] * 3 + [False] * 3, json.dumps(
        [p.complaint_probability for p in verdicts])
