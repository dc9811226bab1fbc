"""MLflow keeps each Train and Test run with its settings, metrics, reports and model, and the model
registry's champion alias follows promote and rollback: read back through MLflow's own client."""

import contextlib
import json
import os
import re
import socket
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest
import yaml

from {{ cookiecutter.module_name }}.kit import PACKAGE
from {{ cookiecutter.module_name }}.kit.core import models, tracking
from {{ cookiecutter.module_name }}.kit.core.files import sha256
from {{ cookiecutter.module_name }}.kit.core.pipeline import Project
from {{ cookiecutter.module_name }}.kit.core.records import Evaluation, ModelCard
from {{ cookiecutter.module_name }}.kit.operations import releases
{%- if cookiecutter.serving == "fastapi" %}
from {{ cookiecutter.module_name }}.kit.operations.serve import create_app
{%- endif %}
from {{ cookiecutter.module_name }}.kit.process.readiness import skip_reason


@contextlib.contextmanager
def store(project):
    """MLflow's client on the project's runs, with MLflow's own functions pointed there too."""
    uri = tracking.tracking_uri(project.root)
    mlflow.set_tracking_uri(uri)
    try:
        yield mlflow.MlflowClient(uri)
    finally:
        mlflow.set_tracking_uri(None)


def runs_of(client, stage):
    """The project's runs of one stage, newest first."""
    experiment = client.get_experiment_by_name(PACKAGE)
    return client.search_runs(
        [experiment.experiment_id], f"tags.stage = '{stage}'", order_by=["attributes.start_time DESC"]
    )


def model_rows(project):
    """Holdout rows with the columns the model takes, in its order."""
    holdout = pd.read_parquet(project.path("holdout"))
    return holdout[list(project.read(ModelCard, "model_card").columns)]


def require_gate_passed(project):
    """promote releases only a model whose Test results pass the quality gate."""
    say = project.messages(releases.__file__)
    failures = releases.gate_failures(project.read(Evaluation, "metrics"), say)
    if failures:
        pytest.skip(skip_reason("tracking.gate_not_passed", reasons="; ".join(failures)))


def test_the_train_run_keeps_the_settings_the_cross_validation_and_the_model(evaluated):
    card = evaluated.read(ModelCard, "model_card")
    with store(evaluated) as client:
        (run, *_) = runs_of(client, "train")
        assert run.data.tags[tracking.MODEL_TAG] == sha256(evaluated.path("model"))
        assert run.data.tags[tracking.DATA_TAG] == card.training_data_fingerprint
        assert run.data.params["split.seed"] == json.dumps(evaluated.settings.split.seed)
        assert run.data.params["model.cv_folds"] == json.dumps(evaluated.settings.model.cv_folds)
        for algorithm, scores in card.cross_validation.items():
            assert run.data.metrics[f"cv.{algorithm}.mean"] == pytest.approx(scores.mean)
        reports = {entry.path for entry in client.list_artifacts(run.info.run_id, "reports/train")}
        assert "reports/train/report.md" in reports, reports

        # The logged model is the model file itself, loaded through models.load: no pickle in it.
        uri = run.data.tags[tracking.LOGGED_MODEL_TAG]
        files = [path.name for path in Path(mlflow.artifacts.download_artifacts(uri)).rglob("*")]
        assert "model.skops" in files and not [name for name in files if name.endswith((".pkl", ".pickle"))]
        logged = mlflow.pyfunc.load_model(uri)
    rows = model_rows(evaluated)
    expected = models.load(evaluated.path("model")).predict(rows)
    np.testing.assert_array_equal(np.asarray(logged.predict(rows)), expected)


