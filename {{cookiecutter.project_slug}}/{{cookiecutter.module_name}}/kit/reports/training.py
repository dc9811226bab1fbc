"""The Train stage's report, written from its search and the chosen model's feature importance.

The stage searches and chooses; this only shows what it tried and chose, in the project's language.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from ..core.messages import Messages
from ..core.pipeline import Project
from .report import Report, plt, setting_text


def write_report(
    project: Project,
    tried: dict[str, list[dict[str, Any]]],
    results: dict[str, dict[str, Any]],
    chosen: str,
    importance: pd.Series,
    searched_rows: int,
    training_rows: int,
    sample: tuple[int, dict[int, float]] | None = None,
    distributed: dict[str, Any] | None = None,
) -> Path:
    """`reports/train/report.md` and its figure: every setting each candidate was cross-validated at,
    the chosen one marked, and how much shuffling each column worsens the metric (`importance`).
    `sample`: the rows of the training split and the chosen candidate's metric by rows learned from,
    when the model learned from a sample of the split. `distributed`: how XGBoost trained the model on
    Spark (rows, workers, rounds) and the candidate that scored best in the search (winner), when
    spark.training is distributed."""
    say = project.messages(__file__)
    report = Report(project.report_dir("train"), say("training.title"), say.language)
    metric = project.settings.model.metric
    report.heading(say("training.report.candidates"))
    report.paragraph(
        say(
            "training.report.searched",
            folds=project.settings.model.cv_folds,
            searched=searched_rows,
            rows=training_rows,
        )
    )
    report.table(
        [
            say("training.table.model"),
            say("training.table.setting"),
            say("training.table.mean", metric=metric),
            say("training.table.std"),
            say("training.table.chosen"),
        ],
        [
            [
                name,
                setting_text(entry["setting"]),
                entry["mean"],
                entry["std"],
                "✔" if name == chosen and entry is results[name] else "",
            ]
            for name, tries in tried.items()
            for entry in tries
        ],
    )
    if sample is not None:
        split_rows, by_rows = sample
        report.heading(say("training.report.sample"))
        report.paragraph(say("training.report.sampled", rows=training_rows, split_rows=split_rows))
        report.table(
            [say("training.table.rows_learned"), say("training.table.mean", metric=metric)],
            [[f"{rows:,}", score] for rows, score in by_rows.items()],
        )
    if distributed is not None:
        report.heading(say("training.report.distributed"))
        facts = {key: distributed[key] for key in ("rows", "workers", "rounds")}
        trained = say("training.report.trained_on_spark", model=chosen, searched=searched_rows, **facts)
        report.paragraph(trained)
        winner = distributed["winner"]
        if winner != chosen:
            scores = {"score": results[chosen]["mean"], "winner_score": results[winner]["mean"]}
            report.paragraph(say("training.report.search_preferred", winner=winner, metric=metric, **scores))
    report.heading(say("training.report.importance"))
    report.paragraph(say("training.report.permutation", metric=metric))
    figure = importance_figure(importance, metric, say)
    report.figure("feature_importance", figure, say("training.report.importance"))
    return report.write()


def importance_figure(importance: pd.Series, metric: str, say: Messages) -> Figure:
    """How much shuffling each column worsens `metric`, one bar per column."""
    figure, axis = plt.subplots(figsize=(7, max(2.5, 0.35 * len(importance))))
    axis.barh([str(column) for column in importance.index], importance.to_numpy(), color="#55A868")
    axis.set_xlabel(say("training.figure.worsening", metric=metric))
    return figure
