"""Monitor: the model's quality on rows whose true labels came in after it was trained.

The holdout score says how good the model was on the data of its day; newly labelled rows say
whether it still is. Each check is kept in reports/monitor/, one record per day, so the team sees
when quality started to slip.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..core import metrics
from ..core.config import meets, requirement_text
from ..core.data import DataError, check_target
from ..core.files import write_json
from ..core.pipeline import Project
from .predict import answers, load_model


def run(project: Project, labelled: Path) -> dict[str, Any]:
    """Score the model on the labelled rows against the requirement; record and return the result."""
    model, card = load_model(project)
    frame = labelled_rows(project.read_table(labelled), project)
    truth = frame[project.data.target]
    predictions, scores = answers(frame, model, card)
    model_settings = project.settings.model
    value = metrics.score(model_settings.metric, truth, predictions, scores, **project.scoring)
    record = {
        "checked_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "labelled_file": str(labelled),
        "rows": len(frame),
        "model": card.algorithm,
        "metric": model_settings.metric,
        "value": value,
        "requirement": requirement_text(model_settings),
        "meets_requirement": meets(model_settings, value),
        "prediction_bias": prediction_bias(truth, predictions, project),
    }
    write_json(record_path(project, record), record)
    return record


def record_path(project: Project, record: dict[str, Any]) -> Path:
    """One record per UTC day: a second check on the same day replaces the first."""
    return project.report_dir("monitor") / f"{record['checked_at'][:10]}.json"


def labelled_rows(frame: pd.DataFrame, project: Project) -> pd.DataFrame:
    """The rows that carry a true label; refused when there are none or the labels cannot be scored."""
    target = project.data.target
    say = project.messages(__file__)
    requirement = say("refused.labels.requirement")
    if target not in frame.columns:
        raise DataError(
            requirement,
            say("refused.labels.no_column", target=target),
            say("refused.labels.no_column_fix", target=target),
        )
    rows = frame[frame[target].notna()]
    if rows.empty:
        raise DataError(
            requirement, say("refused.labels.no_label", target=target), say("refused.labels.no_label_fix")
        )
    # Scoring needs two classes but no more than a row of each: a few corrections from the demo count.
    check_target(rows[target], project.problem_type, project.data.positive_label, min_class_rows=1)
    return rows


def prediction_bias(truth: pd.Series, predictions: np.ndarray, project: Project) -> dict[str, Any] | None:
    """What the model predicts on average against what the labels say: a gap means the data moved.

    Regression compares the means; classification the share of the positive class (none without one).
    """
    if project.problem_type == "regression":
        return {"of": "mean", "predicted": float(np.mean(predictions)), "labelled": float(np.mean(truth))}
    positive = project.data.positive_label
    if positive is None:
        return None
    return {
        "of": f"share of {positive}",
        "predicted": float(np.mean(predictions == positive)),
        "labelled": float(np.mean(truth.to_numpy() == positive)),
    }


def summary(record: dict[str, Any], project: Project) -> list[str]:
    """The check as the command prints it: what was measured, and what to do when it falls short."""
    say = project.messages(__file__)
    verdict = say("monitor.verdict.meets") if record["meets_requirement"] else say("monitor.verdict.misses")
    lines = [
        say(
            "monitor.measured",
            metric=record["metric"],
            value=record["value"],
            rows=record["rows"],
            verdict=verdict,
            requirement=record["requirement"],
        )
    ]
    bias = record["prediction_bias"]
    if bias is not None:
        of = (
            say("monitor.bias.mean")
            if bias["of"] == "mean"
            else say("monitor.bias.share", label=project.data.positive_label)
        )
        lines.append(say("monitor.bias.line", of=of, predicted=bias["predicted"], labelled=bias["labelled"]))
    lines.append(say("monitor.record", path=record_path(project, record).relative_to(project.root)))
    if not record["meets_requirement"]:
        lines.append(say("monitor.fallen", data=project.data.path))
    return lines
