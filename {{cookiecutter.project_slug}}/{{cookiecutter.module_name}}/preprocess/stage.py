"""Preprocess: turn prepared rows into numbers a model can learn from.

One scikit-learn ColumnTransformer does it all: impute and scale numbers, one-hot (or ordinal)
encode categories, and turn free text into the weights of its words or, for Japanese, which writes no
spaces between words, of its characters and character pairs (preprocess.text_analyzer). It is fitted on
the training rows only and saved, so Train, Test and every prediction later transform data exactly the
same way.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from ..kit.core import models
from ..kit.core.config import ConfigError
from ..kit.core.data import DataError, dense, listed, write_table_in_parts
from ..kit.core.messages import messages_here
from ..kit.core.pipeline import Project
from ..kit.reports.preprocessing import write_report

MAX_ONE_HOT_CATEGORIES = 50
FEATURE_ROWS = 100_000  # rows of features written at a time
# Characters: single characters and pairs of neighbouring ones, within a run of text between spaces.
CHARACTER_NGRAMS = (1, 2)
# Hiragana, katakana (full and half width) and kanji: text holding any of them is Japanese to `auto`.
JAPANESE = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")
JAPANESE_SAMPLE_ROWS = 10_000


def as_text(value: object) -> str:
    """A category value as text, a whole number written without a decimal point: 3.0 is "3"."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


class AsText(TransformerMixin, BaseEstimator):
    """Category values as text, missing ones kept missing, so that they compare with an order written in
    params.yaml whatever type the column has."""

    def fit(self, frame: pd.DataFrame, target: object = None) -> AsText:
        return self

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        frame = pd.DataFrame(frame)
        return frame.map(as_text).where(frame.notna(), np.nan).to_numpy(dtype=object)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.asarray(input_features if input_features is not None else [], dtype=object)


def outside_the_order(values: pd.Series, order: Sequence[object]) -> list[str]:
    """The values of an ordered column that its order in params.yaml does not place."""
    return sorted(set(values.dropna().map(as_text)) - {as_text(value) for value in order})


class TextColumn(TransformerMixin, BaseEstimator):
    """Hand one text column to a vectoriser as plain strings, missing text as empty text."""

    def fit(self, frame: pd.DataFrame, target: object = None) -> TextColumn:
        return self

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        return pd.DataFrame(frame).iloc[:, 0].fillna("").astype(str).to_numpy()

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.asarray(input_features if input_features is not None else [], dtype=object)


def japanese_share(values: pd.Series) -> float:
    """The share of a text column's non-empty values that hold Japanese characters, of a seeded sample of
    JAPANESE_SAMPLE_ROWS values at most: a million rows need not all be read to tell."""
    texts = values.dropna()
    if len(texts) > JAPANESE_SAMPLE_ROWS:
        texts = texts.sample(JAPANESE_SAMPLE_ROWS, random_state=0)
    texts = texts.astype(str)
    texts = texts[texts.str.strip() != ""]
    return float(texts.str.contains(JAPANESE).mean()) if len(texts) else 0.0


def text_analyzer(values: pd.Series, setting: str) -> str:
    """How a text column becomes features: the setting, or for `auto` characters when most of the
    column's values hold Japanese and words otherwise."""
    if setting != "auto":
        return setting
    return "characters" if japanese_share(values) > 0.5 else "words"


@functools.cache
def janome_tokenizer() -> Callable[[str], Iterator[str]]:
    """Janome's splitting of text into morphemes, its dictionary loaded once per process."""
    try:
        from janome.tokenizer import Tokenizer
    except ImportError:
        say = messages_here(__file__)
        raise ConfigError(say("refused.no_janome")) from None
    tokenizer = Tokenizer()
    return functools.partial(tokenizer.tokenize, wakati=True)


class Morphemes:
    """Split Japanese text into morphemes, the words and particles a dictionary knows, with Janome.

    Holds no state: Janome is imported and its dictionary loaded at the first text, so a saved
    preprocessor holds only this class's name and a project that never asks for morphemes needs no Janome.
    """

    def __call__(self, text: str) -> list[str]:
        return [token for token in janome_tokenizer()(text) if token.strip()]


def vectoriser(analyzer: str, max_features: int) -> TfidfVectorizer:
    """TF-IDF weights of the `max_features` most frequent words, characters and character pairs, or morphemes."""
    if analyzer == "characters":
        return TfidfVectorizer(analyzer="char_wb", ngram_range=CHARACTER_NGRAMS, max_features=max_features)
    if analyzer == "morphemes":
        janome_tokenizer()  # a missing Janome is said now, before any fitting
        return TfidfVectorizer(tokenizer=Morphemes(), token_pattern=None, max_features=max_features)
    return TfidfVectorizer(max_features=max_features)


def column_kinds(frame: pd.DataFrame, project: Project) -> dict[str, list[str]]:
    """Sort the feature columns into numbers, categories (one-hot or ordinal) and text."""
    text = [c for c in project.data.text_columns if c in frame.columns]
    ordinal = [c for c in project.settings.preprocess.ordinal_columns if c in frame.columns]
    numeric = [
        c
        for c in frame.columns
        if pd.api.types.is_numeric_dtype(frame[c])
        and not pd.api.types.is_bool_dtype(frame[c])
        and c not in ordinal
    ]
    categories = [c for c in frame.columns if c not in {*text, *ordinal, *numeric}]
    return {"numbers": numeric, "categories": categories, "ordered": ordinal, "text": text}


