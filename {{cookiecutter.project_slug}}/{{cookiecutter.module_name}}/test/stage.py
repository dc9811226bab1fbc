"""Test: does the model create the value defined in Business Understanding?

Model level: holdout metrics against the requirement and the baseline, overall and per segment;
against the simpler candidates; as the data moves on in time (a model trained on older rows,
scored on newer ones); and what each feature column contributes.
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
from sklearn.metrics import ConfusionMatrixDisplay, classification_report
from sklearn.pipeline import Pipeline

from ..kit.core import metrics, models
from ..kit.core.config import METRICS, meets, requirement_text
from ..kit.core.data import time_order
from ..kit.core.files import write_json, write_text
from ..kit.core.pipeline import Project
from ..kit.operations.predict import answers, refused_rows, unseen_counts
from ..kit.operations.releases import model_version
from ..kit.process.value import outlook
from ..kit.reports.markdown import replace_block
from ..kit.reports.report import Report, markdown_table, plt
from ..modelling import (
    BASELINE,
    PERMUTATION_REPEATS,
    candidates,
    contributions,
    fit_behind,
    setting_text,
    tuned,
)
from ..preprocess.stage import build
{%- if cookiecutter.serving == "fastapi" %}
from . import service
{%- else %}

SINGLE_ROW_PREDICTIONS = 200
{%- endif %}

# Slices with fewer holdout rows, and feature contributions on a smaller holdout, are reported but
# not judged: on fewer rows a handful of them moves the metric by more than the allowed gap (F1 on
# 100 rows varies by about ±0.04 from chance alone).
MIN_JUDGED_ROWS = 100
# The newer half of the rows in time order is scored in this many periods of equal rows.
STALENESS_PERIODS = 4
# Feature contributions are measured on at most this many holdout rows, drawn with the seed: every
# shuffle of every column predicts them all again, and more rows move the contributions no further.
CONTRIBUTION_ROWS = 10_000


def run(project: Project) -> list[str]:
    project.require("model", "model_card", "holdout", "train")
    card = json.loads(project.path("model_card").read_text(encoding="utf-8"))
    model = models.load(project.path("model"))
    holdout = pd.read_parquet(project.path("holdout"))
    train = pd.read_parquet(project.path("train"))
    target = project.data.target
    model_settings = project.settings.model
    metric = model_settings.metric

    # The holdout is the Test stage's own: a category only it holds is counted, never a reason to refuse it.
    predictions, scores = answers(holdout, model, card, refuse_unseen=False)
    servable = ~refused_rows(holdout, card).to_numpy()
    truth, columns = holdout[target], list(card["schema"])
    overall = metrics.all_scores(project.problem_type, truth, predictions, scores, **project.scoring)
    baseline = baseline_scores(train, holdout, project)
    slices = slice_scores(holdout, predictions, scores, overall[metric], project)
    by_candidate = candidate_scores(model, card, train, holdout, overall[metric], project)
    value = project.settings.value
    # Regression: a prediction within value.tolerance of the actual value counts as right.
    share_correct = float(
        np.mean(predictions == truth.to_numpy())
        if project.problem_type == "classification"
        else np.mean(np.abs(predictions - truth.to_numpy()) <= value.tolerance)
    )
    cases = outlook(value, share_correct)
    results = {
        "model_version": model_version(project.path("model")),
        "metric": metric,
        "requirement": requirement_text(model_settings),
        "value": {
            "primary": overall[metric],
            "meets_requirement": meets(model_settings, overall[metric]),
            "beats_baseline": metrics.better(metric, overall[metric], baseline[metric]),
            "no_simpler_model_is_better": no_simpler_is_better(by_candidate, card["algorithm"], metric),
            "share_correct": share_correct,
            "business_value_per_month": cases["measured"]["value_per_month"],
            "planned_value_per_month": cases["planned"]["value_per_month"],
            "payback_month": cases["measured"]["payback_month"],
        },
        "holdout": overall,
        "baseline": baseline,
        "candidates": by_candidate,
        "slices": slices,
        "feature_contributions": feature_contributions(
            model, *contribution_rows(holdout, columns, project), project
        ),
        "holdout_rows": len(holdout),
{%- if cookiecutter.serving == "fastapi" %}
        "service_level": service.measure(project, holdout[servable], predictions[servable], card),
{%- else %}
        "service_level": in_process(model, holdout[columns]),
{%- endif %}
        "model": card["algorithm"],
        "classes": card["classes"],
        "unseen_categories": {
            "policy": card["unseen_categories"],
            "rows": unseen_counts(holdout, card),
            "refused_by_serving": int((~servable).sum()),
        },
    }
    time_column = project.data.time_column
    if time_column is not None and time_column in train.columns:
        results["staleness"] = staleness(pd.concat([train, holdout], ignore_index=True), card, project)
    say = project.messages(__file__)
    report = Report(project.report_dir("test"), say("title"), say.language)
    write_report(report, results, holdout, predictions, project)
    write_json(project.path("metrics"), results)
    fill_model_card(project, results)
    verdict = "meets" if results["value"]["meets_requirement"] else "does NOT meet"
    level = results["service_level"]
    return [
        f"holdout {metric} {overall[metric]:.3f} {verdict} the requirement {results['requirement']} "
        f"(baseline {baseline[metric]:.3f})",
        f"business value at this quality: {results['value']['business_value_per_month']:,.0f} "
        f"{value.currency} per month (planned {results['value']['planned_value_per_month']:,.0f})",
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
    target, positive = project.data.target, project.data.positive_label
    baseline = candidates(project.problem_type, project.settings.split.seed)[BASELINE]
    baseline.fit(train[[target]], train[target])
    predictions, scores = metrics.predict(baseline, holdout[[target]], positive)
    return metrics.all_scores(project.problem_type, holdout[target], predictions, scores, **project.scoring)


def part_score(truth: pd.Series, predictions: Any, scores: Any, project: Project) -> float | None:
    """The primary metric on some of the rows; None when they are too few or hold one class only."""
    enough = len(truth) >= 2 and (project.problem_type == "regression" or truth.nunique() > 1)
    if not enough:
        return None
    return metrics.score(project.settings.model.metric, truth, predictions, scores, **project.scoring)


def slice_scores(
    holdout: pd.DataFrame, predictions: np.ndarray, scores: Any, overall: float, project: Project
) -> dict[str, Any]:
    """The primary metric for each value of the segment column, judged against the requirement and
    against the overall metric when the slice has enough rows to judge."""
    segment, target = project.data.segment_column, project.data.target
    if segment is None or segment not in holdout.columns:
        return {}
    model_settings = project.settings.model
    metric = model_settings.metric
    results = {}
    for value, rows in holdout.groupby(segment, dropna=False).groups.items():
        where = holdout.index.get_indexer(rows)
        part_scores = scores[where] if scores is not None else None
        value_score = part_score(holdout[target].iloc[where], predictions[where], part_scores, project)
        # Scored but not judged when the slice has too few rows to say anything about it.
        judged_score = value_score if len(where) >= MIN_JUDGED_ROWS else None
        gap = shortfall(judged_score, overall, metric) if judged_score is not None else None
        results[str(value)] = {
            "rows": len(where),
            metric: value_score,
            "meets_requirement": meets(model_settings, judged_score) if judged_score is not None else None,
            "shortfall": gap,
            "within_allowed_gap": gap <= model_settings.max_slice_gap if gap is not None else None,
        }
    return results


def shortfall(value: float, overall: float, metric: str) -> float | None:
    """How much worse than the overall metric a value is, as a share of it (below zero: better);
    relative, so that it reads the same for errors such as rmse. None when the overall metric is 0."""
    if overall == 0:
        return None
    worse_by = overall - value if METRICS[metric].higher_is_better else value - overall
    return worse_by / abs(overall)


def candidate_scores(
    model: Pipeline,
    card: dict[str, Any],
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    overall: float,
    project: Project,
) -> dict[str, dict[str, Any]]:
    """Every candidate at its best setting, trained on the training rows and scored on the holdout,
    simplest first; the chosen one is the model itself."""
    columns, target = list(card["schema"]), project.data.target
    metric, positive = project.settings.model.metric, project.data.positive_label
    preprocessor = model.named_steps["preprocess"]
    scored = {}
    for name in candidates(project.problem_type, project.settings.split.seed):
        if name == BASELINE:
            continue
        setting = card["hyper_parameter_search"][name]["best"]
        if name == card["algorithm"]:
            value = overall
        else:
            fitted = fit_behind(preprocessor, tuned(name, setting, project), train[columns], train[target])
            answered = metrics.predict(fitted, holdout[columns], positive)
            value = metrics.score(metric, holdout[target], *answered, **project.scoring)
        scored[name] = {"setting": setting, metric: value}
    return scored


def no_simpler_is_better(scored: dict[str, dict[str, Any]], chosen: str, metric: str) -> bool:
    """Whether no candidate simpler than the chosen one (before it in candidates() order) scores better."""
    names = list(scored)
    simpler = names[: names.index(chosen)]
    return not any(metrics.better(metric, scored[name][metric], scored[chosen][metric]) for name in simpler)


def feature_contributions(
    model: Pipeline, rows: pd.DataFrame, truth: pd.Series, project: Project
) -> dict[str, dict[str, Any]]:
    """What each feature column adds to the primary metric on these rows, and whether it helps at all."""
    found = contributions(model, rows, truth, project)
    return {
        column: {
            "contribution": float(part["contribution"]),
            "std": float(part["std"]),
            "helps": bool(part["contribution"] > 0),
        }
        for column, part in found.iterrows()
    }


def contribution_rows(
    holdout: pd.DataFrame, columns: list[str], project: Project
) -> tuple[pd.DataFrame, pd.Series]:
    """The holdout rows feature contributions are measured on: at most CONTRIBUTION_ROWS, drawn with the seed."""
    rows = holdout.sample(min(len(holdout), CONTRIBUTION_ROWS), random_state=project.settings.split.seed)
    return rows[columns], rows[project.data.target]


def staleness(rows: pd.DataFrame, card: dict[str, Any], project: Project) -> dict[str, Any]:
    """The chosen candidate, trained on the older half of the rows in time order, scored on the newer
    half period by period: how the model's quality fades as the data moves on."""
    time_column, target = project.data.time_column, project.data.target
    columns, positive = list(card["schema"]), project.data.positive_label
    model_settings = project.settings.model
    order = time_order(rows[time_column])
    dated = rows[order.notna()].iloc[np.argsort(order.dropna().to_numpy(), kind="stable")]
    older, newer = consecutive_parts(dated, 2)
    chosen, metric = card["algorithm"], model_settings.metric
    setting = card["hyper_parameter_search"][chosen]["best"]
    preprocessor = build(older[columns], project)
    model = Pipeline([("preprocess", preprocessor), ("model", tuned(chosen, setting, project))])
    model.fit(older[columns], older[target])

    def span(part: pd.DataFrame) -> dict[str, Any]:
        times = part[time_column]
        return {"from": str(times.iloc[0]), "to": str(times.iloc[-1]), "rows": len(part)}

    periods = []
    for period in consecutive_parts(newer, STALENESS_PERIODS):
        predictions, scores = metrics.predict(model, period[columns], positive)
        periods.append({**span(period), metric: part_score(period[target], predictions, scores, project)})
    newest = periods[-1][metric]
    return {
        "trained_on": span(older),
        "periods": periods,
        "newest_meets_requirement": meets(model_settings, newest) if newest is not None else None,
    }


