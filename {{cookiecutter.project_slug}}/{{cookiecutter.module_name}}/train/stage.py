"""Train: choose and train a model for the purpose set in Business Understanding.

A baseline that ignores the features and two candidate models are cross-validated on the
primary metric, each candidate at every setting of its small hyper-parameter search; the best
candidate at its best setting is trained on all training rows and saved with what it takes to
reproduce and audit it: the whole search, a fingerprint of its data, library versions, and the
time and memory training took.
"""

from __future__ import annotations

import hashlib
import numbers
import platform
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib.metadata import version
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import KFold, ParameterGrid, StratifiedKFold
from sklearn.pipeline import Pipeline

from ..kit.core import metrics, models
from ..kit.core.pipeline import Project
from ..kit.reports.report import Report, plt
from ..preprocess.stage import column_kinds

BASELINE = "baseline"
IMPORTANCE_ROWS = 2000
PERMUTATION_REPEATS = 3  # shuffles of each column when measuring what it contributes
MAX_KNOWN_CATEGORIES = 1000
# The settings each candidate's search tries, few so that training stays quick: how strongly the
# linear models are regularised, and how many rounds boosting runs (fewer suit small data).
# The baseline has nothing to tune.
SEARCH_SPACES: dict[str, dict[str, list[Any]]] = {
    BASELINE: {},
    "logistic_regression": {"C": [0.1, 1.0, 10.0]},
    "ridge": {"alpha": [0.1, 1.0, 10.0]},
    "gradient_boosting": {"max_iter": [50, 100]},
}

Item = TypeVar("Item")


def candidates(problem_type: str, seed: int) -> dict[str, Any]:
    """The baseline first, then the candidates: a linear model and gradient-boosted trees."""
    if problem_type == "classification":
        return {
            BASELINE: DummyClassifier(strategy="prior"),
            "logistic_regression": LogisticRegression(max_iter=2000, class_weight="balanced"),
            "gradient_boosting": HistGradientBoostingClassifier(random_state=seed),
        }
    return {
        BASELINE: DummyRegressor(strategy="mean"),
        "ridge": Ridge(alpha=1.0),
        "gradient_boosting": HistGradientBoostingRegressor(random_state=seed),
    }


def tuned(name: str, setting: dict[str, Any], project: Project) -> Any:
    """A fresh, unfitted candidate at one setting of its search."""
    estimator = candidates(project.problem_type, project.settings.split.seed)[name]
    return clone(estimator).set_params(**setting)


def setting_text(setting: dict[str, Any]) -> str:
    """A setting of a search as people read it, such as `C=0.1`; `default` when nothing is tuned."""
    return ", ".join(f"{key}={value}" for key, value in setting.items()) or "default"


def fit_behind(preprocessor: Any, estimator: Any, frame: pd.DataFrame, target: pd.Series) -> Pipeline:
    """Train a model on the output of an already fitted preprocessor, joined with it into one pipeline."""
    return Pipeline(
        [("preprocess", preprocessor), ("model", estimator.fit(preprocessor.transform(frame), target))]
    )


def cross_validate(
    estimator: Any, preprocessor: Any, frame: pd.DataFrame, target: pd.Series, project: Project
) -> list[float]:
    """Score on each fold, with the preprocessor refitted inside the fold so no fold sees another."""
    settings = project.settings
    folds, seed = settings.model.cv_folds, settings.split.seed
    splitter = (
        StratifiedKFold(folds, shuffle=True, random_state=seed)
        if project.problem_type == "classification"
        else KFold(folds, shuffle=True, random_state=seed)
    )
    scores = []
    for fit_rows, check_rows in splitter.split(frame, target):
        pipeline = Pipeline([("preprocess", clone(preprocessor)), ("model", clone(estimator))])
        pipeline.fit(frame.iloc[fit_rows], target.iloc[fit_rows])
        predictions, probabilities = metrics.predict(
            pipeline, frame.iloc[check_rows], project.data.positive_label
        )
        scores.append(
            metrics.score(
                settings.model.metric,
                target.iloc[check_rows],
                predictions,
                probabilities,
                **project.scoring,
            )
        )
    return scores


def search(
    preprocessor: Any, frame: pd.DataFrame, target: pd.Series, project: Project
) -> dict[str, list[dict[str, Any]]]:
    """Cross-validate every candidate at every setting of its search space, in candidates() order."""
    folds = project.settings.model.cv_folds
    tried: dict[str, list[dict[str, Any]]] = {}
    for name in candidates(project.problem_type, project.settings.split.seed):
        tried[name] = []
        for setting in ParameterGrid(SEARCH_SPACES[name]):
            print(f"  cross-validating {name} {setting_text(setting)} ({folds} folds) …", flush=True)
            scores = cross_validate(tuned(name, setting, project), preprocessor, frame, target, project)
            tried[name].append(
                {
                    "setting": setting,
                    "mean": float(np.mean(scores)),
                    "std": float(np.std(scores)),
                    "folds": scores,
                }
            )
    return tried


