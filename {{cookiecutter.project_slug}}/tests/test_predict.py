"""Serving holds rows to what the model was trained on, computes the same features as training,
stops a model that answers NaN or infinity, and can show one row's way to its prediction."""

import io
import math

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from {{ cookiecutter.module_name }}.kit import operations
from {{ cookiecutter.module_name }}.kit.cli import main
from {{ cookiecutter.module_name }}.kit.core import models, pipeline
from {{ cookiecutter.module_name }}.kit.core.config import shown
from {{ cookiecutter.module_name }}.kit.core.data import DataError, check_range, dense, refuse_infinity
from {{ cookiecutter.module_name }}.kit.core.records import ColumnSchema, ModelCard
from {{ cookiecutter.module_name }}.kit.operations.predict import (
    UnstableModelError,
    model_input,
    predict,
    spreadsheet_safe,
    trace,
)
from {{ cookiecutter.module_name }}.kit.process.readiness import not_applicable


@pytest.fixture(scope="module")
def served(trained):
    """The trained model, its card and a few holdout rows, as a caller of predict() has them."""
    card = trained.read(ModelCard, "model_card")
    rows = pd.read_parquet(trained.path("holdout")).head(20)
    return models.load(trained.path("model")), card, rows


def with_first(rows, column, value):
    """The rows with `value` in `column` of the first row, whatever its type."""
    changed = rows.astype({column: object})
    changed.loc[changed.index[0], column] = value
    return changed


def test_serving_rows_outside_an_expected_range_are_refused(trained, served):
    model, card, rows = served
    ranges = {
        column: bounds for column, bounds in trained.data.expected_ranges.items() if column in card.columns
    }
    if not ranges:
        # None declared: give the first number column the range it has in these rows, as a team would.
        column = next((name for name, entry in card.columns.items() if entry.kind == "numbers"), None)
        if column is None:
            pytest.skip(not_applicable("no_number_columns_to_range"))
        values = pd.to_numeric(rows[column]).dropna()
        ranges = {column: [float(values.min()), float(values.max())]}
        entry = card.columns[column].model_copy(update={"expected_range": ranges[column]})
        card = card.model_copy(update={"columns": {**card.columns, column: entry}})
    fix = trained.messages(operations.__file__)("refused.outside_the_range_fix")
    for column, bounds in ranges.items():
        for bound, beyond in zip(bounds, (-1, 1), strict=True):
            if bound is None:
                continue
            assert len(predict(with_first(rows, column, bound), model, card)) == len(rows)
            with pytest.raises(DataError) as refused:
                predict(with_first(rows, column, bound + beyond), model, card)
            # Refused as the raw data is, with a fix that sends the team to data.expected_ranges.
            with pytest.raises(DataError) as in_raw_data:
                check_range(pd.Series([float(bound + beyond)], name=column), bounds, fix)
            message = str(refused.value)
            assert message == str(in_raw_data.value), message
            assert column in message and "data.expected_ranges" in message
            assert shown(bound + beyond) in message, message


def test_without_a_positive_class_each_prediction_has_a_score_per_class():
    rows = pd.DataFrame({"size": [1.0, 2.0, 3.0, 11.0, 12.0, 13.0, 21.0, 22.0, 23.0]})
    labels = ["small"] * 3 + ["medium"] * 3 + ["large"] * 3
    model = Pipeline([("preprocess", StandardScaler()), ("model", LogisticRegression())]).fit(rows, labels)
    # Only what predict() reads of a card.
    card = ModelCard.model_construct(
        schema={"size": ColumnSchema(kind="numbers", dtype="float64")},
        id_columns=[],
        positive_label=None,
        classes=[str(label) for label in model.classes_],
        unseen_categories="infrequent",
    )
    output = predict(rows, model, card)
    scores = output[[f"score_{label}" for label in card.classes]]
    np.testing.assert_allclose(scores.sum(axis=1), 1)
    assert (scores.idxmax(axis=1).str.removeprefix("score_") == output["prediction"]).all()


@pytest.mark.parametrize("value", ["twelve", math.inf], ids=["text", "infinity"])
def test_serving_rows_with_text_or_infinity_in_a_number_column_are_refused(trained, served, value):
    model, card, rows = served
    column = next((name for name, entry in card.columns.items() if entry.kind == "numbers"), None)
    if column is None:
        pytest.skip(not_applicable("no_number_columns"))
    with pytest.raises(DataError) as refused:
        predict(with_first(rows, column, value), model, card)
    if value == math.inf:  # refused as infinity is in the raw data
        with pytest.raises(DataError) as expected:
            refuse_infinity(pd.Series([value], name=column))
        assert str(refused.value) == str(expected.value)
    else:
        say = trained.messages(operations.__file__)
        assert refused.value.requirement == say("refused.numbers.requirement")
        assert say("refused.numbers.problem", column=column, values="'twelve'") in str(refused.value)


