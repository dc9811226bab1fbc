"""Prepare: fill the gaps the diagnosis found, then split the rows for training and for the Test stage.

Cleansing follows the diagnosis and params.yaml only. When rows or labels are too few, Prepare
drafts a data request in 5W1H form for the Product Manager to send to the Domain Expert.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sklearn.model_selection import train_test_split

from ..analyze.stage import iqr_bounds
from ..kit.core.config import requirement_text
from ..kit.core.data import write_table
from ..kit.core.files import remove, write_text
from ..kit.core.pipeline import Project
from ..kit.reports.report import Report

DATA_REQUEST = "data-request.md"


def run(project: Project) -> list[str]:
    diagnosis = project.read_diagnosis()
    frame = project.read_raw()
    cleaned, steps = cleanse(frame, diagnosis, project)
    train, holdout = split(cleaned, project)

    say = project.messages(__file__)
    report = Report(project.report_dir("prepare"), say("title"), say.language)
    report.heading(report.say("Cleansing", "クレンジング"))
    report.bullets(steps or [report.say("Nothing to cleanse.", "クレンジングは不要でした。")])
    report.heading(report.say("Split", "分割"))
    report.table(
        [report.say("part", "区分"), report.say("rows", "行数")],
        [["train", len(train)], ["holdout", len(holdout)]],
    )
    request = project.report_dir("prepare") / DATA_REQUEST
    shortfalls = [f for f in diagnosis["findings"] if f["kind"] in ("too_few_rows", "unlabelled_rows")]
    if shortfalls:
        write_text(request, data_request(shortfalls, project, report.say))
        report.paragraph(
            report.say(
                f"Data request drafted: [{DATA_REQUEST}]({DATA_REQUEST})",
                f"データ依頼の下書き: [{DATA_REQUEST}]({DATA_REQUEST})",
            )
        )
    else:
        remove(request)

    write_table(cleaned, project.path("cleaned"))
    write_table(train, project.path("train"))
    write_table(holdout, project.path("holdout"))
    summary = [
        f"{len(frame):,} rows in, {len(cleaned):,} rows after cleansing; {len(train):,} train, {len(holdout):,} holdout",
        f"report: {report.write().relative_to(project.root)}",
    ]
    if shortfalls:
        summary.append(f"data request drafted: {request.relative_to(project.root)}")
    return summary


def cleanse(
    frame: pd.DataFrame, diagnosis: dict[str, Any], project: Project
) -> tuple[pd.DataFrame, list[str]]:
    """Apply the diagnosis: drop flagged and personal-data columns, duplicates, unlabelled rows."""
    settings, data = project.settings.prepare, project.data
    steps = []
    drop = sorted(set(diagnosis["drop_columns"]) | set(data.personal_data_columns) | set(data.ignore_columns))
    if drop:
        frame = frame.drop(columns=drop)
        steps.append(f"dropped columns: {', '.join(drop)}")
    if settings.drop_duplicates:
        before = len(frame)
        frame = frame.drop_duplicates()
        steps.append(f"dropped {before - len(frame):,} duplicate rows")
    target = data.target
    unlabelled = frame[target].isna()
    if unlabelled.any():
        frame = frame[~unlabelled]
        steps.append(f"dropped {int(unlabelled.sum()):,} rows without a target value")
    if settings.drop_target_outliers and project.problem_type == "regression":
        low, high = iqr_bounds(frame[target], project.settings.analyze.outlier_iqr_factor)
        inside = frame[target].between(low, high)
        frame = frame[inside]
        steps.append(
            f"dropped {int((~inside).sum()):,} rows whose target lies outside {low:.3g} … {high:.3g}"
        )
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


def data_request(shortfalls: list[dict[str, Any]], project: Project, say: Any) -> str:
    """A draft request for more rows or labels, in the 5W1H form the Domain Expert needs."""
    gaps = "\n".join(f"- {finding['detail']}" for finding in shortfalls)
    target = project.data.target
    requirement = requirement_text(project.settings.model)
    return say(
        f"""# Data request (draft)

Draft for the Product Manager to complete and send to the Domain Expert.

## What is missing

{gaps}

## Why

The model must meet its requirement ({requirement}) on data like the data it will see in
service; the classes above have too few labelled examples to learn and to test that reliably.

## What

Rows like those in `{project.data.path}`, each with a value for `{target}`. [TODO: which cases are most needed]

## Who

[TODO: who collects or labels: the experts who can judge each case correctly]

## When

[TODO: by when, and for which period the rows should come from]

## Where

[TODO: from which system or place the rows come, and where to deliver them]

## How

[TODO: how to label: the rules for each class, and how unclear cases are decided]
""",
        f"""# データ依頼（下書き）

プロダクトマネージャーが仕上げて、業務有識者に送るための下書きです。

## 足りないもの

{gaps}

## なぜ（Why）

モデルは本番で見るのと同じようなデータで要件（{requirement}）を満たす必要があります。上のクラスはラベル付きの例が少なく、
学習にもテストにも足りません。

## 何を（What）

`{project.data.path}` と同じ形の行で、それぞれに `{target}` の値があるもの。[TODO: 特に必要なケース]

## 誰が（Who）

[TODO: 収集やラベル付けをする人。それぞれのケースを正しく判断できる業務の専門家]

## いつ（When）

[TODO: 期限と、どの期間の行が必要か]

## どこで（Where）

[TODO: どのシステムや場所から集め、どこへ渡すか]

## どのように（How）

[TODO: ラベルの付け方。各クラスの基準と、判断に迷うケースの決め方]
""",
    )
