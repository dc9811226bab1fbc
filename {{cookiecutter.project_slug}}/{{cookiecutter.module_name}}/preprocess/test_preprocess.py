"""Preprocess must give complete numeric features, learned from training rows only."""

import copy

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from {{ cookiecutter.module_name }} import models
from {{ cookiecutter.module_name }}.data import dense
from {{ cookiecutter.module_name }}.pipeline import Project
from {{ cookiecutter.module_name }}.preprocess.stage import build, column_kinds, infrequent_categories
from {{ cookiecutter.module_name }}.readiness import NOT_APPLICABLE


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
        pytest.skip(f"{NOT_APPLICABLE}the data has no number column to scale")
    filled = train[numbers].fillna(train[numbers].median())
    scaler = preprocessor.named_transformers_["numbers"].named_steps["scale"]
    np.testing.assert_allclose(scaler.mean_, filled.mean().to_numpy(), rtol=1e-9)


def test_unseen_categories_do_not_break_the_transform(preprocessed):
    preprocessor = models.load(preprocessed.path("preprocessor"))
    holdout = pd.read_parquet(preprocessed.path("holdout")).head(5)
    columns = preprocessed.feature_columns(holdout)
    for column in column_kinds(holdout[columns], preprocessed)["categories"]:
        holdout[column] = "a value never seen in training"
    assert np.isfinite(dense(preprocessor.transform(holdout[columns]))).all()


def fitted(training, text_columns=(), min_category_rows=1, orders=None):
    """A preprocessor fitted on hand-made rows, with this project's settings but these text columns, this
    minimum of rows per category and these ordered columns."""
    project = Project.load()
    settings = copy.deepcopy(project.settings)
    settings["data"]["text_columns"] = list(text_columns)
    settings["preprocess"].update(ordinal_columns=orders or {}, min_category_rows=min_category_rows)
    return build(training, Project(project.root, settings)).fit(training)


def test_numbers_are_imputed_with_the_training_median_and_scaled():
    training = pd.DataFrame({"price": [1.0, 2.0, 4.0, np.nan, 100.0]})
    preprocessor = fitted(training)
    median = training["price"].median()
    imputed = training["price"].fillna(median)
    mean, spread = imputed.mean(), imputed.std(ddof=0)
    assert list(preprocessor.get_feature_names_out()) == ["numbers__price"]
    np.testing.assert_allclose(preprocessor.transform(training)[:, 0], (imputed - mean) / spread)
    # New rows get the training median and scale, not their own.
    new = pd.DataFrame({"price": [np.nan, mean, 7.0]})
    np.testing.assert_allclose(
        preprocessor.transform(new)[:, 0], [(median - mean) / spread, 0, (7 - mean) / spread]
    )


def test_categories_are_one_hot_encoded():
    preprocessor = fitted(pd.DataFrame({"colour": ["red", "blue", "red", None]}))
    names = list(preprocessor.get_feature_names_out())
    assert names == ["categories__colour_(missing)", "categories__colour_blue", "categories__colour_red"]
    encoded = preprocessor.transform(pd.DataFrame({"colour": ["blue", "red", None, "green"]}))
    # One column per category, no order implied; a category never seen in training sets none.
    assert encoded.tolist() == [[0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 0, 0]]


def test_rare_categories_share_one_feature_with_the_categories_never_seen():
    training = pd.DataFrame({"colour": ["red"] * 6 + ["blue"] * 6 + ["green", "mauve"]})
    preprocessor = fitted(training, min_category_rows=5)
    assert infrequent_categories(preprocessor) == {"colour": ["green", "mauve"]}
    names = [name.removeprefix("categories__colour_") for name in preprocessor.get_feature_names_out()]
    assert names == ["blue", "red", "infrequent_sklearn"]
    encoded = preprocessor.transform(pd.DataFrame({"colour": ["green", "mauve", "never seen", "red"]}))
    assert encoded.tolist() == [[0, 0, 1], [0, 0, 1], [0, 0, 1], [0, 1, 0]]


def test_ordered_categories_follow_the_order_params_yaml_gives():
    order = {"quality": ["Po", "Fa", "TA", "Gd", "Ex"], "rating": [1, 2, 3]}
    training = pd.DataFrame({"quality": ["Ex", "Fa", "Gd", "TA", "Po"], "rating": [1.0, 2.0, 3.0, None, 2.0]})
    preprocessor = fitted(training, orders=order)
    new = pd.DataFrame({"quality": ["Ex", "Po", "TA", None], "rating": [3, 1, None, 2]})
    encoded = preprocessor.transform(new)
    assert encoded.tolist() == [[4, 2], [0, 0], [2, -1], [-1, 1]]


def test_text_becomes_word_weights_from_the_training_vocabulary():
    training = pd.DataFrame(
        {"note": ["train ticket to osaka", "lunch with a client", "train ticket home", None]}
    )
    preprocessor = fitted(training, text_columns=["note"])
    words = [name.removeprefix("text_note__") for name in preprocessor.get_feature_names_out()]
    assert words == sorted({"train", "ticket", "to", "osaka", "lunch", "with", "client", "home"})
    transformed = preprocessor.transform(pd.DataFrame({"note": ["ticket to mars"]}))
    # Sparse: a million rows of word weights, nearly all zero, would not fit in memory dense.
    assert sparse.issparse(transformed)
    weights = pd.Series(dense(transformed)[0], index=words)
    # Only known words count ("mars" is not one), the rarer word weighs more, and a row's weights have length 1.
    assert set(weights[weights > 0].index) == {"ticket", "to"}
    assert weights["to"] > weights["ticket"]
    assert np.linalg.norm(weights) == pytest.approx(1)
    assert not dense(preprocessor.transform(pd.DataFrame({"note": [None]}))).any()
