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

from ..kit.core.config import AnalyzeSettings, DataSettings
from ..kit.core.data import personal_data_kind
from ..kit.core.files import write_json, write_text
from ..kit.core.pipeline import Project
from ..kit.reports.markdown import replace_block
from ..kit.reports.report import Report, markdown_table, plt

LEAKAGE_SAMPLE_ROWS = 50_000
STRONG_CORRELATION = 0.9


def run(project: Project) -> list[str]:
    frame = project.read_raw()
    diagnosis = diagnose(frame, project)
    say = project.messages(__file__)
    report = Report(project.report_dir("analyze"), say("title"), say.language)
    write_report(report, frame, diagnosis, project)
    write_json(project.path("diagnosis"), diagnosis)
    fill_data_card(project, diagnosis)
    findings = diagnosis["findings"]
    blocking = sum(finding["blocking"] for finding in findings)
    return [
        f"{diagnosis['rows']:,} rows × {len(diagnosis['columns'])} columns from {project.data.path}",
        f"{len(findings)} findings, {blocking} blocking; columns to drop: {', '.join(diagnosis['drop_columns']) or '-'}",
        f"report: {report.write().relative_to(project.root)}",
    ]


def diagnose(frame: pd.DataFrame, project: Project) -> dict[str, Any]:
    """Every measurement and finding, as plain data that Prepare and the checks read."""
    data, limits, prepare = project.data, project.settings.analyze, project.settings.prepare
    target = data.target
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
        how = "kept: prepare.keep_columns lists it" if kept else "prepare.keep_columns would keep it"
        drop = prepare.drop_flagged_columns and not kept
        find(kind, column, f"{detail} ({how})", drop, blocking and not kept)

    rows = len(frame)
    counts = target_counts(frame[target], project.problem_type)
    for label, count in counts.items():
        if count < limits.min_rows_per_class:
            find(
                "too_few_rows",
                target,
                f"{label}: {count:,} rows, fewer than the {limits.min_rows_per_class:,} wanted",
            )
    unlabelled = int(frame[target].isna().sum())
    if unlabelled:
        find("unlabelled_rows", target, f"{unlabelled:,} rows have no target value")

    features = candidate_features(frame, data)
    missing = frame.isna().mean()
    for column in features:
        if missing[column] > limits.max_missing_share:
            flag("mostly_missing", column, f"{missing[column]:.0%} missing")
        if frame[column].nunique(dropna=True) <= 1:
            flag("constant", column, "one value in every row")

    personal = personal_data_columns(frame, data)
    for column, kind in personal.items():
        find("personal_data", column, kind, drop=True)
    usable = [column for column in features if column not in personal]

    outliers = outlier_counts(
        frame, features + ([target] if project.problem_type == "regression" else []), limits
    )
    for column, count in outliers.items():
        if count:
            find("outliers", column, f"{count:,} values beyond {limits.outlier_iqr_factor} × IQR")

    leaks = leakage_scores(frame, usable, target, project)
    for column, score in leaks.items():
        if score >= limits.leakage_score:
            flag("likely_leakage", column, f"alone predicts the target with score {score:.3f}", blocking=True)

    correlation = correlations(frame, usable, target, project)
    for left, right, value in correlation["strong_pairs"]:
        find(
            "correlated_features",
            f"{left}, {right}",
            f"correlation {value:+.2f}: they carry the same information",
        )

    drop_columns = sorted({finding["column"] for finding in findings if finding["drop"]})
    # Counted on the columns Prepare keeps, as Prepare counts them when it drops duplicates.
    kept = [column for column in frame.columns if column not in {*drop_columns, *data.ignore_columns}]
    duplicates = int(frame.duplicated(subset=kept).sum())
    if duplicates:
        repeat = f"{duplicates:,} rows repeat an earlier row in the columns Prepare keeps"
        find("duplicate_rows", None, repeat)

    return {
        "data": {"path": data.path, "sha256": project.raw_fingerprint()},
        "rows": rows,
        "target": target,
        "problem_type": project.problem_type,
        "target_counts": {str(label): int(count) for label, count in counts.items()},
        "columns": {
            str(column): {
                "dtype": str(frame[column].dtype),
                "missing_share": round(float(missing[column]), 4),
                "unique_values": int(frame[column].nunique(dropna=True)),
            }
            for column in frame.columns
        },
        "duplicate_rows": duplicates,
        "outliers": outliers,
        "leakage_scores": {column: round(score, 4) for column, score in leaks.items()},
        "target_correlation": correlation["target"],
        "findings": findings,
        "drop_columns": drop_columns,
        "blocking": any(finding["blocking"] for finding in findings),
    }


