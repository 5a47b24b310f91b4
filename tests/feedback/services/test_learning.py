"""Learning from officers' verdicts: the label export and the retrain promotion gate."""

from __future__ import annotations

import csv
import io
import random
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from factories import make_center, make_submission
from feedback.extensions import db
from feedback.models import AdminAction, AdminEvent, Case, Priority
from feedback.services import learning
from ml.data import read_datasets
from ml.registry import current_version_dir, rollback, set_current

ROOT = Path(__file__).resolve().parents[3]

COMPLAINTS = [
    ("Üç saat növbədə gözlədim, heç kim kömək etmədi", "az"),
    ("Əməkdaş çox kobud danışdı, bir də gəlmərəm", "az"),
    ("Sistem işləmir dedilər, iki gündür gəlirəm", "az"),
    ("Çox pis xidmət, sənədimi itirdilər", "az"),
    ("Очень долго ждали, система не работает", "ru"),
    ("Сотрудник грубил и отказался принять документы", "ru"),
    ("Ужасное обслуживание, пришлось приходить три раза", "ru"),
    ("Waited four hours and nobody explained anything", "en"),
    ("The officer was rude and refused to help me", "en"),
    ("Terrible service, they lost my documents twice", "en"),
]
PRAISE = [
    ("Hər şey əla idi, çox sağ olun", "az"),
    ("Çox sürətli və nəzakətli xidmət, təşəkkür edirəm", "az"),
    ("Əməkdaşlar çox köməkçi idi, 10 dəqiqəyə hazır oldu", "az"),
    ("Təmiz və rahat zal, hər şey aydın izah olundu", "az"),
    ("Всё отлично, спасибо большое", "ru"),
    ("Быстро и вежливо обслужили, очень доволен", "ru"),
    ("Прекрасный сервис, всё объяснили понятно", "ru"),
    ("Excellent service, I was done in ten minutes", "en"),
    ("Very polite and helpful staff, thank you", "en"),
    ("Everything was quick and clear, great job", "en"),
]


def _case(center, text, lang, *, verdict, rating=2, restricted=False, masked=None):
    sub = make_submission(center, rating=rating, comment=text, comment_masked=masked or text,
                          comment_language=lang, is_flagged=True)
    case = Case(submission_id=sub.id, center_id=center.id, priority=Priority.normal,
                due_dt=datetime.now(timezone.utc) + timedelta(days=3), is_restricted=restricted,
                is_complaint_confirmed=verdict)
    db.session.add(case)
    db.session.commit()
    return case


def _judge_all(center):
    """Officers judged 10 complaints and 10 praises; every fifth of each kind is held out (2 + 2)."""
    for (c_text, c_lang), (p_text, p_lang) in zip(COMPLAINTS, PRAISE):
        _case(center, c_text, c_lang, verdict=True)
        _case(center, p_text, p_lang, verdict=False, rating=3)


def _sample(path: Path, *, invert: bool, n: int = 40, seed: int = 1) -> Path:
    """A small slice of the seed corpus (quick to train); ``invert`` flips every label."""
    ds = read_datasets([str(ROOT / "ml" / "corpus")])
    rng = random.Random(seed)
    rows = []
    for label in (0, 1):
        idx = [i for i, y in enumerate(ds.labels) if y == label and ds.langs[i] in ("az", "ru", "en")]
        rows += [(ds.texts[i], 1 - label if invert else label, ds.langs[i]) for i in rng.sample(idx, n)]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "label", "lang"])
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def worse_model(tmp_path_factory) -> Path:
    """A model trained on deliberately flipped labels: it calls praise a complaint."""
    from ml.train import train

    root = tmp_path_factory.mktemp("worse")
    ds = read_datasets([str(_sample(root / "inverted.csv", invert=True))])
    train(ds, root / "worse-model", quick=True, log=lambda _msg: None)
    return root / "worse-model"


def _models_root(tmp_path: Path, *versions: Path) -> Path:
    root = tmp_path / "models"
    root.mkdir()
    for version in versions:
        shutil.copytree(version, root / version.name)
        set_current(root, version.name)
    return root


def test_export_labels_writes_masked_verdicts_for_ml_train(app, runner, tmp_path):
    with app.app_context():
        center = make_center("baku-1")
        _case(center, "Zəng edin 050-123-45-67, 3 saat gözlədim", "az", verdict=True,
              masked="Zəng edin [telefon], 3 saat gözlədim")
        _case(center, "Hər şey yaxşı idi", "az", verdict=False)
        _case(center, "Not yet judged", "en", verdict=None)
        _case(center, "Rüşvət istədilər", "az", verdict=True, restricted=True)
        _case(center, "Hədiyyə istədi", "az", verdict=None, rating=1, restricted=True)
        make_submission(center, rating=1, comment="Dəhşət idi", comment_language="az")
        make_submission(center, rating=5, comment="Super", comment_language="az")
        make_submission(center, rating=3, comment="Normal", comment_language="az")
        make_submission(center, rating=1, comment="")  # no text, nothing to learn from
    out = tmp_path / "labels.csv"
    result = runner.invoke(args=["ml", "export-labels", "--output", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["text"], r["label"], r["lang"], r["weight"]) for r in rows] == [
        # Masked as the model masks the comments it judges, not with the officers' "[telefon]".
        ("Zəng edin PHONENUM , 3 saat gözlədim", "1", "az", "1"),
        ("Hər şey yaxşı idi", "0", "az", "1"),
    ]
    assert "050-123" not in out.read_text(encoding="utf-8")
    ds = read_datasets([str(out)])  # what `python -m ml train --data labels.csv` reads
    assert ds.labels == [1, 0]

    result = runner.invoke(args=["ml", "export-labels", "--rating-weight", "0.3"])
    assert "Hədiyyə" not in result.stdout and "Rüşvət" not in result.stdout  # integrity cases stay out

    result = runner.invoke(args=["ml", "export-labels", "--rating-weight", "0.3", "--include-restricted"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["text"], r["label"], r["weight"]) for r in rows] == [
        ("Zəng edin PHONENUM , 3 saat gözlədim", "1", "1"),
        ("Hər şey yaxşı idi", "0", "1"),
        ("Rüşvət istədilər", "1", "1"),
        ("Hədiyyə istədi", "1", "0.3"),
        ("Dəhşət idi", "1", "0.3"),
        ("Super", "0", "0.3"),
    ]


