"""Test: does the model create the value defined in Business Understanding?

Model level: holdout metrics against the requirement and the baseline, overall and per segment.
{%- if cookiecutter.serving == "fastapi" %}
Service level: the prediction service, run on loopback, must answer the holdout rows exactly like
the offline predictions; its latency and throughput are reported.
{%- else %}
Service level: the latency and throughput of predictions made in-process (the project has no
prediction service).
{%- endif %}
System level: the checks with users (A/B test, usability) stay a checklist for the Product
Manager{% if cookiecutter.demo == "streamlit" %}, run with the demo app{% endif %}.
"""

from __future__ import annotations

import json
{%- if cookiecutter.serving == "none" %}
import time
{%- endif %}
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import ConfusionMatrixDisplay

from .. import metrics, models
from ..config import meets, requirement_text
from ..files import write_json, write_text
from ..markdown import replace_block
from ..pipeline import Project
from ..predict import predict
from ..reports import Report, markdown_table, plt
from ..train.stage import BASELINE, candidates
from ..value import outlook
{%- if cookiecutter.serving == "fastapi" %}
from . import service
{%- else %}

SINGLE_ROW_PREDICTIONS = 200
{%- endif %}


def run(project: Project) -> list[str]:
    project.require("model", "model_card", "holdout", "train")
    card = json.loads(project.path("model_card").read_text(encoding="utf-8"))
    model = models.load(project.path("model"))
    holdout = pd.read_parquet(project.path("holdout"))
    train = pd.read_parquet(project.path("train"))
    target, positive = project.data["target"], project.data["positive_label"]
    model_settings = project.settings["model"]
    metric = model_settings["metric"]

    output = predict(holdout, model, card)
    truth, predictions = holdout[target], output["prediction"].to_numpy()
    scores = metrics.predict(model, holdout[list(card["schema"])], positive)[1]
    overall = metrics.all_scores(project.problem_type, truth, predictions, scores, positive)
    baseline = baseline_scores(train, holdout, project)
    slices = slice_scores(holdout, predictions, scores, project)
    share_correct = (
        float(np.mean(predictions == truth.to_numpy()))
        if project.problem_type == "classification"
        else (1.0 if meets(model_settings, overall[metric]) else 0.0)
    )
    value = project.settings["value"]
    cases = outlook(value, share_correct)
    results = {
        "metric": metric,
        "requirement": requirement_text(model_settings),
        "value": {
            "primary": overall[metric],
            "meets_requirement": meets(model_settings, overall[metric]),
            "beats_baseline": metrics.better(metric, overall[metric], baseline[metric]),
            "share_correct": share_correct,
            "business_value_per_month": cases["measured"]["value_per_month"],
            "planned_value_per_month": cases["planned"]["value_per_month"],
            "payback_month": cases["measured"]["payback_month"],
        },
        "holdout": overall,
        "baseline": baseline,
        "slices": slices,
        "holdout_rows": len(holdout),
{%- if cookiecutter.serving == "fastapi" %}
        "service_level": service.measure(project, holdout, output, card),
{%- else %}
        "service_level": in_process(model, holdout[list(card["schema"])]),
{%- endif %}
        "model": card["algorithm"],
    }
    report = Report(project.report_dir("evaluate"), "Test", project.settings["project"]["language"])
    write_report(report, results, holdout, predictions, project)
    write_json(project.path("metrics"), results)
    fill_model_card(project, results)
    verdict = "meets" if results["value"]["meets_requirement"] else "does NOT meet"
    level = results["service_level"]
    return [
        f"holdout {metric} {overall[metric]:.3f} {verdict} the requirement {results['requirement']} "
        f"(baseline {baseline[metric]:.3f})",
        f"business value at this quality: {results['value']['business_value_per_month']:,.0f} "
        f"{value['currency']} per month (planned {results['value']['planned_value_per_month']:,.0f})",
{%- if cookiecutter.serving == "fastapi" %}
        f"service on loopback: {level['matching_predictions']:,} of {level['rows']:,} predictions equal the "
        f"offline ones; p95 latency {level['p95_ms']:.1f} ms",
{%- else %}
        f"in-process: {level['rows_per_second']:,.0f} rows per second; p95 latency of one row {level['p95_ms']:.1f} ms",
{%- endif %}
        f"report: {report.write().relative_to(project.root)}",
    ]


