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
from sklearn.metrics import ConfusionMatrixDisplay, classification_report
from sklearn.pipeline import Pipeline

from ..kit.core import metrics, models
from ..kit.core.config import METRICS, meets, requirement_text
from ..kit.core.data import time_order
from ..kit.core.files import write_text
from ..kit.core.messages import Messages
from ..kit.core.pipeline import Project
from ..kit.core.records import Evaluation, ModelCard
from ..kit.operations.predict import answers, refused_rows, unseen_counts
from ..kit.operations.releases import model_version
from ..kit.process.value import outlook
from ..kit.reports.markdown import replace_block
from ..kit.reports.report import Report, markdown_table, plt
from ..modelling import (
    BASELINE,
    PERMUTATION_REPEATS,
    candidates,
    contributions,
    fit_behind,
    setting_text,
    tuned,
)
from ..preprocess.stage import build
{%- if cookiecutter.serving == "fastapi" %}
from . import service
{%- else %}

SINGLE_ROW_PREDICTIONS = 200
{%- endif %}

# How this project measures the service level. The message files are the same in every project, so they
# hold the sentences of both ways, under `served` (through the prediction service) and `in_process`.
SERVICE_LEVEL = "{{ 'served' if cookiecutter.serving == 'fastapi' else 'in_process' }}"

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
    say = project.messages(__file__)
    report = Report(project.report_dir("test"), say("title"), say.language)
    write_report(report, say, results, holdout, predictions, project)
    # Checked against its record as it is written: a key missing or misspelled here stops Test, not promote.
    Evaluation.model_validate(results).write(project.path("metrics"))
    fill_model_card(project, say, results)
    verdict = say("verdict.meets") if results["value"]["meets_requirement"] else say("verdict.fails")
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
        say("console.report", path=report.write().relative_to(project.root)),
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


{% if cookiecutter.serving == "none" -%}
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


