"""The Analyze stage's report and the statistics block of the data card, written from its diagnosis.

The stage measures the data and decides what it finds; this only shows it, in the project's language.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from ..core.files import write_text
from ..core.messages import Messages
from ..core.pipeline import Project
from ..core.tables import Table
from .figures import linear_range, reference_line, spread_out
from .markdown import replace_block
from .report import Report, markdown_table, plt


def write_report(
    project: Project, table: Table, diagnosis: dict[str, Any], correlation: pd.DataFrame
) -> Path:
    """`reports/analyze/report.md` and its figures; `correlation` is the matrix of the columns kept.

    The counts come from every row; the figure of the target beside a related column from the table's
    sample, which holds every row unless the data outgrow one machine.
    """
    say = project.messages(__file__)
    report = Report(project.report_dir("analyze"), say("analysis.title"), say.language)
    target = diagnosis["target"]
    report.paragraph(
        say(
            "analysis.report.summary",
            path=project.data.path,
            rows=diagnosis["rows"],
            columns=len(table.columns),
        )
    )
    if len(table.sample) < table.rows:
        report.paragraph(say("analysis.report.sampled", sample=len(table.sample)))
    if table.approximate:
        report.paragraph(say("analysis.report.approximate"))
    report.heading(say("analysis.report.findings"))
    rows = [
        [
            finding["kind"],
            finding["column"] or "-",
            finding["detail"],
            say("analysis.table.drop") if finding["drop"] else "-",
            say("analysis.table.blocks") if finding["blocking"] else "-",
        ]
        for finding in diagnosis["findings"]
    ]
    header = [
        say("analysis.table.finding"),
        say("analysis.table.column"),
        say("analysis.table.detail"),
        say("analysis.table.prepare"),
        say("analysis.table.blocks_train"),
    ]
    if rows:
        report.table(header, rows)
    else:
        report.paragraph(say("analysis.report.nothing"))

    report.heading(say("analysis.report.target"))
    report.table(
        [say("analysis.table.value"), say("analysis.table.rows")],
        [[k, v] for k, v in diagnosis["target_counts"].items()],
    )
    numeric = [column for column in correlation.columns if column != target]
    related = most_related(table.sample, target, numeric, project.problem_type)
    figure = target_figure(table.sample, target, project.problem_type, related, say)
    report.figure("target", figure, say("analysis.figure.target"))

    report.heading(say("analysis.report.missing"))
    missing = pd.Series({c: v["missing_share"] for c, v in diagnosis["columns"].items()}).sort_values()
    limit = project.settings.analyze.max_missing_share
    report.figure("missing", missing_figure(missing, limit, say), say("analysis.figure.missing"))

    report.heading(say("analysis.report.correlation"))
    if len(numeric) >= 2:
        report.figure("correlation", correlation_figure(correlation, say), say("analysis.figure.correlation"))
    else:
        report.paragraph(say("figures.one_numeric", columns=", ".join(numeric) or "-"))
    report.table(
        [say("analysis.table.column"), say("analysis.table.target_correlation")],
        [[column, value] for column, value in diagnosis["target_correlation"].items()],
    )
    return report.write()


def most_related(frame: pd.DataFrame, target: str, numeric: list[str], problem_type: str) -> str | None:
    """The numeric column that tells most about the target; None without numeric columns.

    Regression: the highest absolute Pearson correlation with the target. Classification: the highest
    correlation ratio (eta squared), the share of a column's variance that lies between the classes'
    means rather than within the classes. Both run from 0 (unrelated) to 1, ignore the column's scale,
    and need no positive class, so one rule serves two classes and many alike.
    """
    scores = {}
    for column in numeric:
        values = frame[[column, target]].dropna()
        numbers = values[column].astype(float)
        if len(values) < 2 or numbers.nunique() < 2:
            continue
        if problem_type == "regression":
            score = abs(numbers.corr(values[target].astype(float)))
        else:
            means = numbers.groupby(values[target]).transform("mean")
            score = ((means - numbers.mean()) ** 2).sum() / ((numbers - numbers.mean()) ** 2).sum()
        if pd.notna(score):
            scores[column] = float(score)
    return max(scores, key=lambda column: scores[column]) if scores else None


def target_figure(
    frame: pd.DataFrame, target: str, problem_type: str, related: str | None, say: Messages
) -> Figure:
    """The target's distribution (rows per class; or a histogram and a box plot of a numeric target)
    and, beside it, how the numeric column most related to the target varies with it: per class as box
    plots, or as a scatter plot against a numeric target. Without numeric columns, the distribution only."""
    panels = (1 if problem_type == "classification" else 2) + (related is not None)
    figure, axes = plt.subplots(1, panels, figsize=(5 * panels, 3.5), squeeze=False)
    left = axes[0][0]
    if problem_type == "classification":
        counts = frame[target].value_counts().sort_index()
        left.bar([str(label) for label in counts.index], counts.to_numpy(), color="#4C72B0")
        left.set_title(say("analysis.figure.rows_per_class"))
        left.set_xlabel(target)
    else:
        numbers = frame[target].dropna().astype(float)
        left.hist(numbers, bins=30, color="#4C72B0")
        left.set_title(say("analysis.figure.histogram"))
        left.set_xlabel(target)
        axes[0][1].boxplot(numbers)
        axes[0][1].set_xticks([1], [target])
        axes[0][1].set_title(say("analysis.figure.box_plot"))
    if related is None:
        return figure
    right, values = axes[0][-1], frame[[related, target]].dropna()
    if problem_type == "classification":
        groups = values.groupby(target)[related]
        right.boxplot([group.astype(float).to_numpy() for _, group in groups], showfliers=True)
        right.set_xticks(range(1, groups.ngroups + 1), [str(label) for label, _ in groups])
        title = say("analysis.figure.by_class", column=related)
        if spread_out(values[related]):
            right.set_yscale("symlog", linthresh=linear_range(values[related]))
            if values[related].min() >= 0:
                right.set_ylim(bottom=0)
            title = say("figures.log_scale", title=title)
        right.set_title(title)
        right.set_xlabel(target)
    else:
        shown = values.sample(min(len(values), 5_000), random_state=0)
        right.scatter(shown[related], shown[target], s=6, alpha=0.5, color="#4C72B0")
        right.set_title(say("figures.against", target=target, column=related))
        right.set_xlabel(related)
        right.set_ylabel(target)
    return figure


def missing_figure(missing: pd.Series, limit: float, say: Messages) -> Figure:
    """Each column's share of missing values, against the share above which Analyze drops a column."""
    figure, axis = plt.subplots(figsize=(8, max(2.5, 0.3 * len(missing))))
    axis.barh([str(column) for column in missing.index], missing.to_numpy(), color="#DD8452")
    label = say("figures.limit", limit=limit, setting="analyze.max_missing_share")
    reference_line(axis, limit, label, vertical=True)
    axis.xaxis.set_major_formatter(PercentFormatter(1.0))
    axis.set_xlabel(say("analysis.figure.share_missing"))
    axis.legend(loc="lower right")
    return figure


