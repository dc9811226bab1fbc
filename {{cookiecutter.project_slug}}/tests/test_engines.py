"""The Spark engine must judge and split this project's data as the pandas engine does: the same
findings and counts from Analyze, the same cleansed rows and split sizes from Prepare."""

import math
import shutil

import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.kit.core import metrics, models, pipeline, records, spark
from {{ cookiecutter.module_name }}.kit.core.pipeline import Project
from {{ cookiecutter.module_name }}.kit.operations import predict
from {{ cookiecutter.module_name }}.kit.process.readiness import skip_reason


def on_engine(project, engine, root):
    """A copy of the scratch project's settings, documents and data in `root`, set to `engine`."""
    project.write_example()  # the example's file, when the project starts from one and has none yet
    shutil.copy(project.root / "params.yaml", root / "params.yaml")
    shutil.copytree(project.root / "docs", root / "docs")
    for path in spark.source_files(project):
        copied = root / path.relative_to(project.root)
        copied.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, copied)
    settings = project.settings.model_copy(update={"engine": engine})
    return Project(root, settings)


@pytest.fixture(scope="module")
def spark_installed():
    pytest.importorskip("pyspark", reason=skip_reason("spark_not_installed"))


@pytest.fixture(scope="module")
def engines(project, tmp_path_factory, spark_installed):
    """The scratch project analysed and prepared once by each engine; skipped where Spark cannot run."""
    projects = {}
    for engine in ("pandas", "spark"):
        copy = on_engine(project, engine, tmp_path_factory.mktemp(engine))
        try:
            for stage in ("analyze", "prepare"):
                pipeline.run(copy, stage)
        except spark.EngineError as error:
            pytest.skip(skip_reason("spark_not_started", error=error))
        projects[engine] = copy
    return projects


def diagnosis(project):
    return pd.read_json(project.path("diagnosis"), typ="series")


def test_both_engines_count_and_find_the_same(engines):
    by_pandas, by_spark = (diagnosis(engines[engine]) for engine in ("pandas", "spark"))
    for key in ("rows", "target_counts", "columns", "duplicate_rows", "outliers", "drop_columns", "blocking"):
        assert by_spark[key] == by_pandas[key], key
    found = [{(f["kind"], f["column"], f["drop"]) for f in d["findings"]} for d in (by_pandas, by_spark)]
    assert found[1] == found[0]
    for key in ("leakage_scores", "target_correlation"):
        assert by_spark[key].keys() == by_pandas[key].keys(), key
        for column, value in by_pandas[key].items():
            assert math.isclose(by_spark[key][column], value, abs_tol=1e-3), (key, column)


def test_both_engines_keep_the_same_rows_and_split_them_alike(engines):
    tables = {
        engine: {name: pd.read_parquet(project.path(name)) for name in ("cleaned", "train", "holdout")}
        for engine, project in engines.items()
    }
    by_pandas, by_spark = tables["pandas"], tables["spark"]
    columns = list(by_pandas["cleaned"].columns)
    assert list(by_spark["cleaned"].columns) == columns

    def in_order(frame):
        return frame.astype(str).sort_values(columns).reset_index(drop=True)

    pd.testing.assert_frame_equal(in_order(by_spark["cleaned"]), in_order(by_pandas["cleaned"]))
    for name in ("train", "holdout"):
        assert len(by_spark[name]) == len(by_pandas[name]), name
    project = engines["spark"]
    if project.problem_type == "classification":
        target = project.data.target
        counts = [tables[engine]["holdout"][target].value_counts().sort_index() for engine in tables]
        assert (counts[1] - counts[0]).abs().max() <= 1  # shares rounded alike, ties broken apart
    together = pd.concat([by_spark["train"], by_spark["holdout"]])
    pd.testing.assert_frame_equal(in_order(together), in_order(by_spark["cleaned"]))


def test_on_a_sample_the_model_learns_from_fewer_rows_and_the_report_shows_what_more_would_give(engines):
    project = engines["spark"]
    settings = project.settings.model_copy(deep=True)
    settings.spark.sample_rows = 1000  # the least it accepts
    settings.spark.training = "sample"
    split_rows = len(pd.read_parquet(project.path("train")))
    if split_rows <= settings.spark.sample_rows:
        pytest.skip(skip_reason("nothing_to_sample", rows=split_rows, sample_rows=settings.spark.sample_rows))
    sampled = Project(project.root, settings)
    for stage in ("preprocess", "train"):
        pipeline.run(sampled, stage)
    card = records.ModelCard.read(sampled.path("model_card"), settings.project.language)
    assert card.training_rows < split_rows
    report = (sampled.report_dir("train") / "report.md").read_text(encoding="utf-8")
    assert f"{split_rows:,}" in report and "spark.sample_rows" in report


def test_batch_predictions_on_spark_equal_those_made_in_memory(trained, tmp_path, spark_installed):
    """The same predictions, and the same count of categories the model never saw when it answers them."""
    card = records.ModelCard.read(trained.path("model_card"), trained.settings.project.language)
    rows = pd.read_parquet(trained.path("holdout"))
    known = predict.known_values(card, list(rows.columns))
    if known and not predict.refuses_unseen(card):
        column = next(iter(known))
        rows[column] = rows[column].astype(object)
        rows.iloc[::2, rows.columns.get_loc(column)] = "a value never seen in training"
    made, said = predicted_on_each_engine(trained, rows, tmp_path)
    pd.testing.assert_frame_equal(made["spark"], made["pandas"], check_dtype=False, rtol=1e-9)
    assert said["spark"][2:] == said["pandas"][2:]  # after the rows written and the speed