def consecutive_parts(frame: pd.DataFrame, count: int) -> list[pd.DataFrame]:
    """The rows cut into `count` runs of consecutive rows, as equal in size as they can be."""
    return [frame.iloc[positions] for positions in np.array_split(np.arange(len(frame)), count)]


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
    metric, target = results["metric"], project.data.target
    verdict = results["value"]
    report.heading(say("Model level", "モデルレベル"))
    report.paragraph(
        say(
            f"Model version {results['model_version']}. "
            f"Requirement {results['requirement']}: measured {verdict['primary']:.3f} on {results['holdout_rows']:,} "
            f"holdout rows — {'met' if verdict['meets_requirement'] else 'NOT met'}.",
            f"モデルのバージョン {results['model_version']}。"
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
        # Every class the model knows, also one the holdout happens not to hold.
        classes = list(results["classes"])
        if project.data.positive_label is None:
            average = project.settings.model.average
            report.paragraph(
                say(
                    f"{len(classes)} classes and no positive class: f1, precision, recall and roc_auc are "
                    f"{average} averages of the per-class scores (model.average); accuracy is the share of rows "
                    "answered right.",
                    f"{len(classes)} クラスで、正例のクラスはありません。f1・precision・recall・roc_auc はクラスごとの"
                    f"値の {average} 平均（model.average）、accuracy は正しく答えた行の割合です。",
                )
            )
        truth = holdout[target].astype(str)
        ConfusionMatrixDisplay.from_predictions(
            truth, pd.Series(predictions).astype(str), labels=classes, ax=axis, colorbar=False
        )
        report.figure("confusion_matrix", figure, say("Confusion matrix", "混同行列"))
        write_per_class(report, truth, pd.Series(predictions).astype(str), classes)
    else:
        figure, axis = plt.subplots(figsize=(4.5, 4))
        axis.scatter(holdout[target], predictions, s=10, alpha=0.6)
        low, high = float(holdout[target].min()), float(holdout[target].max())
        axis.plot([low, high], [low, high], color="black", linestyle="--")
        axis.set_xlabel(say("actual", "実測値"))
        axis.set_ylabel(say("predicted", "予測値"))
        report.figure("predicted_vs_actual", figure, say("Predicted against actual", "予測値と実測値"))
    write_candidates(report, results)
    write_unseen(report, results["unseen_categories"])
    segment = project.data.segment_column
    if results["slices"] and segment is not None:
        report.heading(say(f"Per {segment}", f"{segment} ごと"))
        gap = project.settings.model.max_slice_gap
        report.paragraph(
            say(
                f"Each {segment} must meet the requirement and score at most {gap:.0%} worse than the overall "
                f"{metric} (model.max_slice_gap). Values with fewer than {MIN_JUDGED_ROWS} holdout rows are shown "
                "but not judged: on so few rows chance alone moves the metric by that much.",
                f"{segment} の値ごとに要件を満たし、全体の {metric} より {gap:.0%} を超えて悪くならないこと"
                f"（model.max_slice_gap）。ホールドアウトが {MIN_JUDGED_ROWS} 行未満の値は表示のみで判定しません。"
                "行が少ないと偶然だけで指標がそれだけ動くためです。",
            )
        )
        report.table(
            [
                segment,
                say("rows", "行数"),
                metric,
                say("meets the requirement", "要件を満たす"),
                say("worse than overall", "全体より悪い割合"),
                say("within the gap", "許容範囲内"),
            ],
            [
                [
                    name,
                    part["rows"],
                    shown(part[metric]),
                    mark(part["meets_requirement"]),
                    f"{part['shortfall']:.1%}" if part["shortfall"] is not None else "-",
                    mark(part["within_allowed_gap"]),
                ]
                for name, part in results["slices"].items()
            ],
        )
        scored = {name: part[metric] for name, part in results["slices"].items() if part[metric] is not None}
        figure, axis = plt.subplots(figsize=(7, 3.5))
        axis.bar(list(scored), list(scored.values()), color="#8172B3")
        axis.axhline(project.settings.model.threshold, color="black", linestyle="--")
        axis.set_ylabel(metric)
        axis.tick_params(axis="x", rotation=30)
        report.figure(
            "metric_per_slice", figure, say(f"{metric} per {segment}", f"{segment} ごとの {metric}")
        )
    write_staleness(report, results, project)
    write_contributions(report, results)
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
    currency = project.settings.value.currency
    report.heading(say("Business value", "ビジネス価値"))
    report.paragraph(
        say(
            f"At the measured quality: {verdict['business_value_per_month']:,.0f} {currency} per month "
            f"(planned: {verdict['planned_value_per_month']:,.0f}).",
            f"測定した品質での価値: 月 {verdict['business_value_per_month']:,.0f} {currency}"
            f"（計画: {verdict['planned_value_per_month']:,.0f}）。",
        )
    )


def mark(flag: bool | None) -> str:
    """A yes or no as a table shows it; `-` where nothing was judged."""
    return "-" if flag is None else "✔" if flag else "✘"


def shown(value: float | None) -> float | str:
    return "-" if value is None else value


def write_unseen(report: Report, unseen: dict[str, Any]) -> None:
    """How many holdout rows hold a category training never saw, and what serving does with them."""
    say = report.say
    report.heading(say("Categories the model never saw", "モデルが学習で見ていないカテゴリー"))
    if not unseen["rows"]:
        report.paragraph(
            say(
                "Every holdout category occurs in training.",
                "ホールドアウトのカテゴリーはすべて学習データにあります。",
            )
        )
        return
    serving = (
        say(
            f"Serving refuses such rows (preprocess.unseen_categories: refuse): {unseen['refused_by_serving']:,} "
            "holdout rows; the service was measured on the others.",
            f"本番ではこうした行を拒否します（preprocess.unseen_categories: refuse）。ホールドアウトでは "
            f"{unseen['refused_by_serving']:,} 行で、サービスの計測はそれ以外の行で行いました。",
        )
        if unseen["policy"] == "refuse"
        else say(
            "The model treats them as its infrequent categories (preprocess.unseen_categories: infrequent).",
            "モデルはこれらをまれなカテゴリーとして扱います（preprocess.unseen_categories: infrequent）。",
        )
    )
    report.paragraph(
        say("Predicted and scored like every other row. ", "他の行と同じく予測し、評価に含めています。")
        + serving
    )
    report.table(
        [say("column", "列"), say("holdout rows", "ホールドアウトの行数")],
        [[column, count] for column, count in unseen["rows"].items()],
    )


def write_per_class(report: Report, truth: pd.Series, predictions: pd.Series, classes: list[str]) -> None:
    """Precision, recall and f1 of each class, so that no class hides behind an average."""
    say = report.say
    found = classification_report(truth, predictions, labels=classes, output_dict=True, zero_division=0)
    rows = []
    for label in classes:
        part = found[label]
        rows.append([label, part["precision"], part["recall"], part["f1-score"], int(part["support"])])
    report.heading(say("Per class", "クラスごと"))
    report.table(
        [say("class", "クラス"), "precision", "recall", "f1", say("holdout rows", "ホールドアウトの行数")],
        rows,
    )


def write_candidates(report: Report, results: dict[str, Any]) -> None:
    say, metric = report.say, results["metric"]
    fine = results["value"]["no_simpler_model_is_better"]
    report.heading(say("Simpler candidates", "より単純な候補"))
    report.paragraph(
        say(
            "Each candidate at its best setting, trained on the training rows and scored on the holdout, "
            f"simplest first. {'No simpler candidate scores better.' if fine else 'A SIMPLER CANDIDATE SCORES BETTER.'}",
            "各候補を最良の設定で学習データから学習し、ホールドアウトで評価しました（単純な順）。"
            f"{'より単純な候補の方が良いことはありません。' if fine else 'より単純な候補の方が良い結果です。'}",
        )
    )
    report.table(
        [say("candidate", "候補"), say("setting", "設定"), metric, say("chosen", "採用")],
        [
            [
                name,
                setting_text(part["setting"]),
                part[metric],
                "✔" if name == results["model"] else "",
            ]
            for name, part in results["candidates"].items()
        ],
    )


def write_staleness(report: Report, results: dict[str, Any], project: Project) -> None:
    say, metric = report.say, results["metric"]
    report.heading(say("Staleness", "モデルの鮮度"))
    if "staleness" not in results:
        report.paragraph(
            say(
                "Not measured: the prepared rows have no time column (data.time_column) to order them by.",
                "未測定: 準備済みの行に、時刻順に並べるための列（data.time_column）がありません。",
            )
        )
        return
    stale = results["staleness"]
    trained_on, newest = stale["trained_on"], stale["newest_meets_requirement"]
    verdict = {
        True: ("meets", "満たします"),
        False: ("does NOT meet", "満たしません"),
        None: ("could not be scored against", "判定できません"),
    }[newest]
    report.paragraph(
        say(
            f"The chosen candidate, trained on the older half of the rows by {project.data.time_column} "
            f"({trained_on['rows']:,} rows, {trained_on['from']} to {trained_on['to']}), scored on the newer half "
            f"in {STALENESS_PERIODS} periods: in the newest period it {verdict[0]} the requirement "
            f"{results['requirement']}.",
            f"採用した候補を {project.data.time_column} の順で古い半分の行（{trained_on['rows']:,} 行、"
            f"{trained_on['from']} から {trained_on['to']}）で学習し、新しい半分を {STALENESS_PERIODS} 期間に分けて"
            f"評価しました。最新の期間で要件 {results['requirement']} を{verdict[1]}。",
        )
    )
    report.table(
        [say("from", "開始"), say("to", "終了"), say("rows", "行数"), metric],
        [[part["from"], part["to"], part["rows"], shown(part[metric])] for part in stale["periods"]],
    )


def write_contributions(report: Report, results: dict[str, Any]) -> None:
    say, metric = report.say, results["metric"]
    found = results["feature_contributions"]
    idle = [column for column, part in found.items() if not part["helps"]]
    rows = min(results["holdout_rows"], CONTRIBUTION_ROWS)
    report.heading(say("Feature contributions", "特徴量の貢献"))
    report.paragraph(
        say(
            f"How much worse {metric} gets on {rows:,} holdout rows when one column's values are shuffled "
            f"({PERMUTATION_REPEATS} times): above zero, the column helps. "
            + (f"Columns that do not help: {', '.join(idle)}." if idle else "Every column helps."),
            f"ある列の値をシャッフルしたとき（{PERMUTATION_REPEATS} 回）、ホールドアウトの {rows:,} 行で {metric} がどれだけ悪化するか。"
            "0 より大きければ、その列は役に立っています。"
            + (f"役に立っていない列: {', '.join(idle)}。" if idle else "すべての列が役に立っています。"),
        )
    )
    report.table(
        [say("column", "列"), say("contribution", "貢献"), "std", say("helps", "役に立つ")],
        [
            [column, part["contribution"], part["std"], mark(part["helps"])]
            for column, part in sorted(found.items(), key=lambda item: -item[1]["contribution"])
        ],
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
                    [name, part["rows"], shown(part[results["metric"]])]
                    for name, part in results["slices"].items()
                ],
            ),
        ]
    write_text(card, replace_block(card.read_text(encoding="utf-8"), "results", "\n".join(lines)))
