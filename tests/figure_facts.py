"""What a baked project's figures show, read from the matplotlib figure objects, written as JSON.

Run in a baked project's folder, with this folder on PYTHONPATH:

    python -m figure_facts PACKAGE OUTPUT.json pipeline    # `run all` and `value`, in this process
    python -m figure_facts PACKAGE OUTPUT.json extremes    # the figure functions on awkward made-up data

Every figure of a run passes through `Report.figure`, which makes it readable and saves it; this wraps
that method to describe each figure as it was saved. `extremes` calls the `*_figure` functions directly
on large, tiny and negative numbers, a segment below the requirement and a payback that never comes,
and describes them after `readable`, as `Report.figure` would save them.
"""

import importlib
import json
import sys
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg

REFERENCE_STYLES = ("--", "-.", ":")


def is_reference(axes, line):
    """A line drawn for comparison rather than data: dashed or dotted, or across the axes
    (axhline/axvline, whose transform is not the data's)."""
    return line.get_linestyle() in REFERENCE_STYLES or line.get_transform() != axes.transData


def describe_axis(axis, renderer):
    formatter = axis.get_major_formatter()
    low, high = sorted(axis.get_view_interval())
    slack = (high - low) * 1e-6
    shown = [
        tick
        for tick in axis.get_major_ticks(len(axis.get_majorticklocs()))
        if low - slack <= tick.get_loc() <= high + slack
    ]
    # label1 sits left of or below the axes, label2 right of or above it (a colorbar's side).
    labels = [
        label
        for tick in shown
        for label in (tick.label1, tick.label2)
        if label.get_visible() and label.get_text()
    ]
    return {
        "formatter": type(formatter).__name__,
        "offset": formatter.get_offset() if hasattr(formatter, "get_offset") else "",
        "offset_text": axis.get_offset_text().get_text() if axis.get_offset_text().get_visible() else "",
        "label": axis.get_label_text(),
        "scale": axis.get_scale(),
        "ticks": [label.get_text() for label in labels],
        "extents": [list(label.get_window_extent(renderer).extents) for label in labels],
    }


def describe(figure):
    """Every axes of `figure`: its axes' offsets, labels and tick labels with where they are drawn, its
    reference lines' labels, its legend's texts and the shapes of its images."""
    if not isinstance(figure.canvas, FigureCanvasAgg):  # a figure pyplot closed keeps a blank canvas
        FigureCanvasAgg(figure)
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    figure_legends = [text.get_text() for legend in figure.legends for text in legend.get_texts()]
    described = []
    for axes in figure.axes:
        legend = axes.get_legend()
        legend_texts = [text.get_text() for text in legend.get_texts()] if legend else []
        described.append(
            {
                "title": axes.get_title(),
                "x": describe_axis(axes.xaxis, renderer),
                "y": describe_axis(axes.yaxis, renderer),
                "references": [line.get_label() for line in axes.get_lines() if is_reference(axes, line)],
                "legend": figure_legends + legend_texts,
                "images": [list(image.get_array().shape) for image in axes.get_images()],
            }
        )
    return {"axes": described, "title": figure._suptitle.get_text() if figure._suptitle else ""}


def pipeline(package):
    """Run every stage and the value command; describe each figure as its report saves it."""
    report = importlib.import_module(f"{package}.kit.reports.report")
    cli = importlib.import_module(f"{package}.kit.cli")
    facts = {}
    save = report.Report.figure

    def figure(self, name, made, caption):
        path = save(self, name, made, caption)
        facts[f"{self.folder.name}/{name}"] = describe(made)
        return path

    report.Report.figure = figure
    for command in (["run", "all"], ["value"]):
        if cli.main(command) != 0:
            raise SystemExit(f"{' '.join(command)} failed")
    return facts


def extremes(package):
    """The figure functions on data the stages accept but rarely see: huge, tiny and negative numbers."""
    import numpy as np
    import pandas as pd

    figures = importlib.import_module(f"{package}.kit.reports.figures")
    analysis = importlib.import_module(f"{package}.kit.reports.analysis")
    training = importlib.import_module(f"{package}.kit.reports.training")
    holdout = importlib.import_module(f"{package}.kit.reports.holdout")
    value = importlib.import_module(f"{package}.kit.process.value")
    config = importlib.import_module(f"{package}.kit.core.config")
    settings = config.load()
    language = settings.project.language
    reports_say = figures.messages(language)
    process_say = importlib.import_module(f"{package}.kit.core.messages").messages_beside(
        value.__file__, language
    )
    generator = np.random.default_rng(0)
    rows = 2_000
    frame = pd.DataFrame(
        {
            "huge": generator.lognormal(12, 2, rows),
            "tiny": generator.normal(0, 1e-6, rows),
            "negative": -generator.lognormal(8, 1, rows),
            "label": generator.choice(["a", "b", "c"], rows),
            "amount": generator.normal(1e7, 1e6, rows),
        }
    )
    made = {}
    for target, problem in (("label", "classification"), ("amount", "regression")):
        numeric = [column for column in ("huge", "tiny", "negative") if column != target]
        related = analysis.most_related(frame, target, numeric, problem)
        made[f"target_{problem}"] = analysis.target_figure(frame, target, problem, related, reports_say)
        made[f"related_{problem}"] = related
    made["missing"] = analysis.missing_figure(pd.Series({"huge": 0.0, "tiny": 0.4}), 0.3, reports_say)
    made["correlation"] = analysis.correlation_figure(frame[["huge", "tiny", "negative"]].corr(), reports_say)
    importance = pd.Series({f"column_{number}": 1e-7 * number for number in range(30)})
    made["importance"] = training.importance_figure(importance, "f1", reports_say)
    made["predicted"] = holdout.predicted_figure(frame["amount"], frame["amount"] * 1.1, reports_say)
    parts = {
        "far below": {"f1": 0.1, "meets_requirement": False},
        "just above": {"f1": 0.86, "meets_requirement": True},
        "too few rows": {"f1": 1.0, "meets_requirement": None},
    }
    slices = {"metric": "f1", "requirement": "f1 ≥ 0.85", "slices": parts}
    made["slices"] = holdout.slice_figure(slices, 0.85, reports_say)
    never = settings.value.model_copy(
        update={"development_cost": 1e12, "currency": "JPY", "horizon_months": 24}
    )
    results = value.outlook(never, 0.9)
    cases = {name: process_say(f"value.case.{name}") for name in results}
    made["payback_never"] = value.payback_figure(never, results, cases, process_say)
    facts = {}
    for name, figure in made.items():
        if isinstance(figure, str) or figure is None:
            facts[name] = figure
            continue
        figures.readable(figure, reports_say)
        facts[name] = describe(figure)
    facts["payback_never_results"] = results
    return facts


if __name__ == "__main__":
    package, output, mode = sys.argv[1:4]
    sys.path.insert(0, str(Path.cwd()))
    found = {"pipeline": pipeline, "extremes": extremes}[mode](package)
    Path(output).write_text(json.dumps(found, ensure_ascii=False, indent=1), encoding="utf-8")