{% endif -%}
def write_report(
    report: Report,
    say: Messages,
    results: dict[str, Any],
    holdout: pd.DataFrame,
    predictions: Any,
    project: Project,
) -> None:
    metric, target = results["metric"], project.data.target
    verdict = results["value"]
    report.heading(say("model_level.heading"))
    report.paragraph(
        say(
            "model_level.summary",
            version=results["model_version"],
            requirement=results["requirement"],
            primary=verdict["primary"],
            rows=results["holdout_rows"],
            outcome=say("model_level.met") if verdict["meets_requirement"] else say("model_level.not_met"),
        )
    )
    report.table(
        [say("table.metric"), say("table.model"), say("table.baseline")],
        [[name, value, results["baseline"][name]] for name, value in results["holdout"].items()],
    )
    if project.problem_type == "classification":
        figure, axis = plt.subplots(figsize=(4.5, 4))
        # Every class the model knows, also one the holdout happens not to hold.
        classes = list(results["classes"])
        if project.data.positive_label is None:
            report.paragraph(
                say(
                    "model_level.no_positive_class",
                    classes=len(classes),
                    average=project.settings.model.average,
                )
            )
        truth = holdout[target].astype(str)
        ConfusionMatrixDisplay.from_predictions(
            truth, pd.Series(predictions).astype(str), labels=classes, ax=axis, colorbar=False
        )
        report.figure("confusion_matrix", figure, say("figure.confusion_matrix"))
        write_per_class(report, say, truth, pd.Series(predictions).astype(str), classes)
    else:
        figure, axis = plt.subplots(figsize=(4.5, 4))
        axis.scatter(holdout[target], predictions, s=10, alpha=0.6)
        low, high = float(holdout[target].min()), float(holdout[target].max())
        axis.plot([low, high], [low, high], color="black", linestyle="--")
        axis.set_xlabel(say("figure.actual"))
        axis.set_ylabel(say("figure.predicted"))
        report.figure("predicted_vs_actual", figure, say("figure.predicted_vs_actual"))
    write_candidates(report, say, results)
    write_unseen(report, say, results["unseen_categories"])
    segment = project.data.segment_column
    if results["slices"] and segment is not None:
        report.heading(say("slices.heading", segment=segment))
        report.paragraph(
            say(
                "slices.rule",
                segment=segment,
                gap=project.settings.model.max_slice_gap,
                metric=metric,
                min_rows=MIN_JUDGED_ROWS,
            )
        )
        report.table(
            [
                segment,
                say("table.rows"),
                metric,
                say("table.meets_requirement"),
                say("table.worse_than_overall"),
                say("table.within_gap"),
            ],
            [
                [
                    name,
                    part["rows"],
                    shown(part[metric]),
                    mark(part["meets_requirement"]),
                    f"{part['shortfall']:.1%}" if part["shortfall"] is not None else "-",
                    mark(part["within_allowed_gap"]),
                ]
                for name, part in results["slices"].items()
            ],
        )
        scored = {name: part[metric] for name, part in results["slices"].items() if part[metric] is not None}
        figure, axis = plt.subplots(figsize=(7, 3.5))
        axis.bar(list(scored), list(scored.values()), color="#8172B3")
        axis.axhline(project.settings.model.threshold, color="black", linestyle="--")
        axis.set_ylabel(metric)
        axis.tick_params(axis="x", rotation=30)
        report.figure("metric_per_slice", figure, say("figure.per_slice", metric=metric, segment=segment))
    write_staleness(report, say, results, project)
    write_contributions(report, say, results)
    level = results["service_level"]
    report.heading(say("service_level.heading"))
    report.paragraph(
{%- if cookiecutter.serving == "fastapi" %}
        say(
            f"service_level.measured.{SERVICE_LEVEL}",
            rows=level["rows"],
            holdout=level["holdout_rows"],
            limit=service.SERVICE_ROWS,
            matching=level["matching_predictions"],
            rows_per_second=level["rows_per_second"],
            batch=service.ROWS_PER_BATCH,
        )
{%- else %}
        say(
            f"service_level.measured.{SERVICE_LEVEL}",
            rows=level["rows"],
            rows_per_second=level["rows_per_second"],
        )
{%- endif %}
    )
    report.table(
        [say("table.one_row_per_request"), "p50", "p95", "p99"],
        [[say("table.latency_ms"), level["p50_ms"], level["p95_ms"], level["p99_ms"]]],
    )
    report.heading(say("system_level.heading"))
    report.paragraph(say("system_level.checklist"))
    report.heading(say("value.heading"))
    report.paragraph(
        say(
            "value.measured",
            value=verdict["business_value_per_month"],
            currency=project.settings.value.currency,
            planned=verdict["planned_value_per_month"],
        )
    )


def mark(flag: bool | None) -> str:
    """A yes or no as a table shows it; `-` where nothing was judged."""
    return "-" if flag is None else "✔" if flag else "✘"


def shown(value: float | None) -> float | str:
    return "-" if value is None else value


def write_unseen(report: Report, say: Messages, unseen: dict[str, Any]) -> None:
    """How many holdout rows hold a category training never saw, and what serving does with them."""
    report.heading(say("unseen.heading"))
    if not unseen["rows"]:
        report.paragraph(say("unseen.none"))
        return
    serving = (
        say("unseen.refused", rows=unseen["refused_by_serving"])
        if unseen["policy"] == "refuse"
        else say("unseen.infrequent")
    )
    report.paragraph(say("unseen.scored", serving=serving))
    report.table(
        [say("table.column"), say("table.holdout_rows")],
        [[column, count] for column, count in unseen["rows"].items()],
    )


def write_per_class(
    report: Report, say: Messages, truth: pd.Series, predictions: pd.Series, classes: list[str]
) -> None:
    """Precision, recall and f1 of each class, so that no class hides behind an average."""
    found = classification_report(truth, predictions, labels=classes, output_dict=True, zero_division=0)
    rows = []
    for label in classes:
        part = found[label]
        rows.append([label, part["precision"], part["recall"], part["f1-score"], int(part["support"])])
    report.heading(say("per_class.heading"))
    report.table([say("table.class"), "precision", "recall", "f1", say("table.holdout_rows")], rows)


