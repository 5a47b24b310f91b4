"""CLI contract: every bad input ends with a clear error, a non-zero exit and no traceback."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args, stdin=""):
    return subprocess.run([sys.executable, "-m", "ml", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def assert_clean_failure(result, *words):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error:") or "usage:" in result.stderr
    for word in words:
        assert word in result.stderr


@pytest.fixture
def csv_file(tmp_path):
    def write(content, name="data.csv", mode="w"):
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return str(path)
    return write


@pytest.mark.parametrize("content, words", [
    (b"\xff\xfe\x00t\x00e\x00x\x00t", ["UTF-8"]),
    ("body,label\nhello,1\n", ["missing column", "text"]),
    ("text,lang\nhello,en\n", ["label"]),
    ("text,label\n ,1\n", ["empty text"]),
    ("text,label\nhello,2\n", ["not 0 or 1"]),
    ("text,label\nhello,yes\n", ["not 0 or 1"]),
    ("text,label,weight\nhello,1,inf\n", ["finite number"]),
    ("text,label,weight\nhello,1,nan\n", ["finite number"]),
    # so large that the sums in training overflow and liblinear never finishes
    ("text,label,weight\nhello,1,1e308\n", ["weight", "at most"]),
    ("", ["empty"]),
])
@pytest.mark.parametrize("command", ["train", "evaluate"])
def test_bad_csv(command, content, words, csv_file, model_dir, tmp_path):
    path = csv_file(content)
    args = ["--out", str(tmp_path / "v")] if command == "train" else ["--model", str(model_dir)]
    assert_clean_failure(run(command, "--data", path, *args), *words)


def test_missing_data_file(model_dir):
    assert_clean_failure(run("evaluate", "--model", str(model_dir), "--data", "no/such.csv"), "no such file")


@pytest.mark.parametrize("command", ["evaluate", "predict"])
def test_missing_model(command, tmp_path, csv_file):
    args = ["--data", csv_file("text,label\nhi,1\n")] if command == "evaluate" else []
    assert_clean_failure(run(command, "--model", str(tmp_path / "nothing"), *args), "no such model folder")


def test_corrupt_model(tmp_path, model_dir):
    bad = tmp_path / "broken"
    bad.mkdir()
    (bad / "model.skops").write_bytes(b"not a zip file")
    (bad / "card.json").write_text((model_dir / "card.json").read_text(encoding="utf-8"), encoding="utf-8")
    assert_clean_failure(run("predict", "--model", str(bad), stdin="hello\n"), "corrupt")


def test_evaluate_prints_metrics_with_bom_crlf_extra_columns_and_no_lang(model_dir, csv_file):
    rows = "\ufeffid,text,label,extra\r\n1,Sistem işləmir,1,x\r\n2,Very rude staff,1,y\r\n" \
           "3,Спасибо большое,0,z\r\n4,Excellent service thank you,0,w\r\n5,Çok kötü hizmet,1,t\r\n"
    result = run("evaluate", "--model", str(model_dir), "--data", csv_file(rows))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    for key in ("macro_f1", "precision", "recall", "roc_auc", "n", "by_lang"):
        assert key in report
    assert report["n"] == 5 and {"az", "en", "ru", "tr"} <= set(report["by_lang"])


def test_predict_json_lines_and_empty_line(model_dir):
    result = run("predict", "--model", str(model_dir), stdin="Sistem işləmir, 3 saat gözlədim\n\nThank you!\n")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert set(lines[0]) == {"complaint_probability", "flagged", "lang", "reasons"}
    assert lines[1]["error"] == "empty comment"
    assert result.returncode != 0 and "Traceback" not in result.stderr


def test_versions_promote_and_rollback(tmp_path, model_dir):
    import shutil

    root = tmp_path / "models"
    for name in ("v1", "v2"):
        shutil.copytree(model_dir, root / name)
    assert run("promote", "--models", str(root), "v1").returncode == 0
    assert run("promote", "--models", str(root), "v2").returncode == 0
    assert "* v2" in run("versions", "--models", str(root)).stdout
    result = run("rollback", "--models", str(root))
    assert result.returncode == 0 and "v1" in result.stdout
    assert (root / "CURRENT").read_text().strip() == "v1"
    assert_clean_failure(run("rollback", "--models", str(root)), "no earlier version")


def _strict_json(text):
    """json.loads that refuses NaN and Infinity, which are not JSON."""
    def refuse(name):
        raise ValueError(f"{name} is not JSON")
    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("rows", [
    # every English row weighs nothing: that language has no evidence, it must not crash the report
    "text,label,lang,weight\nSistem işləmir,1,az,1\nÇox sağ olun,0,az,1\nVery rude,1,en,0\nThank you,0,en,0\n",
    # complaints that weigh nothing: ROC AUC is undefined, not NaN
    "text,label,weight\nSistem işləmir,1,0\nÇox sağ olun,0,1\nHər şey əla idi,0,1\n",
    # weights so large that sums overflow
    "text,label,weight\nSistem işləmir,1,1e308\nÇox sağ olun,0,1e308\nHər şey əla,0,1e308\n",
])
def test_evaluate_prints_one_strict_json_object_whatever_the_weights(rows, model_dir, csv_file):
    result = run("evaluate", "--model", str(model_dir), "--data", csv_file(rows))
    assert "Traceback" not in result.stderr
    if result.returncode == 0:
        assert len(result.stdout.strip().splitlines()) == 1
        report = _strict_json(result.stdout)
        assert report["n"] >= 3
    else:
        assert_clean_failure(result, "weight")


def test_train_refuses_a_class_whose_rows_all_weigh_nothing(csv_file, tmp_path):
    rows = "text,label,weight\n" + "".join(f"Sistem işləmir {i},1,0\nÇox sağ olun {i},0,1\n" for i in range(20))
    result = run("train", "--quick", "--data", csv_file(rows), "--out", str(tmp_path / "v"))
    assert_clean_failure(result, "complaints")
    assert not (tmp_path / "v").exists()
