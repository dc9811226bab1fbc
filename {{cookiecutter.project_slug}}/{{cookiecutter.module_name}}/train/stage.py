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
from importlib import import_module
from importlib.metadata import version
from tempfile import TemporaryDirectory
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from joblib import parallel_config
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold, learning_curve, train_test_split
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from ..kit.core import metrics, models, spark, threads
from ..kit.core.pipeline import Project
from ..kit.core.records import ColumnSchema, CrossValidation, ModelCard, Search, Trial
from ..kit.reports.report import setting_text
from ..kit.reports.training import write_report
from ..modelling import (
    BASELINE,
    DISTRIBUTED,
    DenseFeatures,
    DistributedTrees,
    candidates,
    contributions,
    fit_behind,
    score_sign,
    scorer,
    search_grid,
    tuned,
    xgboost_settings,
)
from ..preprocess.stage import column_kinds

IMPORTANCE_ROWS = 2000
MAX_KNOWN_CATEGORIES = 1000
# The search cross-validates on at most this many training rows, drawn with the seed, so that its
# time stops growing with the data; the chosen candidate is then trained on all training rows.
SEARCH_ROWS = 50_000
# A search on fewer rows runs in this process: each worker process spends about 2 s importing the
# libraries before its first fit, more than sharing so small a search between the cores saves.
PARALLEL_SEARCH_ROWS = 20_000
# Parts of the searched rows the chosen candidate is cross-validated on when it learns from a sample of
# the training rows (engine: spark): a metric still rising at the whole says more rows may help.
SAMPLE_PARTS = (0.25, 0.5, 1.0)

Item = TypeVar("Item")


