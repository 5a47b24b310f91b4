"""Model behaviour: invariance, direction, minimum functionality; and the Python interface."""

import threading

import pytest

from ml import ModelError, Prediction, load_model
from ml.registry import current_version_dir, list_versions, rollback, set_current
from ml.text import has_words


def p(model, text):
    return model.predict([text])[0].complaint_probability


@pytest.mark.parametrize("a, b", [
    ("Operator Aysel çox kömək etdi, təşəkkürlər", "Operator Günel çox kömək etdi, təşəkkürlər"),
    ("Thank you to Mr. Smith, very quick service", "Thank you to Mr. Brown, very quick service"),
    ("Спасибо Ивану, всё быстро сделали", "Спасибо Ольге, всё быстро сделали"),
])
def test_invariance_name_change_does_not_flip(model, a, b):
    assert model.predict([a])[0].flagged == model.predict([b])[0].flagged
    assert abs(p(model, a) - p(model, b)) < 0.25


@pytest.mark.parametrize("base, worse", [
    ("The staff were polite", "The staff were polite but I waited three hours"),
    ("Hər şey qaydasındadır", "Hər şey qaydasındadır, amma 3 saat növbədə gözlədim"),
    ("Сотрудники вежливые", "Сотрудники вежливые, но ждал три часа"),
])
def test_direction_waiting_raises_probability(model, base, worse):
    assert p(model, worse) > p(model, base)


@pytest.mark.parametrize("text, complaint", [
    ("Sistem işləmir, 3 saat gözlədim, heç kim kömək etmədi", True),
    ("cox pis xidmet, isciler kobud", True),
    ("Çox sağ olun, hər şey tez oldu", False),
    ("Очень грубый сотрудник, ждал три часа", True),
    ("ochen dolgo jdali, sistema ne rabotaet", True),
    ("Спасибо, всё сделали быстро и вежливо", False),
    ("Rude staff and I waited for hours", True),
    ("Excellent service, thank you!", False),
])
def test_minimum_functionality(model, text, complaint):
    assert (p(model, text) >= 0.5) == complaint


def test_turkish_and_odd_input_do_not_crash(model):
    out = model.predict(["Çok kötü hizmet, saatlerce bekledim", "👍", "!!!", "x" * 20000, "İSTANBUL"])
    assert all(isinstance(o, Prediction) for o in out)
    assert out[2].complaint_probability is None, "punctuation alone is nothing to read"
    assert all(0 <= o.complaint_probability <= 1 for o in out[:2] + out[3:])


def test_reasons_are_words_of_the_comment(model):
    pred = model.predict(["Very rude staff, I waited three hours, call me +994 50 123 45 67"])[0]
    assert pred.flagged and 0 < len(pred.reasons) <= 5
    assert not any("994" in r or "phonenum" in r.lower() for r in pred.reasons)
    assert any(r.lower() in {"rude", "waited", "hours", "rude staff"} for r in pred.reasons)


def test_same_data_and_seed_same_predictions(model):
    from ml.data import read_datasets
    from ml.pipeline import build_pipeline
    from support import CORPUS

    ds = read_datasets([str(CORPUS)])
    texts = ["Sistem işləmir", "Thank you", "Ждал долго"]
    a = build_pipeline(seed=3).fit(ds.texts[:600], ds.y[:600]).predict_proba(texts)
    b = build_pipeline(seed=3).fit(ds.texts[:600], ds.y[:600]).predict_proba(texts)
    assert (a == b).all()


def test_thread_safe_batches(model):
    texts = ["Sistem işləmir", "Thank you", "Ждал долго", "cox pis"] * 25
    expected = model.predict(texts)
    results = []
    threads = [threading.Thread(target=lambda: results.append(model.predict(texts))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected for r in results)


def test_load_model_errors(tmp_path):
    with pytest.raises(ModelError):
        load_model(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="missing"):
        load_model(tmp_path / "empty")


def test_registry_pointer(tmp_path, model_dir):
    import shutil

    assert current_version_dir(tmp_path) is None
    for name in ("a", "b"):
        shutil.copytree(model_dir, tmp_path / name)
    set_current(tmp_path, "a")
    set_current(tmp_path, "b")
    assert current_version_dir(tmp_path) == tmp_path / "b"
    assert list_versions(tmp_path) == ["a", "b"]
    assert rollback(tmp_path) == "a"
    model = load_model(current_version_dir(tmp_path))
    assert model.version == "a" and model.threshold == 0.5


@pytest.mark.parametrize("text", ["-", "...", "!!!", "—", "+", "*", "  "])
def test_a_comment_with_nothing_to_read_gets_no_probability_and_no_flag(model, text):
    (prediction,) = model.predict([text])
    assert prediction.complaint_probability is None and not prediction.flagged and prediction.reasons == []


@pytest.mark.parametrize("text", [":(", ":-(", "👎", "ok", "5", "Növbə"])
def test_an_emoticon_an_emoji_a_word_or_a_digit_is_read(model, text):
    assert has_words(text)
    (prediction,) = model.predict(["-", text])[1:]
    assert prediction.complaint_probability is not None
