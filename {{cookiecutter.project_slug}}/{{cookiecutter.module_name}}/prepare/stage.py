"""Prepare: fill the gaps the diagnosis found, then split the rows for training and for the Test stage.

Cleansing follows the diagnosis and params.yaml only. When rows or labels are too few, Prepare
drafts a data request in 5W1H form for the Product Manager to send to the Domain Expert.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import pandas as pd
from sklearn.model_selection import train_test_split

from ..kit.core import spark
from ..kit.core.config import requirement_text
from ..kit.core.data import write_table
from ..kit.core.files import remove, write_text
from ..kit.core.pipeline import Project
from ..kit.core.records import Diagnosis, Finding
from ..kit.core.tables import iqr_bounds
from ..kit.reports.cleansing import write_report

DATA_REQUEST = "data-request.md"


class Rows(Protocol):
    """The rows Prepare cleanses, whichever engine holds them; each removal says how many rows it took."""

    def count(self) -> int: ...

    def drop_columns(self, columns: list[str]) -> None: ...

    def drop_duplicates(self) -> int: ...

    def drop_missing(self, column: str) -> int: ...

    def keep_between(self, column: str, factor: float) -> tuple[int, float, float]: ...

    def write(self, project: Project) -> tuple[int, int]: ...


def run(project: Project) -> list[str]:
    diagnosis = project.read(Diagnosis, "diagnosis")
    rows: Rows = spark.SparkRows(spark.read(project)) if project.on_spark else FrameRows(project.read_raw())
    raw_rows = rows.count()
    steps = cleanse(rows, diagnosis, project)
    train_rows, holdout_rows = rows.write(project)

    say = project.messages(__file__)
    request = project.report_dir("prepare") / DATA_REQUEST
    shortfalls = [f for f in diagnosis.findings if f.kind in ("too_few_rows", "unlabelled_rows")]
    if shortfalls:
        write_text(request, data_request(shortfalls, project))
    else:
        remove(request)

    report = write_report(project, steps, train_rows, holdout_rows, request if shortfalls else None)
    cleaned = train_rows + holdout_rows
    summary = [
        say("console.rows", rows=raw_rows, cleaned=cleaned, train=train_rows, holdout=holdout_rows),
        say("console.report", path=report.relative_to(project.root)),
    ]
    if shortfalls:
        summary.append(say("console.request", path=request.relative_to(project.root)))
    return summary


def cleanse(rows: Rows, diagnosis: Diagnosis, project: Project) -> list[str]:
    """Apply the diagnosis: drop flagged and personal-data columns, duplicates, unlabelled rows."""
    settings, data = project.settings.prepare, project.data
    say = project.messages(__file__)
    steps = []
    drop = sorted(set(diagnosis.drop_columns) | set(data.personal_data_columns) | set(data.ignore_columns))
    if drop:
        rows.drop_columns(drop)
        steps.append(say("step.columns", columns=", ".join(drop)))
    if settings.drop_duplicates:
        steps.append(say("step.duplicates", rows=rows.drop_duplicates()))
    unlabelled = rows.drop_missing(data.target)
    if unlabelled:
        steps.append(say("step.unlabelled", rows=unlabelled))
    if settings.drop_target_outliers and project.problem_type == "regression":
        removed, low, high = rows.keep_between(data.target, project.settings.analyze.outlier_iqr_factor)
        steps.append(say("step.outliers", rows=removed, low=low, high=high))
    return steps


@dataclass
class FrameRows:
    """The rows in memory, cleansed and split by pandas and scikit-learn."""

    frame: pd.DataFrame

    def count(self) -> int:
        return len(self.frame)

    def drop_columns(self, columns: list[str]) -> None:
        self.frame = self.frame.drop(columns=columns)

    def drop_duplicates(self) -> int:
        return self._keep(~self.frame.duplicated())

    def drop_missing(self, column: str) -> int:
        return self._keep(self.frame[column].notna())

    def keep_between(self, column: str, factor: float) -> tuple[int, float, float]:
        low, high = iqr_bounds(self.frame[column], factor)
        return self._keep(self.frame[column].between(low, high)), low, high

    def _keep(self, kept: pd.Series) -> int:
        self.frame = self.frame[kept].reset_index(drop=True)
        return int((~kept).sum())

    def write(self, project: Project) -> tuple[int, int]:
        """Keep a holdout the model never trains on; stratified, so both parts have every class."""
        target = project.data.target
        stratify = self.frame[target] if project.problem_type == "classification" else None
        train, holdout = train_test_split(
            self.frame,
            test_size=project.settings.split.holdout_size,
            random_state=project.settings.split.seed,
            stratify=stratify,
        )
        write_table(self.frame, project.path("cleaned"))
        write_table(train.reset_index(drop=True), project.path("train"))
        write_table(holdout.reset_index(drop=True), project.path("holdout"))
        return len(train), len(holdout)


def data_request(shortfalls: list[Finding], project: Project) -> str:
    """A draft request for more rows or labels, in the 5W1H form the Domain Expert needs."""
    say = project.messages(__file__)
    return say(
        "data_request",
        gaps="\n".join(f"- {finding.detail}" for finding in shortfalls),
        requirement=requirement_text(project.settings.model),
        path=project.data.path,
        target=project.data.target,
    )
