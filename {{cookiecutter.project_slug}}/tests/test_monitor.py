"""The monitor command scores the model on rows labelled after training, and says when it has slipped."""

import json

import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.kit.core.data import DataError
from {{ cookiecutter.module_name }}.kit.core.pipeline import Project
from {{ cookiecutter.module_name }}.kit.operations import monitor


@pytest.fixture()
def deployed(finished, evaluated):
    """A copy of the evaluated project, and its holdout rows standing in for newly labelled ones."""
    return finished, pd.read_parquet(evaluated.path("holdout")), evaluated.data.target


def wrong_labels(rows, target, problem_type):
    """The same rows with labels that no longer match them: flipped classes, or a shuffled target."""
    labels = rows[target]
    if problem_type == "classification":
        first, second = labels.unique()[:2]
        return rows.assign(**{target: labels.map({first: second, second: first}).fillna(labels)})
    return rows.assign(**{target: labels.sample(frac=1, random_state=0).to_numpy()})


def records(root):
    """The monitor's records in a project, one per day it ran."""
    paths = (root / "reports" / "monitor").glob("*.json")
    return [json.loads(path.read_text(encoding="utf-8")) for path in paths]


def test_newly_labelled_rows_that_meet_the_requirement_pass(deployed, tmp_path, command):
    root, rows, _ = deployed
    labelled = tmp_path / "labelled.csv"
    Project.load(root).write_rows(rows, labelled)
    output = command(["monitor", "--labelled", str(labelled)]).out
    [record] = records(root)
    assert record["meets_requirement"] and record["rows"] == len(rows)
    say = Project.load(root).messages(monitor.__file__)
    measured = say(
        "monitor.measured",
        metric=record["metric"],
        value=record["value"],
        rows=len(rows),
        verdict=say("monitor.verdict.meets"),
        requirement=record["requirement"],
    )
    assert measured in output.splitlines(), output


def test_newly_labelled_rows_below_the_requirement_fail_the_check(
    deployed, evaluated, tmp_path, command, snapshot, error_prefix
):
    root, rows, target = deployed
    labelled = tmp_path / "labelled.csv"
    evaluated.write_rows(wrong_labels(rows, target, evaluated.problem_type), labelled)
    output = command(["monitor", "--labelled", str(labelled)], expected=1).out
    say = evaluated.messages(monitor.__file__)
    assert say("monitor.fallen", data=evaluated.data.path) in output
    [record] = records(root)
    assert not record["meets_requirement"]

    before = snapshot(root)
    evaluated.write_rows(rows.drop(columns=[target]), labelled)
    message = command(["monitor", "--labelled", str(labelled)], expected=2).err
    assert message.startswith(error_prefix) and message.count("\n") == 1, message
    assert say("refused.labels.no_column", target=target) in message
    assert snapshot(root) == before


def test_rows_without_any_label_are_refused_and_nothing_is_recorded(deployed, tmp_path):
    root, rows, target = deployed
    labelled = tmp_path / "labelled.csv"
    Project.load(root).write_rows(rows.assign(**{target: None}), labelled)
    project = Project.load(root)
    with pytest.raises(DataError) as refused:
        monitor.run(project, labelled)
    assert project.messages(monitor.__file__)("refused.labels.no_label", target=target) in str(refused.value)
    assert records(root) == []
