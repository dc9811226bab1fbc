"""What a person needs to judge a prediction: readable names, its reasons, its agreement with known
answers, and a place to keep their corrections.

- `Labels`: the names of data.labels in params.yaml, shown instead of column names and class values.
- `reasons`: the columns that moved one row's prediction most (see its docstring for the method).
- `agreement`: for rows whose true answer is known, how often the model gives it, and the metric.
- `append_feedback`: a person's correction, appended to data.feedback_path as a labelled row that
  `python -m {{ cookiecutter.module_name }} monitor --labelled <that file>` reads as it is.
"""

from __future__ import annotations

import csv
import io
import os
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..core import metrics
from ..core.config import DELIMITERS, LabelSettings
from ..core.data import DataError, listed
from ..core.messages import messages_here
from ..core.pipeline import Project
from ..core.records import ModelCard
from .predict import answers, model_input

if sys.platform != "win32":
    import fcntl

# The reasons shown per prediction.
REASONS = 3
# The columns a feedback row adds to the row's inputs; the expert's answer goes in the target column.
MODEL_ANSWER = "model_answer"
RECORDED_AT = "recorded_at"


@dataclass(frozen=True)
class Labels:
    """Readable names of columns and classes; a name without one is shown as it is."""

    columns: dict[str, str]
    classes: dict[str, str]

    @classmethod
    def of(cls, labels: LabelSettings) -> Labels:
        # Classes by their text: params.yaml's `1:` and a model's answer 1 (or "1") are the same class.
        return cls(dict(labels.columns), {str(value): name for value, name in labels.classes.items()})

    def column(self, name: str) -> str:
        return self.columns.get(name, name)

    def answer(self, value: Any) -> str:
        """A class as people read it; a number (regression) as it is."""
        if isinstance(value, float | np.floating) and not float(value).is_integer():
            return f"{value:,.3f}"
        return self.classes.get(class_text(value), class_text(value))


def class_text(value: Any) -> str:
    """A class value as text: 1, 1.0 (a class read from a CSV file with gaps) and "1" are one class."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, np.generic):
        return str(value.item())
    return str(value)


@dataclass(frozen=True)
class Reason:
    """One column's part in a prediction: `contribution` is how far its value moved the answer towards
    the prediction (below zero: against it), against the column left empty."""

    column: str
    value: Any
    contribution: float


def reasons(row: pd.DataFrame, model: Any, card: ModelCard, count: int = REASONS) -> list[Reason]:
    """The `count` columns that moved the first row's prediction most, largest first.

    One method for every model the project trains (the baseline, logistic regression, ridge and
    gradient-boosted trees): leave one column out. The row is predicted once as it is and once per
    column with only that column left empty, which the model's own preprocessing fills in as it was
    fitted on the training rows: the training median for a number, no words for text, the
    "missing" category for a category. A column's contribution is the answer with its value minus
    the answer without it: for a classifier the score of the predicted class, for regression the
    predicted number. Columns that change nothing (an empty value, or a model that ignores them,
    like the baseline) are left out, so there may be fewer than `count`. It costs one prediction of
    as many rows as the model has columns plus one, and needs nothing fitted besides the model.
    """
    return reasons_by_row(row.iloc[[0]], model, card, count)[0]


def reasons_by_row(
    frame: pd.DataFrame, model: Any, card: ModelCard, count: int = REASONS
) -> list[list[Reason]]:
    """The reasons of every row's prediction (see `reasons`), all from one prediction of the model."""
    given = model_input(frame, card).reset_index(drop=True)
    columns = list(given.columns)
    width = len(columns) + 1
    # Per row: the row as it is, then once per column with that column left empty.
    variants = given.loc[given.index.repeat(width)].reset_index(drop=True)
    left_out = np.tile(np.arange(width), len(given))
    for position, column in enumerate(columns, start=1):
        variants[column] = variants[column].mask(left_out == position)
    predictions, scores = metrics.predict(model, variants, card.positive_label)
    answer = answered_as(predictions, scores, model, card, np.repeat(predictions[::width], width))
    found = []
    for row in range(len(given)):
        effect = answer[row * width] - answer[row * width + 1 : (row + 1) * width]
        moved = [
            Reason(column, given[column].iloc[row], float(change))
            for column, change in zip(columns, effect, strict=True)
            if abs(change) > 1e-12
        ]
        found.append(sorted(moved, key=lambda reason: -abs(reason.contribution))[:count])
    return found