def target_counts(target: pd.Series, problem_type: str) -> dict[Any, int]:
    """Rows per class, or all labelled rows for regression."""
    if problem_type == "classification":
        return {label: int(count) for label, count in target.value_counts().sort_index().items()}
    return {"all rows": int(target.notna().sum())}


def candidate_features(frame: pd.DataFrame, data: DataSettings) -> list[str]:
    """Columns that could become features: not the target, an id, the time or an ignored column."""
    excluded = {data.target, *data.id_columns, data.time_column, *data.ignore_columns}
    return [column for column in frame.columns if column not in excluded]


def personal_data_columns(frame: pd.DataFrame, data: DataSettings) -> dict[str, str]:
    """Columns declared as personal data, and the others whose values look like it.

    Free text, the target, ids, the time and columns listed under data.not_personal_columns are not
    judged by their values; ids identify rows on purpose and stay out of every model anyway.
    """
    found = {column: "declared in params.yaml" for column in data.personal_data_columns}
    unjudged = {data.target, data.time_column, *data.id_columns, *data.text_columns}
    unjudged |= set(data.not_personal_columns)
    for column in frame.columns:
        kind = None if column in found or column in unjudged else personal_data_kind(frame[column])
        if kind:
            found[column] = f"values look like {kind} (data.not_personal_columns keeps it)"
    return found


def outlier_counts(frame: pd.DataFrame, columns: list[str], limits: AnalyzeSettings) -> dict[str, int]:
    counts = {}
    for column in columns:
        values = frame[column]
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        low, high = iqr_bounds(values, limits.outlier_iqr_factor)
        counts[column] = int(((values < low) | (values > high)).sum())
    return counts


def iqr_bounds(values: pd.Series, factor: float) -> tuple[float, float]:
    """Tukey's fences: values outside Q1 − factor × IQR … Q3 + factor × IQR are outliers."""
    q1, q3 = values.quantile([0.25, 0.75])
    return q1 - factor * (q3 - q1), q3 + factor * (q3 - q1)


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


def correlations(frame: pd.DataFrame, features: list[str], target: str, project: Project) -> dict[str, Any]:
    """Pearson correlation of numeric features with the target and with each other."""
    numeric = [c for c in features if pd.api.types.is_numeric_dtype(frame[c]) and frame[c].nunique() > 1]
    table = frame[numeric].astype(float)
    if project.problem_type == "classification":
        positive = project.data.positive_label
        table = (
            table.assign(**{target: (frame[target] == positive).astype(float)})
            if positive is not None
            else table
        )
    else:
        table = table.assign(**{target: frame[target].astype(float)})
    matrix = table.corr()
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


