"""Preprocess must give complete numeric features, learned from training rows only."""

import numpy as np
import pandas as pd

from {{ cookiecutter.module_name }} import models
from {{ cookiecutter.module_name }}.preprocess.stage import column_kinds


def test_features_are_complete_and_one_row_per_training_row(preprocessed):
    features = pd.read_parquet(preprocessed.path("features"))
    train = pd.read_parquet(preprocessed.path("train"))
    assert len(features) == len(train)
    assert not features.isna().any().any()
    assert all(pd.api.types.is_numeric_dtype(features[column]) for column in features)


def test_the_preprocessor_is_fitted_on_training_rows_only(preprocessed):
    preprocessor = models.load(preprocessed.path("preprocessor"))
    train = pd.read_parquet(preprocessed.path("train"))
    numbers = column_kinds(train[preprocessed.feature_columns(train)], preprocessed)["numbers"]
    if not numbers:
        return
    filled = train[numbers].fillna(train[numbers].median())
    scaler = preprocessor.named_transformers_["numbers"].named_steps["scale"]
    np.testing.assert_allclose(scaler.mean_, filled.mean().to_numpy(), rtol=1e-9)


def test_unseen_categories_do_not_break_the_transform(preprocessed):
    preprocessor = models.load(preprocessed.path("preprocessor"))
    holdout = pd.read_parquet(preprocessed.path("holdout")).head(5)
    columns = preprocessed.feature_columns(holdout)
    for column in column_kinds(holdout[columns], preprocessed)["categories"]:
        holdout[column] = "a value never seen in training"
    assert np.isfinite(preprocessor.transform(holdout[columns])).all()
