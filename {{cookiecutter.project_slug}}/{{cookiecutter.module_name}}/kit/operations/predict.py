"""Predictions for new rows: the service-level entry point.

Input is checked against the schema the model was trained on before anything is predicted, so
a missing column, a wrong type, a number outside its expected range or an unseen category is
refused with a clear message instead of giving a silent, wrong answer. A model that answers NaN
or infinity is stopped the same way, so no caller acts on such an answer.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from ..core import metrics, spark
from ..core.data import DataError, check_range, dense, is_csv, refuse_infinity
from ..core.files import replacing
from ..core.messages import Messages, messages_here
from ..core.pipeline import Project, write_table_as
from ..core.records import ModelCard
from . import releases

# A spreadsheet runs a cell that starts with one of these as a formula when it opens a CSV file.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Rows predicted in this process before Spark's workers predict the rest: a wrong file is refused clearly.
CHECKED_ROWS = 10_000


class UnstableModelError(RuntimeError):
    """The model answered NaN or infinity: a fault of the model, not of the rows it was given."""


@dataclass
class Step:
    """One step of a row's way to its prediction, with the values the row has at that step."""

    title: str
    values: dict[str, Any]


def known_values(card: ModelCard, columns: list[str]) -> dict[str, list[str]]:
    """The training values of each category column the card lists them for, of those among `columns`."""
    return {
        column: entry.known_values
        for column, entry in card.columns.items()
        if entry.known_values is not None and column in columns
    }


def unseen_categories(frame: pd.DataFrame, card: ModelCard) -> dict[str, pd.Series]:
    """For each category column whose training values the card lists, which rows hold a value it never saw."""
    return {
        column: frame[column].notna() & ~frame[column].astype(str).isin(known)
        for column, known in known_values(card, list(frame.columns)).items()
    }


def unseen_counts(frame: pd.DataFrame, card: ModelCard) -> dict[str, int]:
    """Rows per category column that hold a value the model never saw, for the columns that have any."""
    counts = {column: int(unseen.sum()) for column, unseen in unseen_categories(frame, card).items()}
    return {column: count for column, count in counts.items() if count}


def refuses_unseen(card: ModelCard) -> bool:
    """Whether serving refuses a category the model never saw (a card older than the policy did)."""
    return card.unseen_categories == "refuse"


def refused_rows(frame: pd.DataFrame, card: ModelCard) -> pd.Series:
    """The rows serving refuses for a category the model never saw: none unless the card's policy is refuse."""
    refused = pd.Series(False, index=frame.index)
    if refuses_unseen(card):
        for unseen in unseen_categories(frame, card).values():
            refused |= unseen
    return refused


def check_input(frame: pd.DataFrame, card: ModelCard, refuse_unseen: bool | None = None) -> None:
    """Refuse rows the model was not trained to judge.

    Unseen categories are refused as the card's policy (preprocess.unseen_categories) says, unless
    `refuse_unseen` overrides it: the Test stage and monitoring count them instead of refusing.
    """
    say = messages_here(__file__)
    missing = [column for column in card.columns if column not in frame.columns]
    if missing:
        raise DataError(
            say("refused.columns.requirement"),
            say("refused.columns.problem", columns=say("separator").join(missing)),
            say("refused.columns.fix"),
        )
    for column, entry in card.columns.items():
        values = frame[column].dropna()
        if entry.kind == "numbers":
            # Coercing, not the dtype: a column of only missing values has no numeric dtype, yet is fine.
            not_numbers = values[pd.to_numeric(values, errors="coerce").isna()].astype(str).unique()
            if len(not_numbers):
                shown = say("separator").join(map(repr, not_numbers[:3]))
                raise DataError(
                    say("refused.numbers.requirement"),
                    say("refused.numbers.problem", column=column, values=shown),
                    say("refused.numbers.fix"),
                )
            refuse_infinity(pd.to_numeric(values))
            if entry.expected_range:
                check_range(values, entry.expected_range, say("refused.outside_the_range_fix"))
    if refuses_unseen(card) if refuse_unseen is None else refuse_unseen:
        refuse_unseen_categories(frame, card)