def answered_as(
    predictions: np.ndarray, scores: np.ndarray | None, model: Any, card: ModelCard, predicted: Any
) -> np.ndarray:
    """Per row, the answer in the direction of the prediction `predicted` of it: that class's score, or the
    predicted number."""
    if scores is None:
        return np.asarray(predictions, dtype=float)
    if scores.ndim == 1:  # the positive class's score
        positive = np.array([class_text(value) == class_text(card.positive_label) for value in predicted])
        return np.where(positive, scores, 1 - scores).astype(float)
    classes = [class_text(value) for value in model.classes_]
    index = np.array([classes.index(class_text(value)) for value in predicted])
    return np.asarray(scores[np.arange(len(scores)), index], dtype=float)


@dataclass(frozen=True)
class Agreement:
    """How the model's answers compare with the true ones of the rows that have one."""

    rows: int  # rows with a true answer
    share: float  # of them, the share the model answers rightly (regression: within value.tolerance)
    metric: str
    # The project's metric on them; None where it cannot be measured (only one class, for roc_auc).
    value: float | None
    agrees: pd.Series  # per row of the input: True, False, or missing where the truth is not known


def agreement(frame: pd.DataFrame, model: Any, card: ModelCard, project: Project) -> Agreement | None:
    """The agreement of the model with the target column of `frame`; None without one or any labelled row."""
    target = project.data.target
    if target not in frame.columns or frame[target].notna().sum() == 0:
        return None
    labelled = frame[frame[target].notna()]
    truth = labelled[target]
    predictions, scores = answers(labelled, model, card)
    if project.problem_type == "classification":
        right = np.array([class_text(a) == class_text(b) for a, b in zip(predictions, truth, strict=True)])
        # The metric compares values, so the truth takes the type of the model's classes.
        truth = truth.map(class_text).map({class_text(value): value for value in model.classes_})
    else:
        right = np.abs(predictions - truth.to_numpy(dtype=float)) <= (project.settings.value.tolerance or 0)
    metric = project.settings.model.metric
    try:
        value: float | None = float(metrics.score(metric, truth, predictions, scores, **project.scoring))
    except (ValueError, TypeError):  # such as a class the model never saw, or only one class for roc_auc
        value = None
    agrees = pd.Series(pd.NA, index=frame.index, dtype="boolean")
    agrees[labelled.index] = right
    return Agreement(len(labelled), float(np.mean(right)), metric, value, agrees)


def feedback_rows(
    rows: pd.DataFrame, model_answers: Any, right_answer: Any, card: ModelCard, project: Project
) -> pd.DataFrame:
    """Corrections as labelled rows: the row's ids and inputs, the expert's answer as the target, the
    model's answer, and when it was recorded (UTC)."""
    # Every correction has the same columns: an id the rows lack is left empty, so the header never changes.
    columns = [*card.id_columns, *card.columns]
    feedback = rows.reindex(columns=columns).reset_index(drop=True)
    feedback[project.data.target] = right_answer
    feedback[MODEL_ANSWER] = list(model_answers)
    feedback[RECORDED_AT] = datetime.now(UTC).isoformat(timespec="seconds")
    return feedback


def append_feedback(project: Project, feedback: pd.DataFrame) -> Path:
    """Append corrections to data.feedback_path, written as the project's data is (data.encoding and
    data.delimiter), so `monitor --labelled` reads the file as it is. Returns the file's path.

    The folders are made when missing. Existing rows are never rewritten: the rows are added at the end
    in one write while the file is locked against another writer, after a line break if the last row
    lacks one. A file whose header differs (the model was retrained on other columns) is refused.
    """
    path = project.root / project.data.feedback_path
    path.parent.mkdir(parents=True, exist_ok=True)
    delimiter, encoding = DELIMITERS[project.data.delimiter], project.data.encoding
    with path.open("a+b") as file:
        if sys.platform != "win32":
            fcntl.flock(file.fileno(), fcntl.LOCK_EX)
        file.seek(0)
        first_line = file.readline().decode(encoding, errors="replace").rstrip("\r\n")
        header = next(csv.reader(io.StringIO(first_line), delimiter=delimiter), []) if first_line else []
        if header and header != list(feedback.columns):
            say = messages_here(__file__)
            raise DataError(
                say("explain.feedback.requirement"),
                say("explain.feedback.other_columns", file=path.name, found=listed(header)),
                say("explain.feedback.fix", file=path.name),
            )
        file.seek(0, os.SEEK_END)
        if file.tell() > 0:
            file.seek(-1, os.SEEK_END)
            if file.read(1) != b"\n":
                file.write(b"\n")
        text = feedback.to_csv(index=False, header=not header, sep=delimiter, lineterminator="\n")
        file.write(text.encode(encoding))
        file.flush()
        os.fsync(file.fileno())
    return path
