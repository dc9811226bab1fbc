"""The Analyze stage's report and the statistics block of the data card, written from its diagnosis.

The stage measures the data and decides what it finds; this only shows it, in the project's language.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..core.files import write_text
from ..core.pipeline import Project
from .markdown import replace_block
from .report import Report, markdown_table, plt


def write_report(
    project: Project, frame: pd.DataFrame, diagnosis: dict[str, Any], correlation: pd.DataFrame
) -> Path:
    """`reports/analyze/report.md` and its figures; `correlation` is the matrix of the columns kept."""
    say = project.messages(__file__)
    report = Report(project.report_dir("analyze"), say("analysis.title"), say.language)
    target = diagnosis["target"]
    report.paragraph(
        say(
            "analysis.report.summary",
            path=project.data.path,
            rows=diagnosis["rows"],
            columns=len(frame.columns),
        )
    )
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
    figure, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    if project.problem_type == "classification":
        frame[target].value_counts().sort_index().plot.bar(ax=axes[0], color="#4C72B0")
        axes[0].set_title(say("analysis.figure.rows_per_class"))
        numeric = list(diagnosis["target_correlation"])[:1]
        if numeric:
            frame.boxplot(column=numeric[0], by=target, ax=axes[1])
            axes[1].set_title(say("analysis.figure.by_class", column=numeric[0]))
            figure.suptitle("")
    else:
        frame[target].plot.hist(ax=axes[0], bins=30, color="#4C72B0")
        axes[0].set_title(say("analysis.figure.histogram"))
        frame[[target]].boxplot(ax=axes[1])
        axes[1].set_title(say("analysis.figure.box_plot"))
    report.figure("target", figure, say("analysis.figure.target"))

    report.heading(say("analysis.report.missing"))
    missing = pd.Series({c: v["missing_share"] for c, v in diagnosis["columns"].items()}).sort_values()
    figure, axis = plt.subplots(figsize=(8, max(2.5, 0.3 * len(missing))))
    missing.plot.barh(ax=axis, color="#DD8452")
    axis.axvline(project.settings.analyze.max_missing_share, color="black", linestyle="--")
    axis.set_xlabel(say("analysis.figure.share_missing"))
    report.figure("missing", figure, say("analysis.figure.missing"))

    report.heading(say("analysis.report.correlation"))
    if len(correlation) > 1:
        figure, axis = plt.subplots(figsize=(1 + 0.6 * len(correlation), 0.8 + 0.6 * len(correlation)))
        image = axis.imshow(correlation.to_numpy(), cmap="coolwarm", vmin=-1, vmax=1)
        axis.set_xticks(range(len(correlation)), correlation.columns, rotation=45, ha="right")
        axis.set_yticks(range(len(correlation)), correlation.columns)
        figure.colorbar(image, ax=axis)
        report.figure("correlation", figure, say("analysis.figure.correlation"))
    report.table(
        [say("analysis.table.column"), say("analysis.table.target_correlation")],
        [[column, value] for column, value in diagnosis["target_correlation"].items()],
    )
    return report.write()


def fill_data_card(project: Project, diagnosis: dict[str, Any]) -> None:
    """Write the statistics block of the data card; what people wrote around it stays."""
    card = project.root / "docs" / "data-card.md"
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
