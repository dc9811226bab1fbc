"""Test: does the model create the value defined in Business Understanding?

Model level: holdout metrics against the requirement and the baseline, overall and per segment;
against the simpler candidates; as the data moves on in time (a model trained on older rows,
scored on newer ones); and what each feature column contributes.
{%- if cookiecutter.serving == "fastapi" %}
Service level: the prediction service, run on loopback, must answer the holdout rows exactly like
the offline predictions; its latency and throughput are reported.
{%- else %}
Service level: the latency and throughput of predictions made in-process (the project has no
prediction service).
{%- endif %}
System level: the checks with users (A/B test, usability) stay a checklist for the Product
Manager{% if cookiecutter.demo == "streamlit" %}, run with the demo app{% endif %}.
"""

from __future__ import annotations
{% if cookiecutter.serving == "none" %}
import time
{%- endif %}
from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from ..kit.core import metrics, models
from ..kit.core.config import METRICS, meets, requirement_text
from ..kit.core.data import time_order
from ..kit.core.pipeline import Project
from ..kit.core.records import Evaluation, ModelCard
from ..kit.operations.predict import answers, refused_rows, unseen_counts
from ..kit.operations.releases import model_version
from ..kit.process.value import outlook
from ..kit.reports.holdout import SERVICE_LEVEL, Method, fill_model_card, requirement_verdict, write_report
from ..modelling import (
    BASELINE,
    PERMUTATION_REPEATS,
    candidates,
    contributions,
    fit_behind,
    tuned,
)
from ..preprocess.stage import build
{%- if cookiecutter.serving == "fastapi" %}
from . import service
{%- else %}

SINGLE_ROW_PREDICTIONS = 200
{%- endif %}

# Slices with fewer holdout rows, and feature contributions on a smaller holdout, are reported but
# not judged: on fewer rows a handful of them moves the metric by more than the allowed gap (F1 on
# 100 rows varies by about ±0.04 from chance alone).
MIN_JUDGED_ROWS = 100
# The newer half of the rows in time order is scored in this many periods of equal rows.
STALENESS_PERIODS = 4
# The staleness model learns from at most this many of the older half's rows, the newest: enough to
# show how quality fades, without training a second model on half of a large table.
STALENESS_TRAINING_ROWS = 100_000
# Feature contributions are measured on at most this many holdout rows, drawn with the seed: every
# shuffle of every column predicts them all again, and more rows move the contributions no further.
CONTRIBUTION_ROWS = 10_000
# How the report says the results were measured.
METHOD = Method(
    min_judged_rows=MIN_JUDGED_ROWS,
    staleness_training_rows=STALENESS_TRAINING_ROWS,
    staleness_periods=STALENESS_PERIODS,
    contribution_rows=CONTRIBUTION_ROWS,
    permutation_repeats=PERMUTATION_REPEATS,
{%- if cookiecutter.serving == "fastapi" %}
    service_rows=service.SERVICE_ROWS,
    rows_per_batch=service.ROWS_PER_BATCH,
{%- endif %}
)