def run(project: Project) -> list[str]:
    started = time.perf_counter()
    project.require("train", "preprocessor")
    train = pd.read_parquet(project.path("train"))
    columns = project.feature_columns(train)
    frame, target = train[columns], train[project.data.target]
    preprocessor = models.load(project.path("preprocessor"))
    metric = project.settings.model.metric

    tried = search(preprocessor, frame, target, project)
    results = {name: best(tries, lambda entry: entry["mean"], metric) for name, tries in tried.items()}
    chosen = best_candidate(results, metric)
    setting = results[chosen]["setting"]
    model = fit_behind(preprocessor, tuned(chosen, setting, project), frame, target)

    report = Report(project.report_dir("train"), "Train", project.settings.project.language)
    write_report(report, tried, results, chosen, model, frame, target, project)
    card = model_card(model, chosen, tried, results, train, columns, project)
    # The card is the model file's record: models.save writes it beside the model with the file's SHA-256.
    models.save(model, project.path("model"), {**card, **training_costs(started)})
    return [
        f"chose {chosen} ({setting_text(setting)}): cross-validated {metric} {results[chosen]['mean']:.3f} "
        f"(baseline {results[BASELINE]['mean']:.3f})",
        f"saved: {project.path('model').relative_to(project.root)}",
        f"report: {report.write().relative_to(project.root)}",
    ]


def best(items: Sequence[Item], score: Callable[[Item], float], metric: str) -> Item:
    """The item whose score is best for the metric; of equal ones, the first."""
    chosen = items[0]
    for item in items[1:]:
        if metrics.better(metric, score(item), score(chosen)):
            chosen = item
    return chosen


def best_candidate(results: dict[str, dict[str, Any]], metric: str) -> str:
    """The candidate with the best mean score; never the baseline, which only sets the bar to clear."""
    return best([name for name in results if name != BASELINE], lambda name: results[name]["mean"], metric)


def training_costs(started: float) -> dict[str, Any]:
    """When the model was trained, and the time and memory it took: the figures a benchmark watches."""
    return {
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "training_seconds": round(time.perf_counter() - started, 3),
        "peak_memory_mb": peak_memory_mb(),
    }


def peak_memory_mb() -> float | None:
    """The most memory this process has held so far, in MB; None where the system does not say."""
    if sys.platform == "win32":  # Windows has no resource module, so no peak memory is recorded there
        return None
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    bytes_held = peak if sys.platform == "darwin" else peak * 1024  # macOS counts bytes, Linux kilobytes
    return round(bytes_held / 2**20, 1)


def fingerprint(frame: pd.DataFrame) -> str:
    """A hash of the training rows' contents: the same data gives the same fingerprint."""
    return hashlib.sha256(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()).hexdigest()


def value_types(values: pd.Series) -> list[str]:
    """Which JSON types the column's values take: number, text or flag (true/false).

    Serving takes these and no other, so true is not read as 1 and a number not as a category,
    unless the training data really held them. A value of any other type is sent as text.
    """
    if pd.api.types.is_bool_dtype(values):
        return ["flag"]
    if pd.api.types.is_numeric_dtype(values):
        return ["number"]
    # Types, not values: True and 1 are equal, so unique values would lose one of them.
    return sorted({json_type(kind) for kind in values.dropna().map(type).unique()}) or ["text"]


def json_type(kind: type) -> str:
    """A Python type as JSON carries its values; bool first, since True is also the number 1."""
    if issubclass(kind, (bool, np.bool_)):
        return "flag"
    return "number" if issubclass(kind, numbers.Number) else "text"