def predicted_on_each_engine(trained, rows, folder):
    """What `predict` writes and says for `rows` with the project's model, run by each engine."""
    source = folder / "rows.parquet"
    rows.to_parquet(source, index=False)
    made, said = {}, {}
    for engine in ("pandas", "spark"):
        project = Project(trained.root, trained.settings.model_copy(update={"engine": engine}))
        destination = folder / f"{engine}.parquet"
        try:
            said[engine] = predict.run(project, source, destination)
        except spark.EngineError as error:
            pytest.skip(skip_reason("spark_not_started", error=error))
        made[engine] = pd.read_parquet(destination)
    return made, said


def holdout_score(project):
    """The primary metric of the project's model on its holdout rows."""
    model = models.load(project.path("model"))
    holdout = pd.read_parquet(project.path("holdout"))
    answers = metrics.predict(model, holdout[project.feature_columns(holdout)], project.data.positive_label)
    truth = holdout[project.data.target]
    return metrics.score(project.settings.model.metric, truth, *answers, **project.scoring)


def test_trained_on_spark_on_every_row_the_model_scores_as_one_trained_here_and_answers_alike(
    engines, tmp_path
):
    """spark.training: distributed: XGBoost learns from every training row on Spark; the model file
    then loads and answers without Spark, as Spark's batch predictions do, and scores on the holdout
    within the noise of a holdout this size of the model that learned in this process."""
    pytest.importorskip("xgboost", reason=skip_reason("spark_not_installed"))
    project = engines["spark"]
    scores = {}
    for training in ("sample", "distributed"):
        settings = project.settings.model_copy(deep=True)
        settings.spark.training = training
        trained = Project(project.root, settings)
        for stage in ("preprocess", "train"):
            pipeline.run(trained, stage)
        scores[training] = holdout_score(trained)
    card = records.ModelCard.read(trained.path("model_card"), settings.project.language)
    holdout = pd.read_parquet(trained.path("holdout"))
    assert card.estimator == "DistributedTrees"
    assert card.training_rows == len(pd.read_parquet(trained.path("train")))
    noise = 3 / math.sqrt(len(holdout))  # three standard errors of a share measured on the holdout
    metric = settings.model.metric
    if metrics.METRICS[metric].higher_is_better:
        assert scores["distributed"] >= scores["sample"] - noise, scores
    else:
        assert scores["distributed"] <= scores["sample"] * (1 + noise), scores
    made, _ = predicted_on_each_engine(trained, holdout.drop(columns=[settings.data.target]), tmp_path)
    pd.testing.assert_frame_equal(made["spark"], made["pandas"], check_dtype=False, rtol=1e-9)


def reading_elsewhere(source, root, **data):
    """The Spark project's settings and documents in `root`, reading its data where `data` says."""
    shutil.copy(source.root / "params.yaml", root / "params.yaml")
    shutil.copytree(source.root / "docs", root / "docs")
    settings = source.settings.model_copy(deep=True)
    settings.data = settings.data.model_copy(update={"example": "none", **data})
    return settings


def test_spark_reads_the_data_from_a_glob_of_parquet_files(engines, tmp_path):
    source = engines["spark"]
    rows = source.read_raw()
    parts = tmp_path / "data" / "raw" / "parts"
    parts.mkdir(parents=True)
    half = len(rows) // 2
    for number, part in enumerate((rows.iloc[:half], rows.iloc[half:])):
        part.to_parquet(parts / f"part-{number}.parquet", index=False)
    globbed = Project(tmp_path, reading_elsewhere(source, tmp_path, path="data/raw/parts/*.parquet"))
    pipeline.run(globbed, "analyze")
    assert diagnosis(globbed)["rows"] == len(rows)
    assert diagnosis(globbed)["target_counts"] == diagnosis(source)["target_counts"]


def test_spark_reads_a_catalog_table_and_its_fingerprint_follows_the_rows(engines, tmp_path):
    source = engines["spark"]
    rows = source.read_raw()
    session = spark.spark_of(source)

    def as_table(frame, name):
        """`frame` as a table of Spark's catalog (a view of a Parquet file): a data lake's table locally."""
        path = tmp_path / f"{name}.parquet"
        frame.to_parquet(path, index=False)
        session.read.parquet(str(path)).createOrReplaceTempView(name)
        return name

    settings = reading_elsewhere(source, tmp_path)
    settings.spark = settings.spark.model_copy(update={"table": as_table(rows, "rows")})
    tabled = Project(tmp_path, settings)
    pipeline.run(tabled, "analyze")
    assert diagnosis(tabled)["rows"] == len(rows)
    assert diagnosis(tabled)["target_counts"] == diagnosis(source)["target_counts"]

    def fingerprint(name):
        return spark.rows_fingerprint(session.read.table(name))

    assert fingerprint(as_table(rows, "same_rows")) == fingerprint("rows")
    assert fingerprint(as_table(rows.iloc[1:], "fewer_rows")) != fingerprint("rows")