def run(project: Project) -> list[str]:
    project.require("model", "model_card", "holdout", "train")
    card = project.read(ModelCard, "model_card")
    model = models.load(project.path("model"))
    holdout = pd.read_parquet(project.path("holdout"))
    train = pd.read_parquet(project.path("train"))
    target = project.data.target
    model_settings = project.settings.model
    metric = model_settings.metric

    # The holdout is the Test stage's own: a category only it holds is counted, never a reason to refuse it.
    predictions, scores = answers(holdout, model, card, refuse_unseen=False)
    servable = ~refused_rows(holdout, card).to_numpy()
    truth, columns = holdout[target], list(card.columns)
    overall = metrics.all_scores(project.problem_type, truth, predictions, scores, **project.scoring)
    baseline = baseline_scores(train, holdout, project)
    slices = slice_scores(holdout, predictions, scores, overall[metric], project)
    by_candidate = candidate_scores(model, card, train, holdout, overall[metric], project)
    value = project.settings.value
    # Regression: a prediction within value.tolerance of the actual value counts as right.
    share_correct = float(
        np.mean(predictions == truth.to_numpy())
        if project.problem_type == "classification"
        else np.mean(np.abs(predictions - truth.to_numpy()) <= value.tolerance)
    )
    cases = outlook(value, share_correct)
    results: dict[str, Any] = {
        "model_version": model_version(project.path("model")),
        "metric": metric,
        "requirement": requirement_text(model_settings),
        "value": {
            "primary": overall[metric],
            "meets_requirement": meets(model_settings, overall[metric]),
            "beats_baseline": metrics.better(metric, overall[metric], baseline[metric]),
            "no_simpler_model_is_better": no_simpler_is_better(by_candidate, card.algorithm, metric),
            "share_correct": share_correct,
            "business_value_per_month": cases["measured"]["value_per_month"],
            "planned_value_per_month": cases["planned"]["value_per_month"],
            "payback_month": cases["measured"]["payback_month"],
        },
        "holdout": overall,
        "baseline": baseline,
        "candidates": by_candidate,
        "slices": slices,
        "feature_contributions": feature_contributions(
            model, *contribution_rows(holdout, columns, project), project
        ),
        "holdout_rows": len(holdout),
{%- if cookiecutter.serving == "fastapi" %}
        "service_level": service.measure(project, holdout[servable], predictions[servable], card),
{%- else %}
        "service_level": in_process(model, holdout[columns]),
{%- endif %}
        "model": card.algorithm,
        "classes": card.classes,
        "unseen_categories": {
            "policy": card.unseen_categories,
            "rows": unseen_counts(holdout, card),
            "refused_by_serving": int((~servable).sum()),
        },
    }
    time_column = project.data.time_column
    if time_column is not None and time_column in train.columns:
        results["staleness"] = staleness(pd.concat([train, holdout], ignore_index=True), card, project)
    # Checked against its record as it is written: a key missing or misspelled here stops Test, not promote.
    Evaluation.model_validate(results).write(project.path("metrics"))
    report = write_report(project, results, holdout, (predictions, scores), columns, METHOD)
    fill_model_card(project, results)
    say = project.messages(__file__)
    verdict = requirement_verdict(project, results["value"]["meets_requirement"])
    level = results["service_level"]
    return [
        say(
            "console.holdout",
            metric=metric,
            score=overall[metric],
            verdict=verdict,
            requirement=results["requirement"],
            baseline=baseline[metric],
        ),
        say(
            "console.value",
            value=results["value"]["business_value_per_month"],
            currency=value.currency,
            planned=results["value"]["planned_value_per_month"],
        ),
{%- if cookiecutter.serving == "fastapi" %}
        say(
            f"console.service.{SERVICE_LEVEL}",
            matching=level["matching_predictions"],
            rows=level["rows"],
            p95=level["p95_ms"],
        ),
{%- else %}
        say(
            f"console.service.{SERVICE_LEVEL}", rows_per_second=level["rows_per_second"], p95=level["p95_ms"]
        ),
{%- endif %}
        say("console.report", path=report.relative_to(project.root)),
    ]


def baseline_scores(train: pd.DataFrame, holdout: pd.DataFrame, project: Project) -> dict[str, float]:
    """The scores of a model that ignores every feature: the bar any real model must clear."""
    target, positive = project.data.target, project.data.positive_label
    baseline = candidates(project.problem_type, project.settings.split.seed)[BASELINE]
    baseline.fit(train[[target]], train[target])
    predictions, scores = metrics.predict(baseline, holdout[[target]], positive)
    return metrics.all_scores(project.problem_type, holdout[target], predictions, scores, **project.scoring)


def part_score(truth: pd.Series, predictions: Any, scores: Any, project: Project) -> float | None:
    """The primary metric on some of the rows; None when they are too few or hold one class only."""
    enough = len(truth) >= 2 and (project.problem_type == "regression" or truth.nunique() > 1)
    if not enough:
        return None
    return metrics.score(project.settings.model.metric, truth, predictions, scores, **project.scoring)


def slice_scores(
    holdout: pd.DataFrame, predictions: np.ndarray, scores: Any, overall: float, project: Project
) -> dict[str, Any]:
    """The primary metric for each value of the segment column, judged against the requirement and
    against the overall metric when the slice has enough rows to judge."""
    segment, target = project.data.segment_column, project.data.target
    if segment is None or segment not in holdout.columns:
        return {}
    model_settings = project.settings.model
    metric = model_settings.metric
    results = {}
    for value, rows in holdout.groupby(segment, dropna=False).groups.items():
        where = holdout.index.get_indexer(rows)
        part_scores = scores[where] if scores is not None else None
        value_score = part_score(holdout[target].iloc[where], predictions[where], part_scores, project)
        # Scored but not judged when the slice has too few rows to say anything about it.
        judged_score = value_score if len(where) >= MIN_JUDGED_ROWS else None
        gap = shortfall(judged_score, overall, metric) if judged_score is not None else None
        results[str(value)] = {
            "rows": len(where),
            metric: value_score,
            "meets_requirement": meets(model_settings, judged_score) if judged_score is not None else None,
            "shortfall": gap,
            "within_allowed_gap": gap <= model_settings.max_slice_gap if gap is not None else None,
        }
    return results


def shortfall(value: float, overall: float, metric: str) -> float | None:
    """How much worse than the overall metric a value is, as a share of it (below zero: better);
    relative, so that it reads the same for errors such as rmse. None when the overall metric is 0."""
    if overall == 0:
        return None
    worse_by = overall - value if METRICS[metric].higher_is_better else value - overall
    return worse_by / abs(overall)


