"""Analyze: can the data we have deliver the value written down in Business Understanding?

Measures the data against the data requirements and writes a diagnosis: a report with figures
for people, `diagnosis.json` for Prepare and the checks, and the data card's statistics.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import cross_val_score
from sklearn.preprocessing import OrdinalEncoder
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from ..kit.core.config import DataSettings
from ..kit.core.data import Whole, personal_data_kind
from ..kit.core.messages import Messages
from ..kit.core.pipeline import Project
from ..kit.core.records import Diagnosis
from ..kit.core.tables import ColumnFacts, Table, TargetAs
from ..kit.reports.analysis import fill_data_card, write_report

LEAKAGE_SAMPLE_ROWS = 50_000
STRONG_CORRELATION = 0.9


def run(project: Project) -> list[str]:
    table = project.raw_table()
    diagnosis = diagnose(table, project)
    # Checked against its record as it is written: a key missing or misspelled here stops Analyze, not Prepare.
    Diagnosis.model_validate(diagnosis).write(project.path("diagnosis"))
    report = write_report(project, table, diagnosis, kept_correlation(table, diagnosis, project))
    fill_data_card(project, diagnosis)
    say = project.messages(__file__)
    findings = diagnosis["findings"]
    return [
        say(
            "console.rows", rows=diagnosis["rows"], columns=len(diagnosis["columns"]), path=project.data.path
        ),
        say(
            "console.findings",
            findings=len(findings),
            blocking=sum(finding["blocking"] for finding in findings),
            columns=", ".join(diagnosis["drop_columns"]) or "-",
        ),
        say("console.report", path=report.relative_to(project.root)),
    ]


def diagnose(table: Table, project: Project) -> dict[str, Any]:
    """Every measurement and finding, as plain data that Prepare and the checks read."""
    data, limits, prepare = project.data, project.settings.analyze, project.settings.prepare
    target = data.target
    say = project.messages(__file__)
    findings: list[dict[str, Any]] = []

    def find(kind: str, column: str | None, detail: str, drop: bool = False, blocking: bool = False) -> None:
        findings.append(
            {
                "kind": kind,
                "column": column,
                "detail": detail,
                "drop": drop,
                "blocking": blocking and not drop,
            }
        )

    def flag(kind: str, column: str, detail: str, blocking: bool = False) -> None:
        """A finding about a column Prepare drops, unless prepare.keep_columns keeps it."""
        kept = column in prepare.keep_columns
        keep = say("finding.kept") if kept else say("finding.would_keep")
        drop = prepare.drop_flagged_columns and not kept
        find(kind, column, say("finding.flagged", detail=detail, keep=keep), drop, blocking and not kept)

    rows, facts = table.rows, table.facts()
    counts = target_counts(table, target, project.problem_type, say)
    for label, count in counts.items():
        if count < limits.min_rows_per_class:
            wanted = limits.min_rows_per_class
            find("too_few_rows", target, say("finding.too_few_rows", label=label, rows=count, wanted=wanted))
    unlabelled = facts[target].missing
    if unlabelled:
        find("unlabelled_rows", target, say("finding.unlabelled_rows", rows=unlabelled))

    features = candidate_features(table.columns, data)
    missing = {column: fact.missing / rows for column, fact in facts.items()}
    for column in features:
        if missing[column] > limits.max_missing_share:
            flag("mostly_missing", column, say("finding.mostly_missing", share=missing[column]))
        if facts[column].unique <= 1:
            flag("constant", column, say("finding.constant"))

    personal = personal_data_columns(table, facts, data, say)
    for column, kind in personal.items():
        find("personal_data", column, kind, drop=True)
    usable = [column for column in features if column not in personal]

    factor = limits.outlier_iqr_factor
    outliers = table.outliers(features + ([target] if project.problem_type == "regression" else []), factor)
    for column, count in outliers.items():
        if count:
            find("outliers", column, say("finding.outliers", count=count, factor=factor))

    leaks = leakage_scores(table.sample, usable, target, project)
    for column, score in leaks.items():
        if score >= limits.leakage_score:
            flag("likely_leakage", column, say("finding.likely_leakage", score=score), blocking=True)

    correlation = correlations(table, facts, usable, target, project)
    for left, right, value in correlation["strong_pairs"]:
        find("correlated_features", f"{left}, {right}", say("finding.correlated_features", value=value))

    drop_columns = sorted({finding["column"] for finding in findings if finding["drop"]})
    # Counted on the columns Prepare keeps, as Prepare counts them when it drops duplicates.
    kept = [column for column in table.columns if column not in {*drop_columns, *data.ignore_columns}]
    duplicates = table.duplicate_rows(kept)
    if duplicates:
        find("duplicate_rows", None, say("finding.duplicate_rows", rows=duplicates))

    return {
        "data": {"path": data.path, "sha256": project.raw_fingerprint()},
        "rows": rows,
        "target": target,
        "problem_type": project.problem_type,
        "target_counts": {str(label): int(count) for label, count in counts.items()},
        "columns": {
            column: {
                "dtype": fact.dtype,
                "missing_share": round(float(missing[column]), 4),
                "unique_values": fact.unique,
            }
            for column, fact in facts.items()
        },
        "duplicate_rows": duplicates,
        "outliers": outliers,
        "leakage_scores": {column: round(score, 4) for column, score in leaks.items()},
        "target_correlation": correlation["target"],
        "findings": findings,
        "drop_columns": drop_columns,
        "blocking": any(finding["blocking"] for finding in findings),
    }


def target_counts(table: Table, target: str, problem_type: str, say: Messages) -> dict[Any, int]:
    """Rows per class, or all labelled rows for regression."""
    if problem_type == "classification":
        return table.value_counts(target)
    return {say("all_rows"): table.rows - table.facts()[target].missing}


def candidate_features(columns: list[str], data: DataSettings) -> list[str]:
    """Columns that could become features: not the target, an id, the time or an ignored column."""
    excluded = {data.target, *data.id_columns, data.time_column, *data.ignore_columns}
    return [column for column in columns if column not in excluded]


def personal_data_columns(
    table: Table, facts: dict[str, ColumnFacts], data: DataSettings, say: Messages
) -> dict[str, str]:
    """Columns declared as personal data, and the others whose values look like it, each with why.

    Free text, the target, ids, the time and columns listed under data.not_personal_columns are not
    judged by their values; ids identify rows on purpose and stay out of every model anyway.
    """
    found = {column: say("finding.declared_personal") for column in data.personal_data_columns}
    unjudged = {data.target, data.time_column, *data.id_columns, *data.text_columns}
    unjudged |= set(data.not_personal_columns)
    for column in table.columns:
        fact = facts[column]
        whole = Whole(table.rows - fact.missing, fact.unique, fact.span)
        kind = (
            None if column in found or column in unjudged else personal_data_kind(table.sample[column], whole)
        )
        if kind:
            found[column] = say("finding.looks_personal", kind=say(f"personal_kind.{kind}"))
    return found


def leakage_scores(
    frame: pd.DataFrame, features: list[str], target: str, project: Project
) -> dict[str, float]:
    """How well each column alone predicts the target: a shallow tree, cross-validated.

    A score near 1 (balanced accuracy, or R² for regression) usually means the column is only
    known after the fact, such as a code an accountant assigns once the answer is known.
    """
    labelled = frame[frame[target].notna()]
    labelled = labelled.sample(min(len(labelled), LEAKAGE_SAMPLE_ROWS), random_state=0)
    classification = project.problem_type == "classification"
    tree = DecisionTreeClassifier if classification else DecisionTreeRegressor
    scoring = "balanced_accuracy" if classification else "r2"
    scores = {}
    for column in features:
        if column in project.data.text_columns or labelled[column].nunique() <= 1:
            continue
        values = labelled[[column]]
        if not pd.api.types.is_numeric_dtype(values[column]):
            encoder = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)
            values = encoder.fit_transform(values.astype(str))
        values = np.nan_to_num(np.asarray(values, dtype=float), nan=-1.0)
        model = tree(max_depth=4, random_state=0)
        scores[column] = float(cross_val_score(model, values, labelled[target], cv=3, scoring=scoring).mean())
    return scores


def correlations(
    table: Table, facts: dict[str, ColumnFacts], features: list[str], target: str, project: Project
) -> dict[str, Any]:
    """Pearson correlation of numeric features with the target and with each other."""
    numeric = [c for c in features if pd.api.types.is_numeric_dtype(table.sample[c]) and facts[c].unique > 1]
    positive = project.data.positive_label
    target_as: TargetAs = "number"
    if project.problem_type == "classification":
        target_as = "indicator" if positive is not None else None
    matrix = table.correlation(numeric, target, target_as, positive)
    with_target = (
        {c: round(float(matrix.loc[c, target]), 4) for c in numeric if pd.notna(matrix.loc[c, target])}
        if target in matrix
        else {}
    )
    strong = [
        (left, right, float(matrix.loc[left, right]))
        for i, left in enumerate(numeric)
        for right in numeric[i + 1 :]
        if abs(matrix.loc[left, right]) >= STRONG_CORRELATION
    ]
    return {"target": with_target, "strong_pairs": strong, "matrix": matrix}


def kept_correlation(table: Table, diagnosis: dict[str, Any], project: Project) -> pd.DataFrame:
    """The correlation matrix of the feature columns Prepare keeps, and the target, for the report."""
    dropped = set(diagnosis["drop_columns"])
    usable = [column for column in candidate_features(table.columns, project.data) if column not in dropped]
    return correlations(table, table.facts(), usable, diagnosis["target"], project)["matrix"]