def refuse_unseen_categories(frame: pd.DataFrame, card: ModelCard) -> None:
    for column, unseen in unseen_categories(frame, card).items():
        if unseen.any():
            say = messages_here(__file__)
            values = sorted(set(frame.loc[unseen, column].astype(str)))
            raise DataError(
                say("refused.unseen.requirement"),
                say("refused.unseen.problem", column=column, values=say("separator").join(values[:5])),
                say("refused.unseen.fix"),
            )


def model_input(frame: pd.DataFrame, card: ModelCard, refuse_unseen: bool | None = None) -> pd.DataFrame:
    """The rows as the model takes them: checked, only the trained columns, numbers as numbers.

    Every prediction goes through here, so serving hands the model's preprocessing the same
    columns and types that Preprocess fitted it on.
    """
    check_input(frame, card, refuse_unseen)
    features = frame[list(card.columns)].copy()
    for column, entry in card.columns.items():
        if entry.kind == "numbers":
            features[column] = pd.to_numeric(features[column])
    return features


def answers(
    frame: pd.DataFrame, model: Any, card: ModelCard, refuse_unseen: bool | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """The model's predictions for checked rows and, for classifiers, the class scores; stopped when any
    answer is NaN or infinite."""
    inputs = model_input(frame, card, refuse_unseen)
    predictions, scores = metrics.predict(model, inputs, card.positive_label)
    check_finite(predictions, scores)
    return predictions, scores


def predict(frame: pd.DataFrame, model: Any, card: ModelCard) -> pd.DataFrame:
    """One row of output per input row: its ids, the prediction, and the positive class's score, or with
    no positive class a score per class (`score_<class>`), each from 0 to 1."""
    predictions, scores = answers(frame, model, card)
    output = frame[[column for column in card.id_columns if column in frame.columns]].copy()
    output["prediction"] = predictions
    if scores is not None and scores.ndim == 1:
        output["score"] = scores
    elif scores is not None:
        for index, label in enumerate(card.classes):
            output[f"score_{label}"] = scores[:, index]
    return output


def check_finite(predictions: np.ndarray, scores: np.ndarray | None) -> None:
    """Stop when any prediction or score is NaN or infinite: such an answer must not be used."""
    unstable = np.zeros(len(predictions), dtype=bool)
    for answer in (predictions, scores):
        if answer is not None and np.issubdtype(np.asarray(answer).dtype, np.number):
            finite = np.isfinite(np.asarray(answer, dtype=float)).reshape(len(unstable), -1)
            unstable |= ~finite.all(axis=1)
    if unstable.any():
        say = messages_here(__file__)
        raise UnstableModelError(say("refused.unstable", rows=unstable.sum(), count=len(unstable)))


def trace(row: pd.DataFrame, model: Any, card: ModelCard, say: Messages) -> list[Step]:
    """One row's way to its prediction: as given, as the model's input, as features, as the answer."""
    inputs = model_input(row, card)
    preprocess = model.named_steps["preprocess"]
    features = pd.Series(dense(preprocess.transform(inputs))[0], index=preprocess.get_feature_names_out())
    answer = predict(row, model, card).drop(columns=card.id_columns, errors="ignore")
    return [
        Step(say("trace.given"), first_row(row)),
        Step(say("trace.input"), first_row(inputs)),
        Step(
            say("trace.features", non_zero=(features != 0).sum(), count=len(features)),
            features[features != 0].to_dict(),
        ),
        Step(say("trace.prediction"), first_row(answer)),
    ]


def first_row(frame: pd.DataFrame) -> dict[str, Any]:
    """The first row's values by column, each keeping its column's type: whole numbers stay whole."""
    return {column: frame[column].iloc[0] for column in frame.columns}


def load_model(project: Project) -> tuple[Any, ModelCard]:
    """The model the service answers with, and its card.

    That is the current release, or the trained model before the first promotion; with neither,
    the message names the stage to run.
    """
    model, card, _ = releases.served(project)
    return model, card


def run(project: Project, source: Path, destination: Path) -> list[str]:
    check_destination(project, source, destination)
    model, card = load_model(project)
    say = project.messages(__file__)
    if project.on_spark:  # a file of any size, on Spark's workers
        started = time.perf_counter()
        rows, unseen = predict_on_spark(project, source, destination, model, card)
        elapsed = time.perf_counter() - started
    else:
        frame = project.read_table(source)
        started = time.perf_counter()
        output = predict(frame, model, card)
        elapsed = time.perf_counter() - started
        write_table_as(spreadsheet_safe(output) if is_csv(destination) else output, destination)
        rows, unseen = len(output), unseen_counts(frame, card)
    return [
        say("predict.written", rows=rows, path=destination),
        say("predict.speed", ms_per_row=1000 * elapsed / max(rows, 1), seconds=elapsed),
        *([say("predict.unseen", columns=unseen_text(unseen, say))] if unseen else []),
    ]


def predict_on_spark(
    project: Project, source: Path, destination: Path, model: Any, card: ModelCard
) -> tuple[int, dict[str, int]]:
    """Predictions for a file of any size, written to `destination` as one file: each part of the rows
    goes through `predict`, as in memory and in the service, on Spark's workers. The first CHECKED_ROWS
    rows are predicted here first, so a wrong file is refused with the message the pandas engine
    gives. Returns the number of rows, and the rows per column with a category the model never saw."""
    frame = spark.read_files(project, [source])
    first = frame.limit(CHECKED_ROWS).toPandas()
    shape = spark.spark_of(project).createDataFrame(predict(first, model, card)).schema

    def predicted(parts: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for part in parts:
            yield predict(part, model, card)

    output = frame.mapInPandas(predicted, shape)
    unseen = spark.unseen_counts(frame, known_values(card, frame.columns))
    if not is_csv(destination):
        spark.write_parquet(output, destination)
        return output.count(), unseen
    with spark.parts_folder(destination) as folder:
        parts = folder / "predictions.parquet"
        spark.write_parquet(output, parts)
        rows = 0
        with replacing(destination) as temporary:
            for position, batch in enumerate(pq.ParquetFile(parts).iter_batches()):
                part = spreadsheet_safe(batch.to_pandas())
                part.to_csv(temporary, index=False, header=position == 0, mode="a")
                rows += len(part)
    return rows, unseen


def check_destination(project: Project, source: Path, destination: Path) -> None:
    """Predictions never replace data: not the rows they are for, nothing under data/raw/, no file
    a link points to."""
    raw = (project.root / "data" / "raw").resolve()
    target = destination.resolve()
    say = project.messages(__file__)
    if target == source.resolve():
        problem = say("refused.destination.input", destination=destination)
    elif target.is_relative_to(raw) or target == project.raw_data.resolve():
        problem = say("refused.destination.raw", destination=destination)
    elif destination.is_symlink():
        problem = say("refused.destination.link", destination=destination, target=target)
    else:
        return
    raise DataError(say("refused.destination.requirement"), problem, say("refused.destination.fix"))


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells a spreadsheet would run as a formula when it opens the CSV file, kept as text by a
    leading apostrophe, as OWASP advises against CSV injection."""
    safe = frame.copy()
    for column in safe.columns:
        values = safe[column]
        if pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values):
            formula = values.astype(str).str.startswith(FORMULA_STARTS) & values.notna()
            safe[column] = values.mask(formula, "'" + values.astype(str))
    return safe


def unseen_text(counts: dict[str, int], say: Messages) -> str:
    return say("separator").join(
        say("predict.unseen_column", column=column, rows=count) for column, count in counts.items()
    )


def run_trace(project: Project, source: Path, number: int) -> list[str]:
    """The steps of row `number` (from 0) of a file, as lines to print."""
    model, card = load_model(project)
    frame = project.read_table(source)
    say = project.messages(__file__)
    if not 0 <= number < len(frame):
        rows, last = len(frame), len(frame) - 1
        raise DataError(
            say("refused.trace_row.requirement"),
            say("refused.trace_row.problem", file=source.name, rows=rows, last=last, number=number),
            say("refused.trace_row.fix"),
        )
    lines = [say("trace.row", number=number, file=source.name)]
    for count, step in enumerate(trace(frame.iloc[[number]], model, card, say), start=1):
        lines += [f"{count}. {step.title}:", *(f"   {name}: {value}" for name, value in step.values.items())]
    return lines
