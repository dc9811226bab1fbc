"""The Test stage's report and the results block of the model card, written from its results.

The stage measures and decides; this only shows what it measured, in the project's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from sklearn.metrics import ConfusionMatrixDisplay, classification_report

from ..core.files import write_text
from ..core.messages import Messages
from ..core.pipeline import Project
from ..operations.explain import Labels, class_text
from .figures import REFERENCE_STYLE, reference_line
from .markdown import replace_block
from .report import Report, markdown_table, plt, setting_text

# How this project measures the service level. The message files are the same in every project, so they
# hold the sentences of both ways, under `served` (through the prediction service) and `in_process`.
SERVICE_LEVEL = "{{ 'served' if cookiecutter.serving == 'fastapi' else 'in_process' }}"


@dataclass(frozen=True)
class Method:
    """The Test stage's own choices of how to measure, which its report states beside the results."""

    min_judged_rows: int
    staleness_training_rows: int
    staleness_periods: int
    contribution_rows: int
    permutation_repeats: int
{%- if cookiecutter.serving == "fastapi" %}
    service_rows: int
    rows_per_batch: int
{%- endif %}


def write_report(
    project: Project,
    results: dict[str, Any],
    holdout: pd.DataFrame,
    answered: tuple[Any, Any],
    columns: list[str],
    method: Method,
) -> Path:
    """`reports/test/report.md` and its figures: model, service and system level, and the value.
    `answered` holds the predictions for the holdout rows and their class scores (None for regression),
    `columns` the model's input columns."""
    predictions, scores = answered
    say = project.messages(__file__)
    report = Report(project.report_dir("test"), say("holdout.title"), say.language)
    target, measured = project.data.target, results["value"]
    report.heading(say("holdout.model_level.heading"))
    report.paragraph(
        say(
            "holdout.model_level.summary",
            version=results["model_version"],
            requirement=results["requirement"],
            primary=measured["primary"],
            rows=results["holdout_rows"],
            outcome=say("holdout.model_level.met")
            if measured["meets_requirement"]
            else say("holdout.model_level.not_met"),
        )
    )
    report.table(
        [say("holdout.table.metric"), say("holdout.table.model"), say("holdout.table.baseline")],
        [[name, value, results["baseline"][name]] for name, value in results["holdout"].items()],
    )
    if project.problem_type == "classification":
        # Every class the model knows, also one the holdout happens not to hold.
        classes = list(results["classes"])
        if project.data.positive_label is None:
            report.paragraph(
                say(
                    "holdout.model_level.no_positive_class",
                    classes=len(classes),
                    average=project.settings.model.average,
                )
            )
        truth, predicted = holdout[target].astype(str), pd.Series(predictions).astype(str)
        report.figure(
            "confusion_matrix",
            confusion_figure(truth, predicted, classes, say),
            say("holdout.figure.confusion_matrix"),
        )
        write_per_class(report, say, truth, predicted, classes)
    else:
        report.figure(
            "predicted_vs_actual",
            predicted_figure(holdout[target], predictions, say),
            say("holdout.figure.predicted_vs_actual"),
        )
    write_wrong(report, say, project, holdout, answered, columns)
    write_candidates(report, say, results)
    write_unseen(report, say, results["unseen_categories"])
    write_slices(report, say, results, project, method)
    write_staleness(report, say, results, project, method)
    write_contributions(report, say, results, method)
    level = results["service_level"]
    report.heading(say("holdout.service_level.heading"))
    report.paragraph(
{%- if cookiecutter.serving == "fastapi" %}
        say(
            f"holdout.service_level.measured.{SERVICE_LEVEL}",
            rows=level["rows"],
            holdout=level["holdout_rows"],
            limit=method.service_rows,
            matching=level["matching_predictions"],
            rows_per_second=level["rows_per_second"],
            batch=method.rows_per_batch,
        )
{%- else %}
        say(
            f"holdout.service_level.measured.{SERVICE_LEVEL}",
            rows=level["rows"],
            rows_per_second=level["rows_per_second"],
        )
{%- endif %}
    )
    report.table(
        [say("holdout.table.one_row_per_request"), "p50", "p95", "p99"],
        [[say("holdout.table.latency_ms"), level["p50_ms"], level["p95_ms"], level["p99_ms"]]],
    )
    report.heading(say("holdout.system_level.heading"))
    report.paragraph(say("holdout.system_level.checklist"))
    report.heading(say("holdout.value.heading"))
    report.paragraph(
        say(
            "holdout.value.measured",
            value=measured["business_value_per_month"],
            currency=project.settings.value.currency,
            planned=measured["planned_value_per_month"],
        )
    )
    return report.write()


