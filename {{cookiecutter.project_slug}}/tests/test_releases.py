"""Releases: only a model the Test stage passed is served, the release before is one command away, and
a served model past its age limit is caught."""

import json
import shutil
{%- if cookiecutter.serving == "fastapi" %}
import urllib.request
{%- endif %}
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.kit.cli import main
from {{ cookiecutter.module_name }}.kit.core import models, pipeline, records{% if cookiecutter.tracking == "mlflow" %}, tracking{% endif %}
from {{ cookiecutter.module_name }}.kit.core.pipeline import Project
from {{ cookiecutter.module_name }}.kit.operations import releases
from {{ cookiecutter.module_name }}.kit.operations.predict import predict
{%- if cookiecutter.serving == "fastapi" %}
from {{ cookiecutter.module_name }}.kit.operations.serve import create_app, running
{%- endif %}

# The message of what `promote` names when one check of the quality gate in metrics.json failed.
GATE_REASONS = {
    "meets_requirement": "refused.gate.misses_requirement",
    "beats_baseline": "refused.gate.below_baseline",
    "no_simpler_model_is_better": "refused.gate.simpler_is_better",
}


@pytest.fixture(scope="module")
def retrained(evaluated, tmp_path_factory):
    """The tested project with a second model, which the Test stage has not evaluated yet.

    The model's estimator is refitted without every tenth training row: quick, and as good as the first.
    """
    root = tmp_path_factory.mktemp("retrained") / "project"
    shutil.copytree(evaluated.root, root)
    project = Project.load(root)
    train = pd.read_parquet(project.path("train"))
    rows = train.drop(train.index[::10])
    model = models.load(project.path("model"))
    features = model.named_steps["preprocess"].transform(rows[project.feature_columns(rows)])
    model.named_steps["model"].fit(features, rows[project.data.target])
    card = json.loads(project.path("model_card").read_text(encoding="utf-8"))
    models.save(model, project.path("model"), card)
    return project


def working_copy(project, root, monkeypatch):
    """A copy of `project` at `root`, as the folder the commands run in."""
    shutil.copytree(project.root, root)
    monkeypatch.chdir(root)
    return Project.load(root)


@pytest.fixture()
def tested(evaluated, tmp_path, monkeypatch):
    return working_copy(evaluated, tmp_path / "project", monkeypatch)


@pytest.fixture()
def retrained_copy(retrained, tmp_path, monkeypatch):
    return working_copy(retrained, tmp_path / "project", monkeypatch)


{%- if cookiecutter.serving == "fastapi" %}


def version_served_by(app):
    with running(app) as url, urllib.request.urlopen(f"{url}/version") as response:
        return json.load(response)["model_version"]
{%- endif %}


def test_promote_refuses_a_model_below_the_requirement_or_the_baseline(tested, refused, command):
    metrics = tested.path("metrics")
    passed = metrics.read_text(encoding="utf-8")
    say = tested.messages(releases.__file__)
    for check, reason in GATE_REASONS.items():
        failed = json.loads(passed)
        failed["value"][check] = False
        metrics.write_text(json.dumps(failed), encoding="utf-8")
        measured = {"metric": failed["metric"], "primary": failed["value"]["primary"]}
        refused(tested.root, ["promote"], say(reason, requirement=failed["requirement"], **measured))
    metrics.write_text(passed, encoding="utf-8")
    command(["promote"])
    assert releases.served_files(tested).release


def test_promote_refuses_results_that_lost_a_check_naming_its_key(tested, refused):
    """Test's results on file are read as a typed record: a check missing is named, not a KeyError."""
    metrics = tested.path("metrics")
    results = json.loads(metrics.read_text(encoding="utf-8"))
    del results["value"]["beats_baseline"]
    metrics.write_text(json.dumps(results), encoding="utf-8")
    say = tested.messages(records.__file__)
    refused(tested.root, ["promote"], say("records.missing", key="value.beats_baseline"))
    refused(tested.root, ["promote"], say("records.fix", stage="test"))


