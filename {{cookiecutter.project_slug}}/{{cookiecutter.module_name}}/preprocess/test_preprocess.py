"""Preprocess must give complete numeric features, learned from training rows only."""

import re
import sys
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score

from {{ cookiecutter.module_name }}.kit.core import models
from {{ cookiecutter.module_name }}.kit.core.config import ConfigError
from {{ cookiecutter.module_name }}.kit.core.data import dense
from {{ cookiecutter.module_name }}.kit.core.pipeline import Project
from {{ cookiecutter.module_name }}.kit.process.readiness import not_applicable
from {{ cookiecutter.module_name }}.preprocess.stage import (
    build,
    column_kinds,
    infrequent_categories,
    janome_tokenizer,
    text_analyzers,
)


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
        pytest.skip(not_applicable("data_has_no_number_column_to_scale"))
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


def fitted(training, text_columns=(), min_category_rows=1, orders=None, text_analyzer="words"):
    """A preprocessor fitted on hand-made rows, with this project's settings but these text columns, this
    minimum of rows per category, these ordered columns and this way of turning text into features."""
    project = Project.load()
    preprocess = {
        "ordinal_columns": orders or {},
        "min_category_rows": min_category_rows,
        "text_analyzer": text_analyzer,
        "text_max_features": 200,  # as params.yaml ships
    }
    settings = project.settings.model_copy(
        update={
            "data": project.settings.data.model_copy(update={"text_columns": list(text_columns)}),
            "preprocess": project.settings.preprocess.model_copy(update=preprocess),
        }
    )
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


# Customer inquiries in Japanese, as a shop's support desk gets them, and the team each goes to: an
# opening, a phrase that tells the team with an item in it, and an ending, with no spaces between words.
# The phrases are data, in test_inquiries.csv beside this file (by part: a team, item, opening or ending).
INQUIRY_PARTS = pd.read_csv(Path(__file__).with_name("test_inquiries.csv"), keep_default_na=False)
PARTS = INQUIRY_PARTS.groupby("part")["text"].agg(list).to_dict()
TEAMS = [part for part in PARTS if part not in {"item", "opening", "ending"}]


def inquiries(rows, seed):
    """`rows` inquiries built from the parts, and the team each goes to; the same for the same seed."""
    random = np.random.default_rng(seed)
    teams = [str(team) for team in random.choice(TEAMS, size=rows)]
    texts = [
        str(random.choice(PARTS["opening"]))
        + str(random.choice(PARTS[team])).format(item=random.choice(PARTS["item"]))
        + str(random.choice(PARTS["ending"]))
        for team in teams
    ]
    return pd.DataFrame({"inquiry": texts}), teams


def routing_accuracy(text_analyzer):
    """The accuracy of a logistic regression routing 300 new inquiries, having learnt from 600, with text
    turned into features as `text_analyzer` says."""
    training, teams = inquiries(600, seed=1)
    new, answers = inquiries(300, seed=2)
    preprocessor = fitted(training, text_columns=["inquiry"], text_analyzer=text_analyzer)
    model = LogisticRegression(max_iter=1000).fit(preprocessor.transform(training), teams)
    return accuracy_score(answers, model.predict(preprocessor.transform(new)))


def test_japanese_text_as_characters_and_character_pairs_routes_far_better_than_as_words():
    words, characters = routing_accuracy("words"), routing_accuracy("characters")
    # Split at spaces and punctuation, a whole clause (the item, the phrase and the ending) is one "word",
    # rarely seen twice; its characters and pairs of characters recur and tell the team.
    assert characters >= 0.95, (words, characters)
    assert characters - words >= 0.2, (words, characters)


def test_auto_turns_mostly_japanese_columns_into_characters_and_others_into_words():
    training, _ = inquiries(20, seed=3)
    training["note"] = ["train ticket to osaka"] * 18 + [training["inquiry"][0], None]
    preprocessor = fitted(training, text_columns=["inquiry", "note"], text_analyzer="auto")
    assert text_analyzers(preprocessor) == {"inquiry": "characters", "note": "words"}


@pytest.fixture
def modules(monkeypatch):
    """Modules a test puts in place of Janome, and Janome's tokenizer loaded afresh before and after."""
    janome_tokenizer.cache_clear()
    yield monkeypatch
    janome_tokenizer.cache_clear()


def test_morphemes_without_janome_say_how_to_install_it(modules):
    training, _ = inquiries(20, seed=3)
    for name in ("janome", "janome.tokenizer"):  # importing it fails, as when it is not installed
        modules.setitem(sys.modules, name, None)
    with pytest.raises(ConfigError, match="uv add janome"):
        fitted(training, text_columns=["inquiry"], text_analyzer="morphemes")


def split_after_particles(text):
    """Text split after each of the particles no, ga, wo and ni, written in hiragana."""
    return re.split("(?<=[\u306e\u304c\u3092\u306b])", text)


class ParticleSplitter:
    """Stands in for Janome's Tokenizer: splits text after a few particles."""

    def tokenize(self, text, wakati=False):
        assert wakati
        return iter(split_after_particles(text))


def test_a_preprocessor_of_morphemes_is_saved_and_loaded_as_trusted_and_transforms_the_same(
    modules, tmp_path
):
    tokenizer = types.ModuleType("janome.tokenizer")
    modules.setattr(tokenizer, "Tokenizer", ParticleSplitter, raising=False)
    modules.setitem(sys.modules, "janome", types.ModuleType("janome"))
    modules.setitem(sys.modules, "janome.tokenizer", tokenizer)
    training, _ = inquiries(50, seed=4)
    preprocessor = fitted(training, text_columns=["inquiry"], text_analyzer="morphemes")
    morphemes = {part for text in training["inquiry"] for part in split_after_particles(text) if part}
    names = {name.removeprefix("text_inquiry__") for name in preprocessor.get_feature_names_out()}
    assert len(names) > 20 and names <= morphemes
    path = tmp_path / "preprocessor.skops"
    models.save(preprocessor, path, {})
    loaded = models.load(path)
    assert text_analyzers(loaded) == {"inquiry": "morphemes"}
    np.testing.assert_allclose(dense(loaded.transform(training)), dense(preprocessor.transform(training)))
