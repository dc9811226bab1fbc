"""The Preprocess stage's report: how each kind of column becomes features.

The stage builds and fits the preprocessor; this only shows what it does to each column, in the
project's language.
"""

from __future__ import annotations

from pathlib import Path

from ..core.pipeline import Project
from .report import Report


def write_report(
    project: Project,
    rows: int,
    columns: int,
    features: int,
    kinds: dict[str, list[str]],
    analyzers: dict[str, str],
    grouped: dict[str, list[str]],
) -> Path:
    """`reports/preprocess/report.md`: `columns` becoming `features` when fitted on `rows`; the treatment
    of the numbers, categories and ordered columns in `kinds`, of each text column by its analyzer in
    `analyzers`, and the categories too rare to keep apart (`grouped`, by column)."""
    say = project.messages(__file__)
    settings = project.settings.preprocess
    report = Report(project.report_dir("preprocess"), say("preprocessing.title"), say.language)
    report.paragraph(say("preprocessing.report.fitted", rows=rows, columns=columns, features=features))
    table = [
        [
            say(f"preprocessing.kind.{kind}"),
            ", ".join(kinds[kind]) or "-",
            say(f"preprocessing.treatment.{kind}"),
        ]
        for kind in ("numbers", "categories", "ordered")
    ]
    # Each text column on a row of its own: `auto` may treat two of them differently.
    table += [
        [
            say("preprocessing.kind.text"),
            column,
            say(f"preprocessing.treatment.{analyzer}", features=settings.text_max_features),
        ]
        for column, analyzer in analyzers.items()
    ]
    report.table(
        [
            say("preprocessing.table.kind"),
            say("preprocessing.table.columns"),
            say("preprocessing.table.treatment"),
        ],
        table,
    )
    if grouped:
        report.paragraph(say("preprocessing.report.infrequent", rows=settings.min_category_rows))
        report.table(
            [say("preprocessing.table.column"), say("preprocessing.table.grouped")],
            [[column, ", ".join(values)] for column, values in grouped.items()],
        )
    return report.write()
