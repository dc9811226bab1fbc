"""The pandas and Spark engines give the same answers on the expenses example at 100,000 rows: the same
findings and counts from Analyze, the same split sizes from Prepare, and holdout metrics within 0.01,
whether Spark's model learns from a sample or from every row (spark.training: distributed)."""

import json
import shutil
import tomllib

import pyarrow.parquet as pq
import pytest
import yaml
from conftest import bake, locked_packages, read, run

ROWS = 100_000
METRIC_TOLERANCE = 0.01

pytestmark = pytest.mark.slow


def write_example(root, rows):
    script = (
        "import sys\n"
        "from expense_classifier.kit.core import example_data, pipeline\n"
        "project = pipeline.Project.load()\n"
        "frame = example_data.expenses(rows=int(sys.argv[1]), language=project.settings.project.language)\n"
        "pipeline.write_table_as(frame, project.raw_data)\n"
    )
    result = run(["-c", script, str(rows)], root)
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.fixture(scope="module")
def engines(cookies_session):
    """The default project at ROWS rows after `run all`, once with each engine."""
    roots = {}
    for engine in ("pandas", "spark"):
        root = bake(cookies_session, engine=engine)
        write_example(root, ROWS)
        result = run(["-m", "expense_classifier", "run", "all"], root)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        roots[engine] = root
    return roots


def outputs(root):
    diagnosis = json.loads(read(root, "reports/analyze/diagnosis.json"))
    metrics = json.loads(read(root, "reports/test/metrics.json"))
    return diagnosis, metrics


def test_only_the_spark_project_installs_pyspark_and_xgboost_with_its_extra(engines):
    for engine, root in engines.items():
        assert yaml.safe_load(read(root, "params.yaml"))["engine"] == engine
        extras = tomllib.loads(read(root, "pyproject.toml"))["project"].get("optional-dependencies", {})
        assert ("spark" in extras) == (engine == "spark")
        for package in ("pyspark", "xgboost-cpu"):
            assert (package in locked_packages(root)) == (engine == "spark"), package


def test_both_engines_find_the_same_and_split_alike(engines):
    (by_pandas, _), (by_spark, _) = (outputs(engines[engine]) for engine in ("pandas", "spark"))
    assert by_spark["rows"] == by_pandas["rows"] == ROWS
    for key in ("target_counts", "columns", "duplicate_rows", "outliers", "drop_columns", "blocking"):
        assert by_spark[key] == by_pandas[key], key
    found = [sorted((f["kind"], f["column"] or "") for f in d["findings"]) for d in (by_pandas, by_spark)]
    assert found[1] == found[0]
    prepared = [read(engines[engine], "reports/prepare/report.md") for engine in ("pandas", "spark")]
    assert prepared[1] == prepared[0]  # the same steps and the same train and holdout sizes


def test_both_engines_models_score_alike_on_their_holdouts(engines):
    (_, by_pandas), (_, by_spark) = (outputs(engines[engine]) for engine in ("pandas", "spark"))
    metric = by_pandas["metric"]
    assert by_spark["metric"] == metric
    assert abs(by_spark["holdout"][metric] - by_pandas["holdout"][metric]) <= METRIC_TOLERANCE


def test_trained_on_spark_on_every_row_the_model_scores_as_pandas_and_loads_without_spark(engines, tmp_path):
    by_pandas = outputs(engines["pandas"])[1]
    root = tmp_path / "distributed"
    shutil.copytree(engines["spark"], root)
    settings = yaml.safe_load(read(root, "params.yaml"))
    settings["spark"]["training"] = "distributed"
    (root / "params.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    for stage in ("train", "test"):
        result = run(["-m", "expense_classifier", "run", stage], root)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    card = json.loads(read(root, "models/model.json"))
    assert card["estimator"] == "DistributedTrees" and "xgboost" in card["libraries"]
    assert card["training_rows"] == pq.ParquetFile(root / "data/processed/train.parquet").metadata.num_rows
    by_spark = outputs(root)[1]
    metric = by_pandas["metric"]
    assert abs(by_spark["holdout"][metric] - by_pandas["holdout"][metric]) <= METRIC_TOLERANCE
    # Test's service check loads the model file in a process of its own, without Spark, and answers alike.
    service = by_spark["service_level"]
    assert service["matching_predictions"] == service["rows"] > 0