def write_report(report: Report, frame: pd.DataFrame, diagnosis: dict[str, Any], project: Project) -> None:
    say = report.say
    target = diagnosis["target"]
    report.paragraph(
        say(
            f"Diagnosis of `{project.data.path}`: {diagnosis['rows']:,} rows, {len(frame.columns)} columns.",
            f"`{project.data.path}` の診断: {diagnosis['rows']:,} 行、{len(frame.columns)} 列。",
        )
    )
    report.heading(say("Findings", "所見"))
    rows = [
        [
            finding["kind"],
            finding["column"] or "-",
            finding["detail"],
            "drop" if finding["drop"] else "-",
            "yes" if finding["blocking"] else "-",
        ]
        for finding in diagnosis["findings"]
    ]
    header = [
        say("finding", "所見"),
        say("column", "列"),
        say("detail", "内容"),
        "Prepare",
        say("blocks Train", "Train を止める"),
    ]
    if rows:
        report.table(header, rows)
    else:
        report.paragraph(say("Nothing to report.", "所見はありません。"))

    report.heading(say("Target", "目的変数"))
    report.table(
        [say("value", "値"), say("rows", "行数")], [[k, v] for k, v in diagnosis["target_counts"].items()]
    )
    figure, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    if project.problem_type == "classification":
        frame[target].value_counts().sort_index().plot.bar(ax=axes[0], color="#4C72B0")
        axes[0].set_title(say("Rows per class", "クラスごとの行数"))
        numeric = list(diagnosis["target_correlation"])[:1]
        if numeric:
            frame.boxplot(column=numeric[0], by=target, ax=axes[1])
            axes[1].set_title(say(f"{numeric[0]} by class", f"クラス別の {numeric[0]}"))
            figure.suptitle("")
    else:
        frame[target].plot.hist(ax=axes[0], bins=30, color="#4C72B0")
        axes[0].set_title(say("Histogram of the target", "目的変数のヒストグラム"))
        frame[[target]].boxplot(ax=axes[1])
        axes[1].set_title(say("Box plot of the target", "目的変数の箱ひげ図"))
    report.figure("target", figure, say("Target distribution", "目的変数の分布"))

    report.heading(say("Missing values", "欠損値"))
    missing = pd.Series({c: v["missing_share"] for c, v in diagnosis["columns"].items()}).sort_values()
    figure, axis = plt.subplots(figsize=(8, max(2.5, 0.3 * len(missing))))
    missing.plot.barh(ax=axis, color="#DD8452")
    axis.axvline(project.settings.analyze.max_missing_share, color="black", linestyle="--")
    axis.set_xlabel(say("share missing", "欠損の割合"))
    report.figure("missing", figure, say("Missing share per column", "列ごとの欠損の割合"))

    report.heading(say("Correlation", "相関"))
    dropped = set(diagnosis["drop_columns"])
    usable = [column for column in candidate_features(frame, project.data) if column not in dropped]
    matrix = correlations(frame, usable, target, project)["matrix"]
    if len(matrix) > 1:
        figure, axis = plt.subplots(figsize=(1 + 0.6 * len(matrix), 0.8 + 0.6 * len(matrix)))
        image = axis.imshow(matrix.to_numpy(), cmap="coolwarm", vmin=-1, vmax=1)
        axis.set_xticks(range(len(matrix)), matrix.columns, rotation=45, ha="right")
        axis.set_yticks(range(len(matrix)), matrix.columns)
        figure.colorbar(image, ax=axis)
        report.figure("correlation", figure, say("Correlation of numeric columns", "数値列の相関"))
    report.table(
        [say("column", "列"), say("correlation with the target", "目的変数との相関")],
        [[column, value] for column, value in diagnosis["target_correlation"].items()],
    )


def fill_data_card(project: Project, diagnosis: dict[str, Any]) -> None:
    """Write the statistics block of the data card; what people wrote around it stays."""
    card = project.root / "docs" / "data-card.md"
    if not card.is_file():
        return
    columns = [
        [name, info["dtype"], f"{info['missing_share']:.1%}", info["unique_values"]]
        for name, info in diagnosis["columns"].items()
    ]
    body = "\n".join(
        [
            f"- rows: {diagnosis['rows']:,}; duplicate rows: {diagnosis['duplicate_rows']:,}",
            f"- target `{diagnosis['target']}`: "
            + ", ".join(f"{label}: {count:,}" for label, count in diagnosis["target_counts"].items()),
            f"- columns Prepare drops: {', '.join(diagnosis['drop_columns']) or '-'}",
            "",
            markdown_table(["column", "type", "missing", "unique values"], columns),
        ]
    )
    write_text(card, replace_block(card.read_text(encoding="utf-8"), "statistics", body))