def search(
    preprocessor: Any, frame: pd.DataFrame, target: pd.Series, project: Project
) -> dict[str, list[dict[str, Any]]]:
    """Cross-validate every candidate at every setting of its search space, in candidates() order.

    One scikit-learn GridSearchCV tries them all, the model being a parameter of one pipeline. The
    preprocessor is fitted inside each fold, so no fold sees another, but once per fold: a cache on
    disk hands that fold's fitted preprocessor and features to every other fit on its rows. On
    PARALLEL_SEARCH_ROWS rows or more, the fits run in parallel, one process per free core, each with
    one numeric thread; on fewer, one after the other in this process, with a thread per free core.
    """
    settings = project.settings
    folds, seed = settings.model.cv_folds, settings.split.seed
    sign = score_sign(settings.model.metric)
    estimators = candidates(project.problem_type, seed)
    say = project.messages(__file__)
    print(f"  {say('console.search', name=', '.join(estimators), folds=folds)}", flush=True)
    # No more numeric threads than free cores in all: more wait on each other and make the search
    # many times slower on a busy machine.
    free = threads.free_cores()
    workers = free if len(frame) >= PARALLEL_SEARCH_ROWS else 1
    with (
        TemporaryDirectory() as cache,
        parallel_config(backend="loky", inner_max_num_threads=1),
        threadpool_limits(limits=free // workers),
    ):
        grid = GridSearchCV(
            Pipeline([("preprocess", preprocessor), ("model", None)], memory=cache),
            search_grid(estimators),
            scoring=scorer(project),
            cv=splitter(project),
            n_jobs=workers,
            refit=False,
            error_score="raise",
        ).fit(frame, target)
    found = grid.cv_results_
    names = {id(estimator): name for name, estimator in estimators.items()}
    tried: dict[str, list[dict[str, Any]]] = {name: [] for name in estimators}
    for index, parameters in enumerate(found["params"]):
        scores = [sign * float(found[f"split{fold}_test_score"][index]) for fold in range(folds)]
        tried[names[id(parameters["model"])]].append(
            {
                "setting": {
                    key.removeprefix("model__"): value for key, value in parameters.items() if key != "model"
                },
                "mean": float(np.mean(scores)),
                "std": float(np.std(scores)),
                "folds": scores,
            }
        )
    return tried


def splitter(project: Project) -> StratifiedKFold | KFold:
    """The folds of cross-validation, shuffled with the seed; per class for classification."""
    folds, seed = project.settings.model.cv_folds, project.settings.split.seed
    if project.problem_type == "classification":
        return StratifiedKFold(folds, shuffle=True, random_state=seed)
    return KFold(folds, shuffle=True, random_state=seed)


def sample_effect(
    estimator: Any, frame: pd.DataFrame, target: pd.Series, project: Project
) -> dict[int, float]:
    """The chosen candidate's cross-validated metric, by the rows it learned from, on growing parts of
    the rows searched."""
    with threadpool_limits(limits=threads.free_cores()):
        sizes, _, scores = learning_curve(
            clone(estimator),
            frame,
            target,
            train_sizes=SAMPLE_PARTS,
            cv=splitter(project),
            scoring=scorer(project),
            error_score="raise",
        )
    sign = score_sign(project.settings.model.metric)
    return {int(size): sign * float(np.mean(row)) for size, row in zip(sizes, scores, strict=True)}


def search_rows(frame: pd.DataFrame, target: pd.Series, project: Project) -> tuple[pd.DataFrame, pd.Series]:
    """At most SEARCH_ROWS of the training rows, drawn with the seed; of classes, in their shares."""
    if len(frame) <= SEARCH_ROWS:
        return frame, target
    stratify = target if project.problem_type == "classification" else None
    frame, _, target, _ = train_test_split(
        frame,
        target,
        train_size=SEARCH_ROWS,
        random_state=project.settings.split.seed,
        stratify=stratify,
    )
    return frame, target


def run(project: Project) -> list[str]:
    started = time.perf_counter()
    project.require("train", "preprocessor")
    train = project.training_rows()
    columns = project.feature_columns(train)
    frame, target = train[columns], train[project.data.target]
    preprocessor = models.load(project.path("preprocessor"))
    metric = project.settings.model.metric

    tried = search(preprocessor, *search_rows(frame, target, project), project)
    results = {name: best(tries, lambda entry: entry["mean"], metric) for name, tries in tried.items()}
    searched_rows = min(len(frame), SEARCH_ROWS)
    split_rows = pq.ParquetFile(project.path("train")).metadata.num_rows
    distributed = project.on_spark and project.settings.spark.training == "distributed"
    chosen = DISTRIBUTED if distributed else best_candidate(results, metric)
    setting = results[chosen]["setting"]
    sample = trained_on_spark = None
    if distributed:
        model, trained_on_spark = train_distributed(preprocessor, setting, frame, target, project)
        training_rows = trained_on_spark["rows"]
    else:
        model = fit_behind(preprocessor, tuned(chosen, setting, project), frame, target)
        training_rows = len(frame)
        if split_rows > training_rows:  # a sample of the training split (spark.sample_rows)
            sample = (split_rows, sample_effect(model, *search_rows(frame, target, project), project))

    importance = feature_importance(model, frame, target, project)
    # On Spark, the report also names the candidate the search preferred, should it not be the one trained.
    on_spark = {**trained_on_spark, "winner": best_candidate(results, metric)} if trained_on_spark else None
    report = write_report(
        project, tried, results, chosen, importance, searched_rows, training_rows, sample, on_spark
    )
    card = model_card(model, chosen, tried, results, train, columns, project, started, training_rows)
    # The card is the model file's record: models.save writes it beside the model with the file's SHA-256.
    models.save(model, project.path("model"), card.content())
    say = project.messages(__file__)
    lines = [
        say(
            "console.chose",
            model=chosen,
            setting=setting_text(setting),
            metric=metric,
            score=results[chosen]["mean"],
            baseline=results[BASELINE]["mean"],
        )
    ]
    if trained_on_spark:
        lines.append(say("console.distributed", **trained_on_spark))
    return [
        *lines,
        say("console.saved", path=project.path("model").relative_to(project.root)),
        say("console.report", path=report.relative_to(project.root)),
    ]


def train_distributed(
    preprocessor: Any, setting: dict[str, Any], frame: pd.DataFrame, target: pd.Series, project: Project
) -> tuple[Pipeline, dict[str, int]]:
    """The DISTRIBUTED candidate at `setting`, trained by XGBoost on Spark on every training row
    (spark.training: distributed), as one pipeline with the preprocessor that loads without Spark; and
    the rows it learned from, the workers that trained it and the rounds it kept.

    The preprocessor was fitted on the sample; the step that makes its features dense is fitted on the
    sample too, so that every Spark worker turns its rows into the same features.
    """
    dense = DenseFeatures(random_state=project.settings.split.seed).fit(preprocessor.transform(frame))
    features = Pipeline([("preprocess", preprocessor), ("dense", dense)])
    classes = np.unique(target).tolist() if project.problem_type == "classification" else None
    settings = xgboost_settings(setting, project)
    trained = spark.train_trees(project, features.transform, classes, settings)
    trees = DistributedTrees(settings, classification=classes is not None).trained(trained.booster, classes)
    boosted = Pipeline([("dense", dense), ("trees", trees)])
    facts = {"rows": trained.rows, "workers": trained.workers, "rounds": trees.rounds_}
    return Pipeline([("preprocess", preprocessor), ("model", boosted)]), facts


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
    started: float,
    training_rows: int,
) -> ModelCard:
    """What it takes to reproduce, audit and serve the model, saved beside it; last, what training took
    since `started`. `training_rows`: the rows the model learned from, all of the split's when trained
    on Spark; `train` is the rows this process holds."""
    estimator = model.named_steps["model"]
    # Gradient boosting is a pipeline that makes its features dense first; the card names the trees.
    final = estimator[-1] if isinstance(estimator, Pipeline) else estimator
    metric = project.settings.model.metric
    kinds = column_kinds(train[columns], project)
    ranges = project.data.expected_ranges
    schema: dict[str, ColumnSchema] = {}
    for kind, names in kinds.items():
        for column in names:
            entry: dict[str, Any] = {"kind": kind, "dtype": str(train[column].dtype)}
            entry["value_types"] = value_types(train[column])
            known = train[column].dropna().astype(str).unique()
            if kind in ("categories", "ordered") and len(known) <= MAX_KNOWN_CATEGORIES:
                entry["known_values"] = sorted(known.tolist())
            if kind == "numbers" and column in ranges:
                entry["expected_range"] = ranges[column]
            # Built as the file holds it: a key that does not apply is left out, not written as null.
            schema[column] = ColumnSchema.model_validate(entry)
    return ModelCard(
        algorithm=chosen,
        estimator=type(final).__name__,
        hyper_parameters={key: repr(value) for key, value in sorted(estimator.get_params().items())},
        metric=metric,
        threshold=project.settings.model.threshold,
        # Each candidate's best setting, with its score on every fold.
        cross_validation={
            name: CrossValidation(mean=result["mean"], std=result["std"], folds=result["folds"])
            for name, result in results.items()
        },
        hyper_parameter_search={
            name: Search(
                tried=[
                    Trial(setting=entry["setting"], mean=entry["mean"], std=entry["std"]) for entry in tries
                ],
                best=results[name]["setting"],
            )
            for name, tries in tried.items()
        },
        problem_type=project.problem_type,
        target=project.data.target,
        positive_label=project.data.positive_label,
        classes=[str(label) for label in getattr(final, "classes_", [])],
        id_columns=project.data.id_columns,
        schema=schema,
        unseen_categories=project.settings.preprocess.unseen_categories,
        training_rows=training_rows,
        training_data_fingerprint=fingerprint(train),
        seed=project.settings.split.seed,
        libraries={
            "python": platform.python_version(),
            **{name: version(name) for name in ("scikit-learn", "pandas", "numpy", "skops")},
            **({"xgboost": xgboost_version()} if isinstance(final, DistributedTrees) else {}),
        },
        **training_costs(started),
    )


def xgboost_version() -> str:
    """The release of XGBoost that trained the model, whichever of its packages installed it."""
    return str(import_module("xgboost").__version__)


def feature_importance(
    model: Pipeline, frame: pd.DataFrame, target: pd.Series, project: Project
) -> pd.Series:
    """How much the metric worsens when each column is shuffled, on at most IMPORTANCE_ROWS training rows
    drawn with the seed, smallest first."""
    sample = frame.sample(min(len(frame), IMPORTANCE_ROWS), random_state=project.settings.split.seed)
    return contributions(model, sample, target.loc[sample.index], project)["contribution"].sort_values()
