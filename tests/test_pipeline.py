"""Baked projects run their five stages end to end: on the examples, and on a team's own file."""

import json

import pandas as pd
import pytest
import yaml
from conftest import bake, read, run
from sklearn.datasets import load_breast_cancer

STAGE_REPORTS = ["analyze", "prepare", "preprocess", "train", "test", "value"]


def run_all(root):
    for command in (["run", "all"], ["value"]):
        result = run(["-m", "expense_classifier", *command], root)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


@pytest.mark.parametrize(
    ("example", "problem_type"), [("expenses", "classification"), ("diabetes", "regression")]
)
def test_the_examples_run_every_stage_and_fill_reports_and_cards(cookies, example, problem_type):
    root = bake(cookies, example_data=example, problem_type=problem_type)
    run_all(root)

    for stage in STAGE_REPORTS:
        report = read(root, f"reports/{stage}/report.md")
        for figure in (root / "reports" / stage / "figures").glob("*.png"):
            assert f"figures/{figure.name}" in report
    assert len(list((root / "reports").rglob("*.png"))) >= 6
    metrics = json.loads(read(root, "reports/test/metrics.json"))
    assert metrics["value"]["meets_requirement"] and metrics["value"]["beats_baseline"]
    assert "rows:" in read(root, "docs/data-card.md").split("<!-- begin:statistics -->")[1]
    assert metrics["requirement"] in read(root, "docs/model-card.md").split("<!-- begin:results -->")[1]
    assert json.loads(read(root, "reports/value/value.json"))["measured"]["payback_month"]


def test_without_example_data_the_pipeline_says_where_to_put_the_file(cookies):
    root = bake(cookies, example_data="none")
    result = run(["-m", "expense_classifier", "run", "all"], root)
    assert result.returncode == 2
    assert "data/raw/data.csv" in result.stderr and "Copy your CSV or Parquet file there" in result.stderr
    tests = run(["-m", "pytest", "-q", "-p", "no:cacheprovider"], root)
    assert tests.returncode == 0 and "skipped" in tests.stdout, tests.stdout[-2000:]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_teams_own_file_runs_after_editing_the_config_alone(cookies, suffix):
    root = bake(cookies, example_data="none")
    cancer = load_breast_cancer(as_frame=True)
    frame = cancer.frame.rename(columns=lambda name: name.replace(" ", "_"))
    frame.insert(0, "case_id", [f"C{number:04d}" for number in range(len(frame))])
    frame["target"] = frame["target"].map({0: "malignant", 1: "benign"})
    path = root / "data" / "raw" / f"cases{suffix}"
    frame.to_csv(path, index=False) if suffix == ".csv" else frame.to_parquet(path, index=False)

    params = yaml.safe_load(read(root, "params.yaml"))
    params["data"].update(path=f"data/raw/cases{suffix}", positive_label="malignant", id_columns=["case_id"])
    params["analyze"]["min_rows_per_class"] = 100
    (root / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")

    run_all(root)
    metrics = json.loads(read(root, "reports/test/metrics.json"))
    assert metrics["value"]["meets_requirement"]
    predictions = root / "predictions.csv"
    result = run(
        ["-m", "expense_classifier", "predict", "--input", str(path), "--output", str(predictions)], root
    )
    assert result.returncode == 0, result.stderr
    assert set(pd.read_csv(predictions)["prediction"]) <= {"malignant", "benign"}