def test_the_test_run_keeps_the_holdout_and_slice_metrics_and_the_filled_model_card(evaluated):
    results = evaluated.read(Evaluation, "metrics")
    with store(evaluated) as client:
        (run, *_) = runs_of(client, "test")
        assert run.data.tags[tracking.MODEL_TAG] == sha256(evaluated.path("model"))
        for metric, score in results.holdout.items():
            assert run.data.metrics[f"holdout.{metric}"] == pytest.approx(score)
        assert run.data.metrics["value.meets_requirement"] == float(results.value.meets_requirement)
        slices = dict(tracking.numbers({"slices": results.model_dump(mode="json")["slices"]}))
        assert slices.items() <= run.data.metrics.items()
        reports = {entry.path for entry in client.list_artifacts(run.info.run_id, "reports/test")}
        assert "reports/test/metrics.json" in reports, reports
        documents = [entry.path for entry in client.list_artifacts(run.info.run_id, "docs")]
        assert documents == [f"docs/{evaluated.card('test').name}"]


def test_names_mlflow_would_refuse_or_that_would_collide_are_made_distinct_and_keep_every_value():
    slices = {"region": {"東京/23区": {"f1": 0.5}, "東京_23区": {"f1": 0.75}, "a.b": {"f1": 1}}}
    assert dict(tracking.numbers({"slices": slices})) == {
        "slices.region.東京_23区.f1": 0.5,
        "slices.region.東京_23区_2.f1": 0.75,
        "slices.region.a_b.f1": 1.0,
    }


def test_a_tracking_server_that_does_not_answer_is_said_and_the_local_runs_stay_as_they_were(
    evaluated, monkeypatch
):
    with socket.socket() as probe:  # a port that nothing listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        uri = f"http://127.0.0.1:{probe.getsockname()[1]}"
    with store(evaluated) as client:
        kept = len(runs_of(client, "test"))
    say = evaluated.messages(tracking.__file__)
    told = say("tracking.failed", doing=say("tracking.doing.test"), uri=uri, error="\0").split("\0")[0]

    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    with pytest.raises(tracking.TrackingError, match=re.escape(told)):
        tracking.record(evaluated, "test", {})
    # MLflow's quick first-contact settings are gone again: later uploads retry as MLflow does by default.
    assert not set(tracking.FIRST_CONTACT) & set(os.environ)

    monkeypatch.delenv("MLFLOW_TRACKING_URI")
    with store(evaluated) as client:
        assert len(runs_of(client, "test")) == kept


def test_a_retraining_is_a_second_run_and_the_champion_alias_follows_promote_and_rollback(
    finished, command{% if cookiecutter.serving == "fastapi" %}, refused{% endif %}
):
    project = Project.load(finished)
    require_gate_passed(project)
    command(["promote"])
    first = releases.served_files(project).version
    first_model = sha256(project.path("model"))

    # A new split gives new training rows: a second training, and a second model.
    settings = yaml.safe_load((finished / "params.yaml").read_text(encoding="utf-8"))
    settings["split"]["seed"] += 1
    (finished / "params.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    command(["run", "all"])
    project = Project.load(finished)
    require_gate_passed(project)
    command(["promote"])
    second = releases.served_files(project).version
    assert second != first

    with store(project) as client:
        newest, before = runs_of(client, "train")[:2]
        assert [newest.data.tags[tracking.MODEL_TAG], before.data.tags[tracking.MODEL_TAG]] == [
            sha256(project.path("model")),
            first_model,
        ]
        assert newest.data.params["split.seed"] == json.dumps(settings["split"]["seed"])
        assert before.data.params["split.seed"] == json.dumps(settings["split"]["seed"] - 1)
        for run in (newest, before):
            assert any(key.startswith("cv.") for key in run.data.metrics), run.data.metrics
        champion = client.get_model_version_by_alias(PACKAGE, tracking.CHAMPION)
        assert (champion.tags[tracking.RELEASE_TAG], champion.run_id) == (second, newest.info.run_id)

        command(["rollback"])
        champion = client.get_model_version_by_alias(PACKAGE, tracking.CHAMPION)
        assert (champion.tags[tracking.RELEASE_TAG], champion.run_id) == (first, before.info.run_id)
{%- if cookiecutter.serving == "fastapi" %}

    # The service answers with the release the alias names.
    version = create_app(project, alias=tracking.CHAMPION).version
    assert version == first
    say = project.messages(tracking.__file__)
    refused(finished, ["serve", "--alias", "nobody"], say("tracking.doing.serve", alias="nobody"))
{%- endif %}
