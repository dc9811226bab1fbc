"""The Prepare stage's report: what cleansing did and how the rows were split.

The stage cleanses and splits; this only shows what it did, in the project's language.
"""

from __future__ import annotations

from pathlib import Path

from ..core.pipeline import Project
from .report import Report


def write_report(
    project: Project, steps: list[str], train_rows: int, holdout_rows: int, request: Path | None
) -> Path:
    """`reports/prepare/report.md`: each cleansing step, the split and, when one was drafted, a link to
    the data request (`request`, a file beside the report)."""
    say = project.messages(__file__)
    report = Report(project.report_dir("prepare"), say("cleansing.title"), say.language)
    report.heading(say("cleansing.report.cleansing"))
    report.bullets(steps or [say("cleansing.report.nothing")])
    report.heading(say("cleansing.report.split"))
    report.table(
        [say("cleansing.table.part"), say("cleansing.table.rows")],
        [[say("cleansing.part.train"), train_rows], [say("cleansing.part.holdout"), holdout_rows]],
    )
    if request is not None:
        report.paragraph(say("cleansing.report.request", file=request.name))
    return report.write()