def baseline_scores(train: pd.DataFrame, holdout: pd.DataFrame, project: Project) -> dict[str, float]:
    """The scores of a model that ignores every feature: the bar any real model must clear."""
    target, positive = project.data["target"], project.data["positive_label"]
    baseline = candidates(project.problem_type, project.settings["split"]["seed"])[BASELINE]
    baseline.fit(train[[target]], train[target])
    predictions, scores = metrics.predict(baseline, holdout[[target]], positive)
    return metrics.all_scores(project.problem_type, holdout[target], predictions, scores, positive)


def slice_scores(
    holdout: pd.DataFrame, predictions: np.ndarray, scores: Any, project: Project
) -> dict[str, Any]:
    """The primary metric for each value of the segment column."""
    segment, target = project.data["segment_column"], project.data["target"]
    if segment is None or segment not in holdout.columns:
        return {}
    metric, positive = project.settings["model"]["metric"], project.data["positive_label"]
    results = {}
    for value, rows in holdout.groupby(segment, dropna=False).groups.items():
        where = holdout.index.get_indexer(rows)
        part_scores = scores[where] if scores is not None else None
        truth = holdout[target].iloc[where]
        enough = len(where) >= 2 and (project.problem_type == "regression" or truth.nunique() > 1)
        value_score = (
            metrics.score(metric, truth, predictions[where], part_scores, positive) if enough else None
        )
        results[str(value)] = {"rows": len(where), metric: value_score}
    return results


{% if cookiecutter.serving == "none" -%}
def in_process(model: Any, features: pd.DataFrame) -> dict[str, Any]:
    """Throughput in one batch, and latency for single rows as a service would see them."""
    started = time.perf_counter()
    model.predict(features)
    batch_seconds = time.perf_counter() - started
    single_ms = []
    for index in range(min(SINGLE_ROW_PREDICTIONS, len(features))):
        started = time.perf_counter()
        model.predict(features.iloc[[index]])
        single_ms.append(1000 * (time.perf_counter() - started))
    return {
        "rows": len(features),
        "rows_per_second": len(features) / batch_seconds,
        **metrics.latency_percentiles(single_ms),
    }


