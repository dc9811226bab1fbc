"""Train: choose and train a model for the purpose set in Business Understanding.

A baseline that ignores the features and two candidate models are cross-validated on the
primary metric; the best candidate is trained on all training rows and saved with what it takes
to reproduce and audit it: its hyper-parameters, a fingerprint of its data, library versions.
"""

from __future__ import annotations

import hashlib
import platform
from importlib.metadata import version
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.pipeline import Pipeline

from .. import metrics, models
from ..files import write_json
from ..pipeline import Project
from ..preprocess.stage import column_kinds
from ..reports import Report, plt

BASELINE = "baseline"
IMPORTANCE_ROWS = 2000
MAX_KNOWN_CATEGORIES = 1000


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


def cross_validate(
    estimator: Any, preprocessor: Any, frame: pd.DataFrame, target: pd.Series, project: Project
) -> list[float]:
    """Score on each fold, with the preprocessor refitted inside the fold so no fold sees another."""
    settings = project.settings
    folds, seed = settings["model"]["cv_folds"], settings["split"]["seed"]
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
            pipeline, frame.iloc[check_rows], project.data["positive_label"]
        )
        scores.append(
            metrics.score(
                settings["model"]["metric"],
                target.iloc[check_rows],
                predictions,
                probabilities,
                project.data["positive_label"],
            )
        )
    return scores


def run(project: Project) -> list[str]:
    project.require("train", "preprocessor")
    train = pd.read_parquet(project.path("train"))
    columns = project.feature_columns(train)
    frame, target = train[columns], train[project.data["target"]]
    preprocessor = models.load(project.path("preprocessor"))
    metric, seed = project.settings["model"]["metric"], project.settings["split"]["seed"]

    results = {}
    for name, estimator in candidates(project.problem_type, seed).items():
        print(f"  cross-validating {name} ({project.settings['model']['cv_folds']} folds) …", flush=True)
        scores = cross_validate(estimator, preprocessor, frame, target, project)
        results[name] = {"mean": float(np.mean(scores)), "std": float(np.std(scores)), "folds": scores}
    chosen = best_candidate(results, metric)

    estimator = clone(candidates(project.problem_type, seed)[chosen]).fit(
        preprocessor.transform(frame), target
    )
    model = Pipeline([("preprocess", preprocessor), ("model", estimator)])
    models.save(model, project.path("model"))
    card = model_card(model, chosen, results, train, columns, project)
    write_json(project.path("model_card"), card)

    report = Report(project.report_dir("train"), "Train", project.settings["project"]["language"])
    write_report(report, results, chosen, model, frame, target, project)
    return [
        f"chose {chosen}: cross-validated {metric} {results[chosen]['mean']:.3f} "
        f"(baseline {results[BASELINE]['mean']:.3f})",
        f"saved: {project.path('model').relative_to(project.root)}",
        f"report: {report.write().relative_to(project.root)}",
    ]


def best_candidate(results: dict[str, dict[str, Any]], metric: str) -> str:
    best = None
    for name, result in results.items():
        if name != BASELINE and (
            best is None or metrics.better(metric, result["mean"], results[best]["mean"])
        ):
            best = name
    return best


def fingerprint(frame: pd.DataFrame) -> str:
    """A hash of the training rows' contents: the same data gives the same fingerprint."""
    return hashlib.sha256(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()).hexdigest()


def model_card(
    model: Pipeline,
    chosen: str,
    results: dict[str, Any],
    train: pd.DataFrame,
    columns: list[str],
    project: Project,
) -> dict[str, Any]:
    """What it takes to reproduce, audit and serve the model, saved beside it."""
    estimator = model.named_steps["model"]
    kinds = column_kinds(train[columns], project)
    schema = {}
    for kind, names in kinds.items():
        for column in names:
            entry = {"kind": kind, "dtype": str(train[column].dtype)}
            known = train[column].dropna().astype(str).unique()
            if kind in ("categories", "ordered") and len(known) <= MAX_KNOWN_CATEGORIES:
                entry["known_values"] = sorted(known.tolist())
            schema[column] = entry
    return {
        "algorithm": chosen,
        "estimator": type(estimator).__name__,
        "hyper_parameters": {key: repr(value) for key, value in sorted(estimator.get_params().items())},
        "metric": project.settings["model"]["metric"],
        "threshold": project.settings["model"]["threshold"],
        "cross_validation": results,
        "problem_type": project.problem_type,
        "target": project.data["target"],
        "positive_label": project.data["positive_label"],
        "classes": [str(label) for label in getattr(estimator, "classes_", [])],
        "id_columns": project.data["id_columns"],
        "schema": schema,
        "training_rows": len(train),
        "training_data_fingerprint": fingerprint(train),
        "seed": project.settings["split"]["seed"],
        "libraries": {
            "python": platform.python_version(),
            **{name: version(name) for name in ("scikit-learn", "pandas", "numpy", "skops")},
        },
    }


def write_report(
    report: Report,
    results: dict[str, Any],
    chosen: str,
    model: Pipeline,
    frame: pd.DataFrame,
    target: pd.Series,
    project: Project,
) -> None:
    say = report.say
    metric = project.settings["model"]["metric"]
    report.heading(say("Candidates", "候補モデル"))
    report.table(
        [say("model", "モデル"), f"{metric} (mean)", "std", say("chosen", "採用")],
        [[name, r["mean"], r["std"], "✔" if name == chosen else ""] for name, r in results.items()],
    )
    report.heading(say("Feature importance", "特徴量の重要度"))
    report.paragraph(
        say(
            "How much the cross-validated metric drops when one column's values are shuffled (permutation importance).",
            "ある列の値をシャッフルしたとき、評価指標がどれだけ下がるか（Permutation Importance）。",
        )
    )
    sample = frame.sample(min(len(frame), IMPORTANCE_ROWS), random_state=project.settings["split"]["seed"])
    positive = project.data["positive_label"]

    def scorer(estimator: Any, rows: pd.DataFrame, truth: pd.Series) -> float:
        value = metrics.score(metric, truth, *metrics.predict(estimator, rows, positive), positive)
        return value if metrics.METRICS[metric].higher_is_better else -value

    importance = permutation_importance(
        model,
        sample,
        target.loc[sample.index],
        scoring=scorer,
        n_repeats=3,
        random_state=project.settings["split"]["seed"],
    )
    ranked = pd.Series(importance.importances_mean, index=frame.columns).sort_values()
    figure, axis = plt.subplots(figsize=(7, max(2.5, 0.35 * len(ranked))))
    ranked.plot.barh(ax=axis, color="#55A868")
    axis.set_xlabel(say(f"drop in {metric}", f"{metric} の低下"))
    report.figure("feature_importance", figure, say("Feature importance", "特徴量の重要度"))
