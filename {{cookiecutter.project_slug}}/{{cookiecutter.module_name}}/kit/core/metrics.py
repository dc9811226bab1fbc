"""The metrics of the model requirement, computed the same way in Train, Test and checks."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn import metrics as sk
from sklearn.pipeline import Pipeline

from .config import METRICS

# The metrics computed from the class scores; the others need only the predicted labels.
SCORE_METRICS = ("roc_auc",)


def predict(
    model: Any, frame: Any, positive_label: Any, with_scores: bool = True
) -> tuple[np.ndarray, np.ndarray | None]:
    """Predictions and, for classifiers, the score of the positive class (or all class scores);
    no scores when `with_scores` is false, which saves a second pass through the model.

    The steps before a pipeline's model turn the rows into features once, for both answers: asked one
    after the other, the pipeline would preprocess every row twice.
    """
    if isinstance(model, Pipeline) and len(model) > 1:
        frame, model = model[:-1].transform(frame), model[-1]
    predictions = model.predict(frame)
    if not with_scores or not hasattr(model, "predict_proba"):
        return predictions, None
    probabilities = model.predict_proba(frame)
    classes = list(model.classes_)
    if len(classes) == 2 and positive_label in classes:
        return predictions, probabilities[:, classes.index(positive_label)]
    return predictions, probabilities


def score(
    metric: str,
    truth: Any,
    predictions: Any,
    scores: Any = None,
    positive_label: Any = None,
    average: str = "macro",
) -> float:
    """One metric; binary classification scores the positive class, more classes `average` the per-class
    scores: macro (each class counts the same) or weighted (by its rows)."""
    binary = positive_label is not None and len(np.unique(truth)) <= 2
    averaging = {"pos_label": positive_label, "average": "binary"} if binary else {"average": average}
    if metric in ("f1", "precision", "recall"):
        function = {"f1": sk.f1_score, "precision": sk.precision_score, "recall": sk.recall_score}[metric]
        return float(function(truth, predictions, zero_division=0, **averaging))
    if metric == "accuracy":
        return float(sk.accuracy_score(truth, predictions))
    if metric == "roc_auc":
        if scores is None:
            return float("nan")
        if binary:
            return float(sk.roc_auc_score(np.asarray(truth) == positive_label, scores))
        return float(sk.roc_auc_score(truth, scores, multi_class="ovr", average=average))
    if metric == "r2":
        return float(sk.r2_score(truth, predictions))
    if metric == "rmse":
        return float(sk.root_mean_squared_error(truth, predictions))
    if metric == "mae":
        return float(sk.mean_absolute_error(truth, predictions))
    raise ValueError(f"Unknown metric {metric!r}")


def all_scores(
    problem_type: str, truth: Any, predictions: Any, scores: Any, positive_label: Any, average: str = "macro"
) -> dict[str, float]:
    """Every metric of the problem type, for reports and model comparisons."""
    names = [name for name, spec in METRICS.items() if spec.problem_type == problem_type]
    return {name: score(name, truth, predictions, scores, positive_label, average) for name in names}


def better(metric: str, left: float, right: float) -> bool:
    """Whether `left` is a better value of the metric than `right`."""
    return left > right if METRICS[metric].higher_is_better else left < right


def latency_percentiles(milliseconds: list[float]) -> dict[str, float]:
    """What a typical request (p50) and the slowest ones (p95, p99) wait, in milliseconds."""
    return {f"p{level}_ms": float(np.percentile(milliseconds, level)) for level in (50, 95, 99)}
