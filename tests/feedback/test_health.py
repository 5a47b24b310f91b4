import pytest


def test_healthz_answers(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_readyz_reports_database_and_knowingly_absent_model(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok", "model": "absent"}


@pytest.mark.model
def test_readyz_names_the_loaded_model(client):
    checks = client.get("/readyz").get_json()["checks"]
    assert checks["model"] == "test-model"


def test_readyz_is_503_when_the_model_is_corrupt(app, tmp_path):
    broken = tmp_path / "broken-models"
    (broken / "v1").mkdir(parents=True)
    (broken / "v1" / "model.skops").write_bytes(b"not a model")
    (broken / "CURRENT").write_text("v1\n")
    app.config["MODELS_DIR"] = str(broken)
    from feedback.classifier import init_app

    init_app(app)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["model"].startswith("error")