VERDICTS = {True: "meets", False: "fails", None: "unscored"}
# The wrong predictions the report lists for the Domain Expert.
WRONG_ROWS = 5


def requirement_verdict(project: Project, meets: bool | None) -> str:
    """Whether a score meets the requirement, worded to fit the sentences that say so; None: not scored."""
    say = project.messages(__file__)
    return say(f"holdout.verdict.{VERDICTS[meets]}")


def mark(flag: bool | None) -> str:
    """A yes or no as a table shows it; `-` where nothing was judged."""
    return "-" if flag is None else "✔" if flag else "✘"


def shown(value: float | None) -> float | str:
    return "-" if value is None else value


def write_per_class(
    report: Report, say: Messages, truth: pd.Series, predictions: pd.Series, classes: list[str]
) -> None:
    """Precision, recall and f1 of each class, so that no class hides behind an average."""
    found = classification_report(truth, predictions, labels=classes, output_dict=True, zero_division=0)
    rows = []
    for label in classes:
        part = found[label]
        rows.append([label, part["precision"], part["recall"], part["f1-score"], int(part["support"])])
    report.heading(say("holdout.per_class.heading"))
    report.table(
        [say("holdout.table.class"), "precision", "recall", "f1", say("holdout.table.holdout_rows")], rows
    )


def write_wrong(
    report: Report,
    say: Messages,
    project: Project,
    holdout: pd.DataFrame,
    answered: tuple[Any, Any],
    columns: list[str],
) -> None:
    """The wrong answers the model was surest of (for a number, the furthest off), with their inputs:
    the rows to go through with the Domain Expert, who can tell a wrong label from a wrong model."""
    predictions, scores = answered
    truth = holdout[project.data.target].to_numpy()
    labels = Labels.of(project.data.labels)
    if project.problem_type == "classification":
        wrong = np.array(
            [class_text(one) != class_text(other) for one, other in zip(predictions, truth, strict=True)]
        )
        sureness = confidence(predictions, scores, project.data.positive_label)
        measure = say("holdout.wrong.confidence")
    else:
        sureness = np.abs(np.asarray(predictions, dtype=float) - truth.astype(float))
        wrong = sureness > project.settings.value.tolerance
        measure = say("holdout.wrong.error")
    report.heading(say("holdout.wrong.heading"))
    if not wrong.any():
        report.paragraph(say("holdout.wrong.none"))
        return
    order = [index for index in np.argsort(-sureness, kind="stable") if wrong[index]][:WRONG_ROWS]
    shown = [column for column in project.data.id_columns if column in holdout.columns] + columns
    report.paragraph(say("holdout.wrong.about", count=len(order), wrong=int(wrong.sum())))
    header = [labels.column(column) for column in shown]
    header += [say("holdout.wrong.actual"), say("holdout.wrong.predicted"), measure]
    rows = [
        [
            *map(as_held, holdout.iloc[index][shown]),
            labels.answer(truth[index]),
            labels.answer(predictions[index]),
            sureness[index],
        ]
        for index in order
    ]
    report.table(header, rows)


def as_held(value: Any) -> Any:
    """A value of the data as the file holds it: a whole number read as a float (its column has gaps)
    without decimals, and a missing value as missing."""
    if pd.isna(value):
        return None
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return int(value)
    return value