{% endif -%}
def write_report(
    report: Report, results: dict[str, Any], holdout: pd.DataFrame, predictions: Any, project: Project
) -> None:
    say = report.say
    metric, target = results["metric"], project.data["target"]
    verdict = results["value"]
    report.heading(say("Model level", "モデルレベル"))
    report.paragraph(
        say(
            f"Requirement {results['requirement']}: measured {verdict['primary']:.3f} on {results['holdout_rows']:,} "
            f"holdout rows — {'met' if verdict['meets_requirement'] else 'NOT met'}.",
            f"要件 {results['requirement']}: ホールドアウト {results['holdout_rows']:,} 行で {verdict['primary']:.3f} — "
            f"{'達成' if verdict['meets_requirement'] else '未達'}。",
        )
    )
    report.table(
        [say("metric", "指標"), say("model", "モデル"), say("baseline", "ベースライン")],
        [[name, value, results["baseline"][name]] for name, value in results["holdout"].items()],
    )
    if project.problem_type == "classification":
        figure, axis = plt.subplots(figsize=(4.5, 4))
        ConfusionMatrixDisplay.from_predictions(holdout[target], predictions, ax=axis, colorbar=False)
        report.figure("confusion_matrix", figure, say("Confusion matrix", "混同行列"))
    else:
        figure, axis = plt.subplots(figsize=(4.5, 4))
        axis.scatter(holdout[target], predictions, s=10, alpha=0.6)
        low, high = float(holdout[target].min()), float(holdout[target].max())
        axis.plot([low, high], [low, high], color="black", linestyle="--")
        axis.set_xlabel(say("actual", "実測値"))
        axis.set_ylabel(say("predicted", "予測値"))
        report.figure("predicted_vs_actual", figure, say("Predicted against actual", "予測値と実測値"))
    if results["slices"]:
        segment = project.data["segment_column"]
        report.heading(say(f"Per {segment}", f"{segment} ごと"))
        report.table(
            [segment, say("rows", "行数"), metric],
            [
                [name, part["rows"], part[metric] if part[metric] is not None else "-"]
                for name, part in results["slices"].items()
            ],
        )
        scored = {name: part[metric] for name, part in results["slices"].items() if part[metric] is not None}
        figure, axis = plt.subplots(figsize=(7, 3.5))
        axis.bar(list(scored), list(scored.values()), color="#8172B3")
        axis.axhline(project.settings["model"]["threshold"], color="black", linestyle="--")
        axis.set_ylabel(metric)
        axis.tick_params(axis="x", rotation=30)
        report.figure(
            "metric_per_slice", figure, say(f"{metric} per {segment}", f"{segment} ごとの {metric}")
        )
    level = results["service_level"]
    report.heading(say("Service level", "サービスレベル"))
    report.paragraph(
        say(
{%- if cookiecutter.serving == "fastapi" %}
            f"The prediction service, run on loopback, answered {level['rows']:,} holdout rows: "
            f"{level['matching_predictions']:,} predictions equal the offline ones. "
            f"Throughput {level['rows_per_second']:,.0f} rows per second in requests of {service.ROWS_PER_BATCH} rows.",
            f"ループバックで起動した予測サービスがホールドアウト {level['rows']:,} 行に応答し、"
            f"{level['matching_predictions']:,} 件の予測がオフラインの予測と一致しました。"
            f"{service.ROWS_PER_BATCH} 行ずつのリクエストで毎秒 {level['rows_per_second']:,.0f} 行を処理しました。",
{%- else %}
            f"No prediction service (serving: none): the model predicted {level['rows']:,} holdout rows in "
            f"one batch at {level['rows_per_second']:,.0f} rows per second.",
            f"予測サービスなし（serving: none）: ホールドアウト {level['rows']:,} 行を一括で、"
            f"毎秒 {level['rows_per_second']:,.0f} 行の速さで予測しました。",
{%- endif %}
        )
    )
    report.table(
        [say("one row per request", "1リクエスト1行"), "p50", "p95", "p99"],
        [[say("latency (ms)", "レイテンシ（ms）"), level["p50_ms"], level["p95_ms"], level["p99_ms"]]],
    )
    report.heading(say("System level", "システムレベル"))
    report.paragraph(
        say(
            "System test, A/B test and usability are run with users; see the checklist in the Test stage's README.",
            "システムテスト、A/B テスト、ユーザビリティはユーザーと行います。Test ステージの README のチェックリストを参照してください。",
        )
    )
    currency = project.settings["value"]["currency"]
    report.heading(say("Business value", "ビジネス価値"))
    report.paragraph(
        say(
            f"At the measured quality: {verdict['business_value_per_month']:,.0f} {currency} per month "
            f"(planned: {verdict['planned_value_per_month']:,.0f}).",
            f"測定した品質での価値: 月 {verdict['business_value_per_month']:,.0f} {currency}"
            f"（計画: {verdict['planned_value_per_month']:,.0f}）。",
        )
    )


def fill_model_card(project: Project, results: dict[str, Any]) -> None:
    """Write the results block of the model card; what people wrote around it stays."""
    card = project.root / "docs" / "model-card.md"
    if not card.is_file():
        return
    verdict = results["value"]
    lines = [
        f"- model: {results['model']}; requirement {results['requirement']}: "
        f"{verdict['primary']:.3f} ({'met' if verdict['meets_requirement'] else 'not met'})",
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
                    [name, part["rows"], "-" if part[results["metric"]] is None else part[results["metric"]]]
                    for name, part in results["slices"].items()
                ],
            ),
        ]
    write_text(card, replace_block(card.read_text(encoding="utf-8"), "results", "\n".join(lines)))
