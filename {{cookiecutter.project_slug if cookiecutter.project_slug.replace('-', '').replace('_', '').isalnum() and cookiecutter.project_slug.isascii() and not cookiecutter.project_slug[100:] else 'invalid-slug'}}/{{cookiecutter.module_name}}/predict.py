"""Predictions for new rows: the service-level entry point.

Input is checked against the schema the model was trained on before anything is predicted, so
a missing column, a wrong type or an unseen category is refused with a clear message instead of
giving a silent, wrong answer.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pandas as pd

from . import metrics, models
from .data import DataError, read_table
from .files import replacing
from .pipeline import Project


def check_input(frame: pd.DataFrame, card: dict[str, Any]) -> None:
    """Refuse rows the model was not trained to judge."""
    schema = card["schema"]
    missing = [column for column in schema if column not in frame.columns]
    if missing:
        raise DataError(
            "the input has every column the model was trained on",
            f"Missing: {', '.join(missing)}.",
            "Add these columns (empty values are allowed) and try again.",
        )
    for column, entry in schema.items():
        values = frame[column].dropna()
        if entry["kind"] == "numbers":
            # Coercing, not the dtype: a column of only missing values has no numeric dtype, yet is fine.
            not_numbers = values[pd.to_numeric(values, errors="coerce").isna()].astype(str).unique()
            if len(not_numbers):
                raise DataError(
                    "numeric columns hold numbers",
                    f"Column '{column}' holds {', '.join(map(repr, not_numbers[:3]))}.",
                    "Send numbers (or leave the value empty).",
                )
        if "known_values" in entry:
            unseen = sorted(set(values.astype(str)) - set(entry["known_values"]))
            if unseen:
                raise DataError(
                    "categories were seen in training",
                    f"Column '{column}' holds values the model never saw: {', '.join(unseen[:5])}.",
                    "Map them to known values, or add labelled rows with them and retrain.",
                )


def predict(frame: pd.DataFrame, model: Any, card: dict[str, Any]) -> pd.DataFrame:
    """One row of output per input row: its ids, the prediction, and the positive class's score."""
    check_input(frame, card)
    features = frame[list(card["schema"])].copy()
    for column, entry in card["schema"].items():
        if entry["kind"] == "numbers":
            features[column] = pd.to_numeric(features[column])
    predictions, scores = metrics.predict(model, features, card["positive_label"])
    output = frame[[column for column in card["id_columns"] if column in frame.columns]].copy()
    output["prediction"] = predictions
    if scores is not None and scores.ndim == 1:
        output["score"] = scores
    return output


def run(project: Project, source: Path, destination: Path) -> list[str]:
    project.require("model", "model_card")
    card = json.loads(project.path("model_card").read_text(encoding="utf-8"))
    model = models.load(project.path("model"))
    frame = read_table(source)
    started = time.perf_counter()
    output = predict(frame, model, card)
    elapsed = time.perf_counter() - started
    with replacing(destination) as temporary:
        if destination.suffix.lower() == ".csv":
            output.to_csv(temporary, index=False)
        else:
            output.to_parquet(temporary, index=False)
    return [
        f"{len(output):,} predictions written to {destination}",
        f"{1000 * elapsed / max(len(output), 1):.3f} ms per row ({elapsed:.2f} s in all)",
    ]