def candidate_scores(
    model: Pipeline,
    card: ModelCard,
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    overall: float,
    project: Project,
) -> dict[str, dict[str, Any]]:
    """Every candidate at its best setting, trained on the training rows and scored on the holdout,
    simplest first; the chosen one is the model itself."""
    columns, target = list(card.columns), project.data.target
    metric, positive = project.settings.model.metric, project.data.positive_label
    preprocessor = model.named_steps["preprocess"]
    scored = {}
    for name in candidates(project.problem_type, project.settings.split.seed):
        if name == BASELINE:
            continue
        setting = card.hyper_parameter_search[name].best
        if name == card.algorithm:
            value = overall
        else:
            fitted = fit_behind(preprocessor, tuned(name, setting, project), train[columns], train[target])
            answered = metrics.predict(fitted, holdout[columns], positive)
            value = metrics.score(metric, holdout[target], *answered, **project.scoring)
        scored[name] = {"setting": setting, metric: value}
    return scored


def no_simpler_is_better(scored: dict[str, dict[str, Any]], chosen: str, metric: str) -> bool:
    """Whether no candidate simpler than the chosen one (before it in candidates() order) scores better."""
    names = list(scored)
    simpler = names[: names.index(chosen)]
    return not any(metrics.better(metric, scored[name][metric], scored[chosen][metric]) for name in simpler)


def feature_contributions(
    model: Pipeline, rows: pd.DataFrame, truth: pd.Series, project: Project
) -> dict[str, dict[str, Any]]:
    """What each feature column adds to the primary metric on these rows, and whether it helps at all."""
    found = contributions(model, rows, truth, project)
    return {
        column: {
            "contribution": float(part["contribution"]),
            "std": float(part["std"]),
            "helps": bool(part["contribution"] > 0),
        }
        for column, part in found.iterrows()
    }


def contribution_rows(
    holdout: pd.DataFrame, columns: list[str], project: Project
) -> tuple[pd.DataFrame, pd.Series]:
    """The holdout rows feature contributions are measured on: at most CONTRIBUTION_ROWS, drawn with the seed."""
    rows = holdout.sample(min(len(holdout), CONTRIBUTION_ROWS), random_state=project.settings.split.seed)
    return rows[columns], rows[project.data.target]


def staleness(rows: pd.DataFrame, card: ModelCard, project: Project) -> dict[str, Any]:
    """The chosen candidate, trained on the older half of the rows in time order (its newest
    STALENESS_TRAINING_ROWS at most), scored on the newer half period by period: how the model's
    quality fades as the data moves on."""
    time_column, target = project.data.time_column, project.data.target
    columns, positive = list(card.columns), project.data.positive_label
    model_settings = project.settings.model
    order = time_order(rows[time_column])
    dated = rows[order.notna()].iloc[np.argsort(order.dropna().to_numpy(), kind="stable")]
    older, newer = consecutive_parts(dated, 2)
    older = older.iloc[-STALENESS_TRAINING_ROWS:]
    chosen, metric = card.algorithm, model_settings.metric
    setting = card.hyper_parameter_search[chosen].best
    preprocessor = build(older[columns], project)
    model = Pipeline([("preprocess", preprocessor), ("model", tuned(chosen, setting, project))])
    model.fit(older[columns], older[target])

    def span(part: pd.DataFrame) -> dict[str, Any]:
        times = part[time_column]
        return {"from": str(times.iloc[0]), "to": str(times.iloc[-1]), "rows": len(part)}

    periods = []
    for period in consecutive_parts(newer, STALENESS_PERIODS):
        predictions, scores = metrics.predict(model, period[columns], positive)
        periods.append({**span(period), metric: part_score(period[target], predictions, scores, project)})
    newest = periods[-1][metric]
    return {
        "trained_on": span(older),
        "periods": periods,
        "newest_meets_requirement": meets(model_settings, newest) if newest is not None else None,
    }


def consecutive_parts(frame: pd.DataFrame, count: int) -> list[pd.DataFrame]:
    """The rows cut into `count` runs of consecutive rows, as equal in size as they can be."""
    return [frame.iloc[positions] for positions in np.array_split(np.arange(len(frame)), count)]
{%- if cookiecutter.serving == "none" %}


def in_process(model: Any, features: pd.DataFrame) -> dict[str, Any]:
    """Throughput in one batch, and latency for single rows as a service would see them."""
    started = time.perf_counter()
    model.predict(features)
    batch_seconds = time.perf_counter() - started
    single_ms = []
    for index in range(min(SINGLE_ROW_PREDICTIONS, len(features))):
        started = time.perf_counter()
        model.predict(features.iloc[[index]])
        single_ms.append(1000 * (time.perf_counter() - started))
    return {
        "rows": len(features),
        "rows_per_second": len(features) / batch_seconds,
        **metrics.latency_percentiles(single_ms),
    }
{%- endif %}
