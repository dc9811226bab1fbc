"""Test must show the model meets its requirement, beats the baseline and serves safely."""

import json

import pandas as pd
import pytest

from {{ cookiecutter.module_name }} import models
from {{ cookiecutter.module_name }}.data import DataError
from {{ cookiecutter.module_name }}.predict import predict


@pytest.fixture(scope="module")
def results(evaluated):
    return json.loads(evaluated.path("metrics").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def served(evaluated):
    card = json.loads(evaluated.path("model_card").read_text(encoding="utf-8"))
    return models.load(evaluated.path("model")), card, pd.read_parquet(evaluated.path("holdout"))


def test_the_model_meets_the_requirement_on_the_holdout(results):
    assert results["value"]["meets_requirement"], (
        f"{results['requirement']}: measured {results['value']['primary']:.3f}"
    )


def test_the_model_beats_the_baseline_on_the_holdout(results):
    assert results["value"]["beats_baseline"]


def test_the_service_level_is_measured_on_every_holdout_row(results):
    level = results["service_level"]
    assert level["rows"] == results["holdout_rows"]
    assert 0 < level["p50_ms"] <= level["p95_ms"] <= level["p99_ms"]
    assert level["rows_per_second"] > 0
{%- if cookiecutter.serving == "fastapi" %}


def test_the_service_answers_every_holdout_row_like_the_offline_predictions(results):
    level = results["service_level"]
    assert level["matching_predictions"] == level["rows"]
{%- endif %}


def test_the_model_card_shows_the_results(evaluated, results):
    card = (evaluated.root / "docs" / "model-card.md").read_text(encoding="utf-8")
    block = card.split("<!-- begin:results -->", 1)[1].split("<!-- end:results -->", 1)[0]
    assert results["requirement"] in block


def test_predictions_match_the_model(served):
    model, card, holdout = served
    output = predict(holdout, model, card)
    assert (output["prediction"].to_numpy() == model.predict(holdout[list(card["schema"])])).all()


def test_input_without_a_trained_column_is_refused(served):
    model, card, holdout = served
    column = next(iter(card["schema"]))
    with pytest.raises(DataError, match=f"Missing: {column}"):
        predict(holdout.drop(columns=[column]), model, card)


def test_a_category_never_seen_in_training_is_refused(served):
    model, card, holdout = served
    known = [column for column, entry in card["schema"].items() if "known_values" in entry]
    if not known:
        pytest.skip("the model has no categorical columns")
    rows = holdout.head(3).copy()
    rows[known[0]] = "never seen"
    with pytest.raises(DataError, match="never saw"):
        predict(rows, model, card)