def test_promote_refuses_a_model_the_test_stage_has_not_evaluated(retrained_copy, refused):
    say = retrained_copy.messages(releases.__file__)
    version = releases.model_version(retrained_copy.path("model"))
    outputs = {"metrics": pipeline.OUTPUTS["metrics"], "model": pipeline.OUTPUTS["model"]}
    refused(retrained_copy.root, ["promote"], say("refused.not_tested", version=version, **outputs))
    retrained_copy.path("metrics").unlink()
    say = retrained_copy.messages(pipeline.__file__)
    expected = say("pipeline.missing_output", output=pipeline.OUTPUTS["metrics"], stage="test")
    refused(retrained_copy.root, ["promote"], expected)


def test_rollback_serves_the_previous_release_again(
    evaluated, retrained, retrained_copy, refused, snapshot, command
):
    project = retrained_copy
    say = project.messages(releases.__file__)
    refused(project.root, ["rollback"], say("refused.nothing_to_roll_back"))
    # The first release is the model the Test stage evaluated in the session's project.
    for name in releases.RELEASED:
        shutil.copy(evaluated.path(name), project.path(name))
    holdout = pd.read_parquet(project.path("holdout"))
    first_model, first_card, first_version = releases.trained_files(project).load()
    first_predictions = predict(holdout, first_model, first_card)
    command(["promote"])

    # The second model passes the same Test stage and gate before it is served.
    for name in ("model", "model_card"):
        shutil.copy(retrained.path(name), project.path(name))
    pipeline.run(project, "test")
    command(["promote"])
    model, card, second_version = releases.served(project)
    assert second_version == releases.model_version(retrained.path("model")) != first_version

    before = snapshot(project.root)
    command(["rollback"])
    after = snapshot(project.root)
    changed = {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
{%- if cookiecutter.tracking == "mlflow" %}
    # Only the pointers moved: the history's and the registry alias in mlflow.db; nothing retrained or copied.
    assert changed == {Path(releases.HISTORY), Path(tracking.DATABASE)}
{%- else %}
    assert changed == {Path(releases.HISTORY)}  # only the pointer moved: nothing retrained, copied or removed
{%- endif %}
    listed = command(["releases"]).out
    assert f"* {first_version}" in listed and f"  {second_version}" in listed, listed
    model, card, version = releases.served(project)
    assert version == first_version
    pd.testing.assert_frame_equal(predict(holdout, model, card), first_predictions)
{%- if cookiecutter.serving == "fastapi" %}
    assert version_served_by(create_app(project)) == first_version
    # The Test stage still checks the latest trained model, not the release.
    assert version_served_by(create_app(project, trained=True)) == second_version
{%- endif %}
    refused(project.root, ["rollback"], say("refused.first_release", version=first_version))


def test_a_model_older_than_the_age_limit_fails_the_age_check(trained, tmp_path, monkeypatch, capsys):
    root = tmp_path / "project"
    shutil.copytree(trained.root, root, ignore=shutil.ignore_patterns("data", "docs", "reports"))
    monkeypatch.chdir(root)
    project = Project.load(root)
    card, version = project.path("model_card"), releases.served_files(project).version
    limit = trained.settings.monitoring.max_model_age_days
    say = project.messages(releases.__file__)
    retrain = say("releases.retrain")

    def age_check_with(trained_at):
        """The exit code and output of the age check when the card records `trained_at` (None: nothing)."""
        content = json.loads(card.read_text(encoding="utf-8"))
        content.pop("trained_at", None)
        if trained_at is not None:
            content["trained_at"] = trained_at.isoformat(timespec="seconds")
        card.write_text(json.dumps(content), encoding="utf-8")
        capsys.readouterr()
        return main(["releases", "--check-age"]), capsys.readouterr().out

    now = releases.now()
    code, output = age_check_with(now - timedelta(days=limit + 1))
    assert code == 1
    too_old = say("releases.age.over_limit", version=version, age=limit + 1, limit=limit, retrain=retrain)
    assert output == f"{too_old}\n" and "monitoring.max_model_age_days" in too_old, output
    code, output = age_check_with(None)
    assert code == 1
    assert output == say("releases.age.unknown", version=version, retrain=retrain) + "\n", output
    assert age_check_with(now - timedelta(days=limit - 1))[0] == 0