def build(frame: pd.DataFrame, project: Project) -> ColumnTransformer:
    kinds = column_kinds(frame, project)
    orders = project.settings.preprocess.ordinal_columns
    ordered_values = [[as_text(value) for value in orders[column]] for column in kinds["ordered"]]
    parts = [
        (
            "numbers",
            Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]),
            kinds["numbers"],
        ),
        (
            "categories",
            Pipeline(
                [
                    ("impute", SimpleImputer(strategy="constant", fill_value="(missing)")),
                    (
                        "encode",
                        OneHotEncoder(
                            # Rare and unseen values share one group, so neither can overfit or break a row.
                            handle_unknown="infrequent_if_exist",
                            min_frequency=project.settings.preprocess.min_category_rows,
                            max_categories=MAX_ONE_HOT_CATEGORIES,
                            sparse_output=False,
                        ),
                    ),
                ]
            ),
            kinds["categories"],
        ),
        (
            "ordered",
            Pipeline(
                [
                    ("text", AsText()),
                    (
                        "encode",
                        OrdinalEncoder(
                            categories=ordered_values,
                            handle_unknown="use_encoded_value",
                            unknown_value=-1,
                            encoded_missing_value=-1,
                        ),
                    ),
                ]
            ),
            kinds["ordered"],
        ),
    ]
    settings = project.settings.preprocess
    for column in kinds["text"]:
        weights = vectoriser(text_analyzer(frame[column], settings.text_analyzer), settings.text_max_features)
        parts.append((f"text_{column}", Pipeline([("column", TextColumn()), ("words", weights)]), [column]))
    # Sparse as soon as one part is (the word weights): a million rows of them made dense would not fit
    # in memory. Without text, the features are dense.
    return ColumnTransformer([part for part in parts if part[2]], sparse_threshold=1.0)


def infrequent_categories(preprocessor: ColumnTransformer) -> dict[str, list[str]]:
    """The categories, per column, that the fitted one-hot encoder groups as infrequent."""
    for name, encoding, columns in preprocessor.transformers_:
        if name == "categories":
            grouped = zip(columns, encoding.named_steps["encode"].infrequent_categories_, strict=True)
            return {
                column: [str(value) for value in values] for column, values in grouped if values is not None
            }
    return {}


def text_analyzers(preprocessor: ColumnTransformer) -> dict[str, str]:
    """How the fitted preprocessor turns each text column into features: words, characters or morphemes."""
    analyzers: dict[str, str] = {}
    for name, steps, columns in preprocessor.transformers_:
        if name.startswith("text_") and columns:
            weights = steps.named_steps["words"]
            if isinstance(weights.tokenizer, Morphemes):
                analyzers[columns[0]] = "morphemes"
            else:
                analyzers[columns[0]] = "characters" if weights.analyzer == "char_wb" else "words"
    return analyzers


def feature_parts(preprocessor: ColumnTransformer, frame: pd.DataFrame) -> Iterator[pd.DataFrame]:
    """The rows' features, dense, FEATURE_ROWS rows at a time: every transform works row by row, so the
    parts are the whole transform's rows, and a million rows of dense word weights never are in memory."""
    names = preprocessor.get_feature_names_out()
    for start in range(0, len(frame), FEATURE_ROWS):
        features = preprocessor.transform(frame.iloc[start : start + FEATURE_ROWS])
        part = pd.DataFrame(dense(features), columns=names)
        if part.isna().any().any():
            say = messages_here(__file__)
            raise RuntimeError(say("refused.missing_features"))
        yield part


def run(project: Project) -> list[str]:
    project.require("train")
    say = project.messages(__file__)
    train = project.training_rows()
    columns = project.feature_columns(train)
    orders = project.settings.preprocess.ordinal_columns
    for column in column_kinds(train[columns], project)["ordered"]:
        outside = outside_the_order(train[column], orders[column])
        if outside:
            raise DataError(
                say("refused.ordered.requirement"),
                say(
                    "refused.ordered.problem",
                    column=column,
                    values=listed(outside[:5]),
                    order=listed(map(as_text, orders[column])),
                ),
                say("refused.ordered.fix"),
            )
    # fit, then transform: the features are then exactly what every later transform gives, which
    # fit_transform's shortcuts (in the text weights, for one) do not promise.
    preprocessor = build(train[columns], project).fit(train[columns])
    features = preprocessor.get_feature_names_out()
    write_table_in_parts(feature_parts(preprocessor, train[columns]), project.path("features"))
    models.save(preprocessor, project.path("preprocessor"), {})

    # Without a text column, the table still says what the setting would do with one.
    setting = project.settings.preprocess.text_analyzer
    analyzers = text_analyzers(preprocessor) or {"-": text_analyzer(pd.Series(), setting)}
    report = write_report(
        project,
        rows=len(train),
        columns=len(columns),
        features=len(features),
        kinds=column_kinds(train[columns], project),
        analyzers=analyzers,
        grouped=infrequent_categories(preprocessor),
    )
    return [
        say("console.features", columns=len(columns), features=len(features), rows=len(train)),
        say("console.saved", path=project.path("preprocessor").relative_to(project.root)),
        say("console.report", path=report.relative_to(project.root)),
    ]