def write_candidates(report: Report, say: Messages, results: dict[str, Any]) -> None:
    metric = results["metric"]
    fine = results["value"]["no_simpler_model_is_better"]
    report.heading(say("candidates.heading"))
    report.paragraph(
        say(
            "candidates.intro",
            verdict=say("candidates.none_better") if fine else say("candidates.simpler_better"),
        )
    )
    report.table(
        [say("table.candidate"), say("table.setting"), metric, say("table.chosen")],
        [
            [
                name,
                setting_text(part["setting"]),
                part[metric],
                "✔" if name == results["model"] else "",
            ]
            for name, part in results["candidates"].items()
        ],
    )


def write_staleness(report: Report, say: Messages, results: dict[str, Any], project: Project) -> None:
    metric = results["metric"]
    report.heading(say("staleness.heading"))
    if "staleness" not in results:
        report.paragraph(say("staleness.not_measured"))
        return
    stale = results["staleness"]
    trained_on, newest = stale["trained_on"], stale["newest_meets_requirement"]
    verdict = {True: say("verdict.meets"), False: say("verdict.fails"), None: say("verdict.unscored")}[newest]
    report.paragraph(
        say(
            "staleness.measured",
            time_column=project.data.time_column,
            rows=trained_on["rows"],
            limit=STALENESS_TRAINING_ROWS,
            start=trained_on["from"],
            end=trained_on["to"],
            periods=STALENESS_PERIODS,
            verdict=verdict,
            requirement=results["requirement"],
        )
    )
    report.table(
        [say("table.from"), say("table.to"), say("table.rows"), metric],
        [[part["from"], part["to"], part["rows"], shown(part[metric])] for part in stale["periods"]],
    )


def write_contributions(report: Report, say: Messages, results: dict[str, Any]) -> None:
    metric = results["metric"]
    found = results["feature_contributions"]
    idle = [column for column, part in found.items() if not part["helps"]]
    verdict = say("contributions.idle", columns=", ".join(idle)) if idle else say("contributions.all_help")
    report.heading(say("contributions.heading"))
    report.paragraph(
        say(
            "contributions.intro",
            metric=metric,
            rows=min(results["holdout_rows"], CONTRIBUTION_ROWS),
            repeats=PERMUTATION_REPEATS,
            verdict=verdict,
        )
    )
    report.table(
        [say("table.column"), say("table.contribution"), "std", say("table.helps")],
        [
            [column, part["contribution"], part["std"], mark(part["helps"])]
            for column, part in sorted(found.items(), key=lambda item: -item[1]["contribution"])
        ],
    )


def fill_model_card(project: Project, say: Messages, results: dict[str, Any]) -> None:
    """Write the results block of the model card; what people wrote around it stays."""
    card = project.root / "docs" / "model-card.md"
    if not card.is_file():
        return
    verdict = results["value"]
    lines = [
        say(
            "model_card.summary",
            model=results["model"],
            requirement=results["requirement"],
            primary=verdict["primary"],
            outcome=say("model_card.met") if verdict["meets_requirement"] else say("model_card.not_met"),
        ),
        "",
        markdown_table(
            ["metric", "model", "baseline"],
            [[name, value, results["baseline"][name]] for name, value in results["holdout"].items()],
        ),
    ]
    if results["slices"]:
        lines += [
            "",
            markdown_table(
                ["slice", "rows", results["metric"]],
                [
                    [name, part["rows"], shown(part[results["metric"]])]
                    for name, part in results["slices"].items()
                ],
            ),
        ]
    write_text(card, replace_block(card.read_text(encoding="utf-8"), "results", "\n".join(lines)))