def model_card(
    model: Pipeline,
    chosen: str,
    tried: dict[str, list[dict[str, Any]]],
    results: dict[str, dict[str, Any]],
    train: pd.DataFrame,
    columns: list[str],
    project: Project,
) -> dict[str, Any]:
    """What it takes to reproduce, audit and serve the model, saved beside it."""
    estimator = model.named_steps["model"]
    metric = project.settings.model.metric
    kinds = column_kinds(train[columns], project)
    ranges = project.data.expected_ranges
    schema = {}
    for kind, names in kinds.items():
        for column in names:
            entry: dict[str, Any] = {"kind": kind, "dtype": str(train[column].dtype)}
            entry["value_types"] = value_types(train[column])
            known = train[column].dropna().astype(str).unique()
            if kind in ("categories", "ordered") and len(known) <= MAX_KNOWN_CATEGORIES:
                entry["known_values"] = sorted(known.tolist())
            if kind == "numbers" and column in ranges:
                entry["expected_range"] = ranges[column]
            schema[column] = entry
    return {
        "algorithm": chosen,
        "estimator": type(estimator).__name__,
        "hyper_parameters": {key: repr(value) for key, value in sorted(estimator.get_params().items())},
        "metric": metric,
        "threshold": project.settings.model.threshold,
        # Each candidate's best setting, with its score on every fold.
        "cross_validation": {
            name: {key: result[key] for key in ("mean", "std", "folds")} for name, result in results.items()
        },
        "hyper_parameter_search": {
            name: {
                "tried": [{key: entry[key] for key in ("setting", "mean", "std")} for entry in tries],
                "best": results[name]["setting"],
            }
            for name, tries in tried.items()
        },
        "problem_type": project.problem_type,
        "target": project.data.target,
        "positive_label": project.data.positive_label,
        "classes": [str(label) for label in getattr(estimator, "classes_", [])],
        "id_columns": project.data.id_columns,
        "schema": schema,
        "unseen_categories": project.settings.preprocess.unseen_categories,
        "training_rows": len(train),
        "training_data_fingerprint": fingerprint(train),
        "seed": project.settings.split.seed,
        "libraries": {
            "python": platform.python_version(),
            **{name: version(name) for name in ("scikit-learn", "pandas", "numpy", "skops")},
        },
    }


def contributions(model: Any, rows: pd.DataFrame, truth: pd.Series, project: Project) -> pd.DataFrame:
    """How much worse the primary metric gets when one column's values are shuffled (permutation
    importance), per column, with its spread over the repeats: above zero, the column helps."""
    metric, positive = project.settings.model.metric, project.data.positive_label

    def scorer(estimator: Any, rows: pd.DataFrame, truth: pd.Series) -> float:
        value = metrics.score(metric, truth, *metrics.predict(estimator, rows, positive), **project.scoring)
        return value if metrics.METRICS[metric].higher_is_better else -value

    importance = permutation_importance(
        model,
        rows,
        truth,
        scoring=scorer,
        n_repeats=PERMUTATION_REPEATS,
        random_state=project.settings.split.seed,
    )
    return pd.DataFrame(
        {"contribution": importance.importances_mean, "std": importance.importances_std}, index=rows.columns
    )


def write_report(
    report: Report,
    tried: dict[str, list[dict[str, Any]]],
    results: dict[str, dict[str, Any]],
    chosen: str,
    model: Pipeline,
    frame: pd.DataFrame,
    target: pd.Series,
    project: Project,
) -> None:
    say = report.say
    metric = project.settings.model.metric
    report.heading(say("Candidates", "候補モデル"))
    report.paragraph(
        say(
            f"Each candidate was cross-validated ({project.settings.model.cv_folds} folds) at every "
            "setting of its search; the best candidate at its best setting became the model.",
            f"各候補を探索のすべての設定で交差検証（{project.settings.model.cv_folds} 分割）し、"
            "最も良い候補を最も良い設定で採用しました。",
        )
    )
    report.table(
        [say("model", "モデル"), say("setting", "設定"), f"{metric} (mean)", "std", say("chosen", "採用")],
        [
            [
                name,
                setting_text(entry["setting"]),
                entry["mean"],
                entry["std"],
                "✔" if name == chosen and entry is results[name] else "",
            ]
            for name, tries in tried.items()
            for entry in tries
        ],
    )
    report.heading(say("Feature importance", "特徴量の重要度"))
    report.paragraph(
        say(
            f"How much {metric} worsens on training rows when one column's values are shuffled (permutation importance).",
            f"ある列の値をシャッフルしたとき、学習データで {metric} がどれだけ悪化するか（Permutation Importance）。",
        )
    )
    sample = frame.sample(min(len(frame), IMPORTANCE_ROWS), random_state=project.settings.split.seed)
    ranked = contributions(model, sample, target.loc[sample.index], project)["contribution"].sort_values()
    figure, axis = plt.subplots(figsize=(7, max(2.5, 0.35 * len(ranked))))
    ranked.plot.barh(ax=axis, color="#55A868")
    axis.set_xlabel(say(f"worsening of {metric}", f"{metric} の悪化"))
    report.figure("feature_importance", figure, say("Feature importance", "特徴量の重要度"))