def correlation_figure(correlation: pd.DataFrame, say: Messages) -> Figure:
    """The Pearson correlation of every pair of numeric columns (and the target), from -1 to 1."""
    size = len(correlation)
    figure, axis = plt.subplots(figsize=(1.5 + 0.6 * size, 0.8 + 0.6 * size))
    image = axis.imshow(correlation.to_numpy(), cmap="coolwarm", vmin=-1, vmax=1)
    axis.set_xticks(range(size), [str(column) for column in correlation.columns], rotation=45, ha="right")
    axis.set_yticks(range(size), [str(column) for column in correlation.columns])
    figure.colorbar(image, ax=axis)
    axis.set_title(say("analysis.figure.correlation"))
    return figure


def fill_data_card(project: Project, diagnosis: dict[str, Any]) -> None:
    """Write the statistics block of the data card; what people wrote around it stays."""
    card = project.card("analyze")
    if not card.is_file():
        return
    say = project.messages(__file__)
    columns = [
        [name, info["dtype"], f"{info['missing_share']:.1%}", info["unique_values"]]
        for name, info in diagnosis["columns"].items()
    ]
    counts = ", ".join(f"{label}: {count:,}" for label, count in diagnosis["target_counts"].items())
    body = "\n".join(
        [
            "- " + say("analysis.card.rows", rows=diagnosis["rows"], duplicates=diagnosis["duplicate_rows"]),
            "- " + say("analysis.card.target", target=diagnosis["target"], counts=counts),
            "- " + say("analysis.card.drops", columns=", ".join(diagnosis["drop_columns"]) or "-"),
            "",
            markdown_table(
                [
                    say("analysis.card.column"),
                    say("analysis.card.type"),
                    say("analysis.card.missing"),
                    say("analysis.card.unique"),
                ],
                columns,
            ),
        ]
    )
    write_text(card, replace_block(card.read_text(encoding="utf-8"), "statistics", body))