def test_serving_computes_the_same_features_as_training(trained, served):
    model, card, _ = served
    train = pd.read_parquet(trained.path("train"))
    preprocess = model.named_steps["preprocess"]
    inputs = model_input(train, card)
    served_features = pd.DataFrame(
        dense(preprocess.transform(inputs)), columns=preprocess.get_feature_names_out()
    )
    pd.testing.assert_frame_equal(
        served_features, pd.read_parquet(trained.path("features")), check_exact=True
    )
    saved = models.load(trained.path("preprocessor"))
    np.testing.assert_array_equal(dense(saved.transform(inputs)), served_features.to_numpy())


def answering_in_the_first_row(method, bad):
    """An estimator's `method`, but with `bad` as its answer for the first row."""

    def spoiled(self, features):
        answer = np.asarray(method(self, features), dtype=float)
        answer[0] = bad
        return answer

    return spoiled


def test_a_model_that_predicts_nan_or_infinity_is_stopped(
    trained, served, monkeypatch, tmp_path, capsys, error_prefix
):
    model, card, rows = served
    # Class scores are where a classifier's numbers go wrong; a regressor's are its predictions.
    method = "predict_proba" if hasattr(model.named_steps["model"], "predict_proba") else "predict"
    estimator = type(model.named_steps["model"])
    holdout = trained.path("holdout")
    output = tmp_path / "predictions.csv"
    say = trained.messages(operations.__file__)
    holdout_rows = len(pd.read_parquet(holdout))
    for bad in (math.nan, math.inf):
        with monkeypatch.context() as patched:
            patched.setattr(estimator, method, answering_in_the_first_row(getattr(estimator, method), bad))
            with pytest.raises(UnstableModelError) as stopped:
                predict(rows, model, card)
            assert str(stopped.value) == say("refused.unstable", rows=1, count=len(rows))
            with pytest.raises(UnstableModelError):
                pipeline.run(trained, "test")
            patched.chdir(trained.root)
            capsys.readouterr()
            assert main(["predict", "--input", str(holdout), "--output", str(output)]) == 1
            message = capsys.readouterr().err
            unstable = say("refused.unstable", rows=1, count=holdout_rows)
            assert message == f"{error_prefix}{unstable}\n" and "run train" in message, message
            assert not output.exists()


def test_one_row_can_be_stepped_through_preprocess_and_predict(
    trained, served, monkeypatch, capsys, error_prefix
):
    model, card, _ = served
    train_path = trained.path("train")
    train = pd.read_parquet(train_path)
    number = min(3, len(train) - 1)
    say = trained.messages(operations.__file__)
    given, inputs, features, answer = trace(train.iloc[[number]], model, card, say)
    assert list(given.values) == list(train.columns)
    assert list(inputs.values) == list(card.columns)
    preprocessed = pd.read_parquet(trained.path("features")).iloc[number]
    assert features.values == preprocessed[preprocessed != 0].to_dict()
    batch = predict(train, model, card).drop(columns=card.id_columns, errors="ignore").iloc[number]
    assert answer.values == pytest.approx(batch.to_dict())

    monkeypatch.chdir(trained.root)
    capsys.readouterr()
    assert main(["trace", "--input", str(train_path), "--row", str(number)]) == 0
    printed = capsys.readouterr().out
    for step in (features, answer):
        assert step.title in printed
        for name, value in step.values.items():
            assert f"   {name}: {value}\n" in printed
    assert main(["trace", "--input", str(train_path), "--row", str(len(train))]) == 2
    message = capsys.readouterr().err
    assert message.startswith(error_prefix) and message.count("\n") == 1, message
    rows, last = len(train), len(train) - 1
    missing_row = say("refused.trace_row.problem", file=train_path.name, rows=rows, last=last, number=rows)
    assert missing_row in message, message


def test_predict_never_writes_over_its_input_or_into_the_raw_data(finished, refused, command):
    project = pipeline.Project.load(finished)
    project.write_rows(pd.read_parquet(project.path("holdout")).head(5), finished / "rows.csv")
    ask = ["predict", "--input", "rows.csv", "--output"]
    say = project.messages(operations.__file__)
    refused(finished, [*ask, "rows.csv"], say("refused.destination.input", destination="rows.csv"))
    for raw in (project.data.path, "data/raw/predictions.csv"):
        refused(finished, [*ask, raw], say("refused.destination.raw", destination=raw))
    command([*ask, "predictions.csv"])
    assert len(pd.read_csv(finished / "predictions.csv")) == 5


def test_cells_a_spreadsheet_would_run_as_formulas_are_written_as_text():
    frame = pd.DataFrame({"id": ["=1+2", "+81 3", "@SUM(A1)", "-2", "ok", None], "score": [-1.5] * 6})
    written = pd.read_csv(io.StringIO(spreadsheet_safe(frame).to_csv(index=False)), keep_default_na=False)
    assert written["id"].tolist() == ["'=1+2", "'+81 3", "'@SUM(A1)", "'-2", "ok", ""]
    assert written["score"].tolist() == [-1.5] * 6
