"""Train must beat the baseline and save what it takes to reproduce the model."""

import json

import pandas as pd

from {{ cookiecutter.module_name }} import metrics
from {{ cookiecutter.module_name }}.train.stage import BASELINE, fingerprint


def test_the_chosen_model_beats_the_baseline_in_cross_validation(trained):
    card = json.loads(trained.path("model_card").read_text(encoding="utf-8"))
    results = card["cross_validation"]
    assert card["algorithm"] != BASELINE
    assert metrics.better(card["metric"], results[card["algorithm"]]["mean"], results[BASELINE]["mean"])


def test_the_model_is_saved_with_its_hyper_parameters_data_fingerprint_and_versions(trained):
    card = json.loads(trained.path("model_card").read_text(encoding="utf-8"))
    train = pd.read_parquet(trained.path("train"))
    assert card["hyper_parameters"]
    assert card["training_data_fingerprint"] == fingerprint(train)
    assert {"python", "scikit-learn", "pandas", "numpy", "skops"} <= set(card["libraries"])
    assert set(card["schema"]) == set(trained.feature_columns(train))


def test_the_feature_importance_figure_is_written(trained):
    assert (trained.report_dir("train") / "figures" / "feature_importance.png").stat().st_size > 0
