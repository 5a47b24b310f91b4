"""Model folders: a version is written whole or not at all, and CURRENT only ever names one that loads."""

import shutil

import pytest
import skops.io as sio

from ml import ModelError, load_model
from ml.registry import current_version_dir, list_versions, rollback, save, set_current


@pytest.fixture
def root(tmp_path, model_dir):
    """A models folder with two good versions, "a" promoted before "b"."""
    root = tmp_path / "models"
    for name in ("a", "b"):
        shutil.copytree(model_dir, root / name)
    set_current(root, "a")
    set_current(root, "b")
    return root


def test_training_interrupted_while_writing_leaves_no_version(tmp_path, model, monkeypatch):
    def dump_half_and_stop(obj, file, **kwargs):
        with open(file, "wb") as fh:
            fh.write(b"PK\x03\x04 half a zip")
        raise KeyboardInterrupt

    monkeypatch.setattr(sio, "dump", dump_half_and_stop)
    with pytest.raises(KeyboardInterrupt):
        save(tmp_path / "v1", model.pipeline, {"threshold": 0.5})
    assert not (tmp_path / "v1").exists()
    assert list(tmp_path.iterdir()) == []
    assert list_versions(tmp_path) == []


def test_overwriting_a_version_replaces_it_whole(tmp_path, model, model_dir):
    target = tmp_path / "v1"
    shutil.copytree(model_dir, target)
    save(target, model.pipeline, {"threshold": 0.25, "version": "v1"})
    assert load_model(target).threshold == 0.25
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v1"]


def test_versions_and_pointers_are_readable_by_others(tmp_path, model):
    """The web server's user may not be the one who trains and promotes (umask 022 is the usual)."""
    save(tmp_path / "v1", model.pipeline, {"threshold": 0.5})
    set_current(tmp_path, "v1")
    assert (tmp_path / "v1").stat().st_mode & 0o055 == 0o055
    for path in (tmp_path / "v1" / "model.skops", tmp_path / "v1" / "card.json",
                 tmp_path / "CURRENT", tmp_path / "HISTORY"):
        assert path.stat().st_mode & 0o044 == 0o044, path.name


@pytest.mark.parametrize("damage", ["no card", "corrupt model", "no threshold"])
def test_promote_refuses_a_version_that_would_not_load(root, damage):
    broken = root / "c"
    shutil.copytree(root / "a", broken)
    if damage == "no card":
        (broken / "card.json").unlink()
    elif damage == "corrupt model":
        (broken / "model.skops").write_bytes(b"PK\x03\x04 not really")
    else:
        (broken / "card.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ModelError):
        set_current(root, "c")
    assert current_version_dir(root).name == "b"


def test_rollback_skips_a_version_that_no_longer_loads(root, model_dir):
    shutil.copytree(model_dir, root / "c")
    set_current(root, "c")
    (root / "b" / "model.skops").write_bytes(b"truncated")
    assert rollback(root) == "a"
    assert load_model(current_version_dir(root)).version == "a"