def confidence(predictions: Any, scores: Any, positive: Any) -> np.ndarray:
    """How sure the model was of each answer: the score of the class it gave; 0 where it gives no scores."""
    if scores is None:
        return np.zeros(len(predictions))
    scores = np.asarray(scores, dtype=float)
    if scores.ndim == 2:
        return scores.max(axis=1)
    given = np.array([class_text(answer) == class_text(positive) for answer in predictions])
    return np.where(given, scores, 1 - scores)


def write_candidates(report: Report, say: Messages, results: dict[str, Any]) -> None:
    metric = results["metric"]
    fine = results["value"]["no_simpler_model_is_better"]
    verdict = say("holdout.candidates.none_better") if fine else say("holdout.candidates.simpler_better")
    report.heading(say("holdout.candidates.heading"))
    report.paragraph(say("holdout.candidates.intro", verdict=verdict))
    report.table(
        [say("holdout.table.candidate"), say("holdout.table.setting"), metric, say("holdout.table.chosen")],
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


def write_unseen(report: Report, say: Messages, unseen: dict[str, Any]) -> None:
    """How many holdout rows hold a category training never saw, and what serving does with them."""
    report.heading(say("holdout.unseen.heading"))
    if not unseen["rows"]:
        report.paragraph(say("holdout.unseen.none"))
        return
    serving = (
        say("holdout.unseen.refused", rows=unseen["refused_by_serving"])
        if unseen["policy"] == "refuse"
        else say("holdout.unseen.infrequent")
    )
    report.paragraph(say("holdout.unseen.scored", serving=serving))
    report.table(
        [say("holdout.table.column"), say("holdout.table.holdout_rows")],
        [[column, count] for column, count in unseen["rows"].items()],
    )


def write_slices(
    report: Report, say: Messages, results: dict[str, Any], project: Project, method: Method
) -> None:
    """The primary metric per value of the segment column, when the data has one."""
    metric, segment = results["metric"], project.data.segment_column
    if not results["slices"] or segment is None:
        return
    report.heading(say("holdout.slices.heading", segment=segment))
    report.paragraph(
        say(
            "holdout.slices.rule",
            segment=segment,
            gap=project.settings.model.max_slice_gap,
            metric=metric,
            min_rows=method.min_judged_rows,
        )
    )
    report.table(
        [
            segment,
            say("holdout.table.rows"),
            metric,
            say("holdout.table.meets_requirement"),
            say("holdout.table.worse_than_overall"),
            say("holdout.table.within_gap"),
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
    report.figure(
        "metric_per_slice",
        slice_figure(results, project.settings.model.threshold, say),
        say("holdout.figure.per_slice", metric=metric, segment=segment),
    )


def confusion_figure(truth: pd.Series, predicted: pd.Series, classes: list[str], say: Messages) -> Figure:
    """How many holdout rows of each class the model gave each class."""
    figure, axis = plt.subplots(figsize=(4.5, 4))
    ConfusionMatrixDisplay.from_predictions(
        truth, predicted, labels=classes, ax=axis, colorbar=False, values_format=",d"
    )
    axis.set_xlabel(say("holdout.figure.predicted"))
    axis.set_ylabel(say("holdout.figure.actual"))
    return figure


def predicted_figure(actual: pd.Series, predicted: Any, say: Messages) -> Figure:
    """Each holdout row's prediction against its actual value; a perfect model lies on the diagonal."""
    figure, axis = plt.subplots(figsize=(4.5, 4))
    axis.scatter(actual, predicted, s=10, alpha=0.6)
    low, high = float(actual.min()), float(actual.max())
    axis.plot([low, high], [low, high], label=say("figures.perfect"), **REFERENCE_STYLE)
    axis.set_xlabel(say("holdout.figure.actual"))
    axis.set_ylabel(say("holdout.figure.predicted"))
    axis.legend(loc="upper left")
    return figure


def slice_figure(results: dict[str, Any], threshold: float, say: Messages) -> Figure:
    """The primary metric per segment against the requirement's line. A segment that misses the
    requirement is coloured apart, and the axis always takes in the bars, the line and zero, so a
    shortfall shows as a gap between bar and line."""
    metric = results["metric"]
    scored = {name: part for name, part in results["slices"].items() if part[metric] is not None}
    figure, axis = plt.subplots(figsize=(7, 3.5))
    verdicts = {
        True: Patch(color="#8172B3", label=say("figures.meets")),
        False: Patch(color="#C44E52", label=say("figures.fails")),
        None: Patch(color="#BBBBBB", label=say("figures.unjudged")),
    }
    judged = [part["meets_requirement"] for part in scored.values()]
    colours = [verdicts[verdict].get_facecolor() for verdict in judged]
    axis.bar([str(name) for name in scored], [part[metric] for part in scored.values()], color=colours)
    handles = [patch for verdict, patch in verdicts.items() if verdict in judged]
    line = reference_line(axis, threshold, say("figures.requirement", requirement=results["requirement"]))
    values = [float(part[metric]) for part in scored.values()] + [threshold, 0.0]
    low, high = min(values), max(values)
    margin = 0.15 * (high - low or 1)
    axis.set_ylim(low - (margin if low < 0 else 0), high + margin)
    axis.set_ylabel(metric)
    axis.tick_params(axis="x", rotation=30)
    axis.legend(handles=[*handles, line], loc="upper left", bbox_to_anchor=(1.01, 1))
    return figure


def write_staleness(
    report: Report, say: Messages, results: dict[str, Any], project: Project, method: Method
) -> None:
    metric = results["metric"]
    report.heading(say("holdout.staleness.heading"))
    if "staleness" not in results:
        report.paragraph(say("holdout.staleness.not_measured"))
        return
    stale = results["staleness"]
    trained_on, newest = stale["trained_on"], stale["newest_meets_requirement"]
    verdict = requirement_verdict(project, newest)
    report.paragraph(
        say(
            "holdout.staleness.measured",
            time_column=project.data.time_column,
            rows=trained_on["rows"],
            limit=method.staleness_training_rows,
            start=trained_on["from"],
            end=trained_on["to"],
            periods=method.staleness_periods,
            verdict=verdict,
            requirement=results["requirement"],
        )
    )
    report.table(
        [say("holdout.table.from"), say("holdout.table.to"), say("holdout.table.rows"), metric],
        [[part["from"], part["to"], part["rows"], shown(part[metric])] for part in stale["periods"]],
    )


def write_contributions(report: Report, say: Messages, results: dict[str, Any], method: Method) -> None:
    metric = results["metric"]
    found = results["feature_contributions"]
    idle = [column for column, part in found.items() if not part["helps"]]
    verdict = (
        say("holdout.contributions.idle", columns=", ".join(idle))
        if idle
        else say("holdout.contributions.all_help")
    )
    report.heading(say("holdout.contributions.heading"))
    report.paragraph(
        say(
            "holdout.contributions.intro",
            metric=metric,
            rows=min(results["holdout_rows"], method.contribution_rows),
            repeats=method.permutation_repeats,
            verdict=verdict,
        )
    )
    report.table(
        [say("holdout.table.column"), say("holdout.table.contribution"), "std", say("holdout.table.helps")],
        [
            [column, part["contribution"], part["std"], mark(part["helps"])]
            for column, part in sorted(found.items(), key=lambda item: -item[1]["contribution"])
        ],
    )


def fill_model_card(project: Project, results: dict[str, Any]) -> None:
    """Write the results block of the model card; what people wrote around it stays."""
    card = project.card("test")
    if not card.is_file():
        return
    say = project.messages(__file__)
    measured = results["value"]
    lines = [
        say(
            "holdout.model_card.summary",
            model=results["model"],
            requirement=results["requirement"],
            primary=measured["primary"],
            outcome=say("holdout.model_card.met")
            if measured["meets_requirement"]
            else say("holdout.model_card.not_met"),
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