def test_export_to_an_unwritable_place_is_a_clear_error(runner, tmp_path):
    result = runner.invoke(args=["ml", "export-labels", "--output", str(tmp_path / "missing" / "labels.csv")])
    assert result.exit_code == 1
    assert "cannot write" in result.output and "Traceback" not in result.output


def test_held_out_split_is_stable_and_per_kind(app_ctx):
    labels = [learning.Label(f"t{i}", i % 2, "az", case_id=i) for i in range(1, 21)]
    train, held = learning.split_held_out(labels)
    assert [x.case_id for x in held] == [9, 10, 19, 20]
    assert learning.split_held_out(list(reversed(labels)))[1] == held
    assert len(train) == 16


def test_retrain_refuses_without_enough_verdicts(app, runner, tmp_path):
    with app.app_context():
        center = make_center("baku-1")
        _case(center, "Çox pis idi", "az", verdict=True)
    result = runner.invoke(args=["ml", "retrain", "--corpus", str(tmp_path / "none.csv")])
    assert result.exit_code == 1
    assert "not enough officer verdicts" in result.output
    assert "Traceback" not in result.output


def test_deliberately_worse_model_is_not_promoted(app, runner, tmp_path, trained_models_dir):
    good = trained_models_dir / "test-model"
    root = _models_root(tmp_path, good)
    app.config["MODELS_DIR"] = str(root)
    with app.app_context():
        _judge_all(make_center("baku-1"))
    corpus = _sample(tmp_path / "inverted.csv", invert=True)
    result = runner.invoke(args=["ml", "retrain", "--corpus", str(corpus), "--rating-weight", "0", "--quick"])
    assert result.exit_code == 0, result.output
    assert "was not promoted" in result.output and "worse on held-out verdicts" in result.output
    assert current_version_dir(root).name == "test-model"
    assert sorted(p.name for p in root.iterdir() if p.is_dir()) == ["test-model"]  # rejected one removed


def test_a_promotion_from_the_command_line_is_in_the_administration_log(app, runner, tmp_path, worse_model):
    """A rollback was logged and a promotion was not: an auditor asking why flagging changed on a
    day found only the way back. Both change which model flags feedback."""
    root = _models_root(tmp_path, worse_model)
    app.config["MODELS_DIR"] = str(root)
    with app.app_context():
        _judge_all(make_center("baku-1"))
    corpus = _sample(tmp_path / "sample.csv", invert=False)
    result = runner.invoke(args=["ml", "retrain", "--corpus", str(corpus), "--rating-weight", "0", "--quick"])
    assert result.exit_code == 0 and "promoted" in result.output, result.output
    promoted = current_version_dir(root).name
    assert promoted != "worse-model"
    with app.app_context():
        event = db.session.scalar(sa.select(AdminEvent))
        assert event is not None and event.action == AdminAction.model_promoted
        assert event.subject == promoted and event.actor_name == ""
        assert event.details["version"] == {"from": "worse-model", "to": promoted}


def test_better_model_is_promoted_and_old_kept_for_rollback(app, tmp_path, worse_model, trained_models_dir):
    root = _models_root(tmp_path, worse_model)
    candidate = root / "candidate"
    shutil.copytree(trained_models_dir / "test-model", candidate)
    with app.app_context():
        _judge_all(make_center("baku-1"))
        _train, held_out = learning.split_held_out(learning.officer_labels())
    result = learning.gate(root, candidate, held_out)
    assert result.is_promoted, result.reason
    assert result.previous == "worse-model" and result.held_out == 4
    assert result.new_metrics["macro_f1"] > result.old_metrics["macro_f1"]
    assert current_version_dir(root).name == "candidate"
    assert rollback(root) == "worse-model"
    assert current_version_dir(root).name == "worse-model"


def test_gate_rejects_the_worse_model_directly(app, tmp_path, worse_model, trained_models_dir):
    root = _models_root(tmp_path, trained_models_dir / "test-model")
    candidate = root / "worse-model"
    shutil.copytree(worse_model, candidate)
    with app.app_context():
        _judge_all(make_center("baku-1"))
        _train, held_out = learning.split_held_out(learning.officer_labels())
    result = learning.gate(root, candidate, held_out)
    assert not result.is_promoted
    assert result.new_metrics["macro_f1"] < result.old_metrics["macro_f1"]
    assert current_version_dir(root).name == "test-model" and not candidate.exists()


@pytest.mark.parametrize("command", ["export-labels", "retrain"])
def test_an_infinite_rating_weight_is_refused_before_any_work(runner, command):
    result = runner.invoke(args=["ml", command, "--rating-weight", "inf"])
    assert result.exit_code == 2 and "--rating-weight" in result.output
