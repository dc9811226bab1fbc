"""Prepare: fill the gaps the diagnosis found, then split the rows for training and for the Test stage.

Cleansing follows the diagnosis and params.yaml only. When rows or labels are too few, Prepare
drafts a data request in 5W1H form for the Product Manager to send to the Domain Expert.
"""

from __future__ import annotations

import pandas as pd
from sklearn.model_selection import train_test_split

from ..analyze.stage import iqr_bounds
from ..kit.core.config import requirement_text
from ..kit.core.data import write_table
from ..kit.core.files import remove, write_text
from ..kit.core.pipeline import Project
from ..kit.core.records import Diagnosis, Finding
from ..kit.reports.cleansing import write_report

DATA_REQUEST = "data-request.md"


def run(project: Project) -> list[str]:
    diagnosis = project.read(Diagnosis, "diagnosis")
    frame = project.read_raw()
    cleaned, steps = cleanse(frame, diagnosis, project)
    train, holdout = split(cleaned, project)

    say = project.messages(__file__)
    request = project.report_dir("prepare") / DATA_REQUEST
    shortfalls = [f for f in diagnosis.findings if f.kind in ("too_few_rows", "unlabelled_rows")]
    if shortfalls:
        write_text(request, data_request(shortfalls, project))
    else:
        remove(request)

    write_table(cleaned, project.path("cleaned"))
    write_table(train, project.path("train"))
    write_table(holdout, project.path("holdout"))
    report = write_report(project, steps, len(train), len(holdout), request if shortfalls else None)
    summary = [
        say("console.rows", rows=len(frame), cleaned=len(cleaned), train=len(train), holdout=len(holdout)),
        say("console.report", path=report.relative_to(project.root)),
    ]
    if shortfalls:
        summary.append(say("console.request", path=request.relative_to(project.root)))
    return summary


def cleanse(frame: pd.DataFrame, diagnosis: Diagnosis, project: Project) -> tuple[pd.DataFrame, list[str]]:
    """Apply the diagnosis: drop flagged and personal-data columns, duplicates, unlabelled rows."""
    settings, data = project.settings.prepare, project.data
    say = project.messages(__file__)
    steps = []
    drop = sorted(set(diagnosis.drop_columns) | set(data.personal_data_columns) | set(data.ignore_columns))
    if drop:
        frame = frame.drop(columns=drop)
        steps.append(say("step.columns", columns=", ".join(drop)))
    if settings.drop_duplicates:
        before = len(frame)
        frame = frame.drop_duplicates()
        steps.append(say("step.duplicates", rows=before - len(frame)))
    target = data.target
    unlabelled = frame[target].isna()
    if unlabelled.any():
        frame = frame[~unlabelled]
        steps.append(say("step.unlabelled", rows=int(unlabelled.sum())))
    if settings.drop_target_outliers and project.problem_type == "regression":
        low, high = iqr_bounds(frame[target], project.settings.analyze.outlier_iqr_factor)
        inside = frame[target].between(low, high)
        frame = frame[inside]
        steps.append(say("step.outliers", rows=int((~inside).sum()), low=low, high=high))
    return frame.reset_index(drop=True), steps


def split(frame: pd.DataFrame, project: Project) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep a holdout the model never trains on; stratified, so both parts have every class."""
    target = project.data.target
    stratify = frame[target] if project.problem_type == "classification" else None
    train, holdout = train_test_split(
        frame,
        test_size=project.settings.split.holdout_size,
        random_state=project.settings.split.seed,
        stratify=stratify,
    )
    return train.reset_index(drop=True), holdout.reset_index(drop=True)


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
