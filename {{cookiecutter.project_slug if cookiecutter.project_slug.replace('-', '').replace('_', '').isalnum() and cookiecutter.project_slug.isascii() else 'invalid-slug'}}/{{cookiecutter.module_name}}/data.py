"""Read the team's data and refuse it, with a clear message, when it breaks a data requirement.

Every message names the requirement that is broken (the data checklist's words), what was found,
and how to fix it. Nothing here writes to data/raw/: raw data is never modified.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pandas as pd

from .files import replacing

READABLE_SUFFIXES = (".csv", ".parquet", ".pq")


class DataError(ValueError):
    """The data breaks a data requirement."""

    def __init__(self, requirement: str, problem: str, fix: str) -> None:
        super().__init__(f"Data requirement not met: {requirement}. {problem} {fix}")
        self.requirement = requirement


def read_table(path: Path) -> pd.DataFrame:
    """Read a CSV or Parquet file, refusing files that cannot be the data a model learns from."""
    if not path.is_file():
        raise DataError(
            "the data exists",
            f"There is no file at {path}.",
            "Copy the data there, or set data.path in params.yaml to where it is.",
        )
    if path.suffix.lower() not in READABLE_SUFFIXES:
        raise DataError(
            "the data is in a readable format",
            f"{path.name} is neither CSV nor Parquet.",
            "Export it as .csv (UTF-8) or .parquet and point data.path to that file.",
        )
    if path.stat().st_size == 0:
        raise DataError("the data has rows", f"{path.name} is empty.", "Export the data again.")
    frame = _read_parquet(path) if path.suffix.lower() != ".csv" else _read_csv(path)
    if frame.empty:
        raise DataError(
            "the data has rows", f"{path.name} has a header but no rows.", "Export the data again."
        )
    return frame


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            header = next(csv.reader(stream), [])
        repeated = sorted({name for name in header if header.count(name) > 1})
        if repeated:
            raise DataError(
                "every column has its own name",
                f"The header of {path.name} repeats: {', '.join(repeated)}.",
                "Rename or remove the repeated columns.",
            )
        return pd.read_csv(path, encoding="utf-8-sig", low_memory=False)
    except UnicodeDecodeError as error:
        raise DataError(
            "the data is UTF-8 text",
            f"{path.name} is not UTF-8 (byte {error.start} cannot be read).",
            "Save it again as UTF-8, for example from a spreadsheet with 'CSV UTF-8'.",
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as error:
        raise DataError(
            "the data is well-formed CSV",
            f"{path.name} cannot be parsed: {str(error).strip()}.",
            "Check the delimiter and quoting, or export it again.",
        ) from None


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError) as error:
        raise DataError(
            "the data is in a readable format",
            f"{path.name} is not a readable Parquet file ({error}).",
            "Export it again as Parquet or CSV.",
        ) from None


def check_columns(frame: pd.DataFrame, data: dict[str, Any], problem_type: str) -> None:
    """The configured columns exist, no column is empty, and the target fits the problem type."""
    target = data["target"]
    named = [target, *data["id_columns"], *data["text_columns"], *data["personal_data_columns"]]
    named += [*data["ignore_columns"], data["time_column"], data["segment_column"]]
    missing = [name for name in named if name is not None and name not in frame.columns]
    if missing:
        raise DataError(
            "the columns named in params.yaml exist",
            f"Not in the data: {', '.join(missing)}. The data has: {', '.join(map(str, frame.columns))}.",
            "Fix the names under data: in params.yaml.",
        )
    empty = [
        name for name in frame.columns if frame[name].isna().all() and name not in data["ignore_columns"]
    ]
    if empty:
        raise DataError(
            "every column carries values",
            f"These columns are empty in every row: {', '.join(map(str, empty))}.",
            "Fix the export, or list them under data.ignore_columns in params.yaml.",
        )
    check_target(frame[target], problem_type, data["positive_label"])


def check_target(target: pd.Series, problem_type: str, positive_label: Any) -> None:
    labels = target.dropna()
    if problem_type == "regression":
        if not pd.api.types.is_numeric_dtype(labels) or pd.api.types.is_bool_dtype(labels):
            raise DataError(
                "the target is a number for a regression problem",
                f"The target '{target.name}' holds values such as {labels.iloc[0]!r}.",
                "Point data.target to a numeric column, or set model.problem_type to classification.",
            )
        return
    classes = labels.unique()
    if len(classes) < 2:
        raise DataError(
            "the target has at least two classes",
            f"Every labelled row of '{target.name}' is {classes[0]!r}."
            if len(classes)
            else "No row is labelled.",
            "Collect examples of the other classes (Prepare drafts the request).",
        )
    if pd.api.types.is_float_dtype(labels) and not labels.apply(float.is_integer).all():
        raise DataError(
            "the target is a class label for a classification problem",
            f"The target '{target.name}' holds fractional numbers such as {labels.iloc[0]!r}.",
            "Set model.problem_type to regression, or point data.target to a label column.",
        )
    if positive_label is not None and positive_label not in set(classes.tolist()):
        raise DataError(
            "the positive class occurs in the target",
            f"data.positive_label is {positive_label!r}, but '{target.name}' holds {sorted(map(str, classes))}.",
            "Set data.positive_label in params.yaml to one of these.",
        )


def write_table(frame: pd.DataFrame, path: Path) -> None:
    with replacing(path) as temporary:
        frame.to_parquet(temporary, index=False)
