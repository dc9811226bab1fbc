"""Figures people read at a glance, checked on the figure objects, not on the pictures.

`figure_facts.py` runs inside a baked project and describes each figure as matplotlib holds it: the
offset text of every axis, its tick labels and where they are drawn, its reference lines and legends.
Every figure must have no scientific offset, tick labels that do not overlap, and a legend entry for
each reference line; money is written with separators or in 万円; the payback chart marks break-even;
a correlation heatmap appears only with two numeric columns or more; the target figure shows the
numeric column most related to the target.
"""

import json
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import bake, read, run

HELPER_FOLDER = Path(__file__).parent
PACKAGE = "expense_classifier"
# A number written in full: digits grouped by separators, optionally decimals; never 1e7 or 1.2e-05.
FULL_NUMBER = re.compile(r"[−-]?\d{1,3}(,\d{3})*(\.\d+)?")
SCIENTIFIC = re.compile(r"\de[+−-]?\d", re.IGNORECASE)


def facts(root, mode, tmp_path):
    """What the project's figures show: `pipeline` runs every stage, `extremes` feeds awkward data."""
    output = tmp_path / f"{mode}.json"
    result = run(
        ["-m", "figure_facts", PACKAGE, str(output), mode],
        root,
        PYTHONPATH=str(HELPER_FOLDER),
        OMP_NUM_THREADS="1",
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads(output.read_text(encoding="utf-8"))


def messages(root, folder):
    """The project's messages of a kit folder (`reports`, `process`), as nested mappings."""
    language = yaml.safe_load(read(root, "params.yaml"))["project"]["language"]
    return yaml.safe_load(read(root, f"{PACKAGE}/kit/{folder}/messages.{language}.yaml"))


def overlap(left, right):
    """Whether two window extents [x0, y0, x1, y1] overlap by more than a hair."""
    return min(left[2], right[2]) - max(left[0], right[0]) > 0.5 and (
        min(left[3], right[3]) - max(left[1], right[1]) > 0.5
    )


def problems(name, figure):
    """Everything that keeps `figure` from being read at a glance, as sentences."""
    found = []
    for number, axes in enumerate(figure["axes"]):
        where = f"{name}, axes {number} ({axes['title']!r})"
        for side in ("x", "y"):
            axis = axes[side]
            if axis["offset"] or axis["offset_text"]:
                found.append(f"{where}: {side} axis has the offset {axis['offset'] or axis['offset_text']!r}")
            scientific = [tick for tick in axis["ticks"] if SCIENTIFIC.search(tick)]
            if scientific:
                found.append(f"{where}: {side} ticks in scientific notation: {scientific}")
            extents = axis["extents"]
            clashes = [
                (axis["ticks"][i], axis["ticks"][j])
                for i in range(len(extents))
                for j in range(i + 1, len(extents))
                if overlap(extents[i], extents[j])
            ]
            if clashes:
                found.append(f"{where}: {side} tick labels overlap: {clashes[:3]}")
        for label in axes["references"]:
            if label.startswith("_") or label not in axes["legend"]:
                found.append(f"{where}: reference line {label!r} is not in the legend {axes['legend']}")
    return found


def money_problems(name, figure, root):
    """A money axis labelled with its currency or 万円 and ticks written in full with separators."""
    axis = figure["axes"][0]["y"]
    currency = yaml.safe_load(read(root, "params.yaml"))["value"]["currency"]
    yen_unit = messages(root, "reports")["figures"]["money"]["yen_unit"]
    found = []
    if currency not in axis["label"] and yen_unit not in axis["label"]:
        found.append(f"{name}: the money axis {axis['label']!r} names neither {currency} nor {yen_unit}")
    loose = [tick for tick in axis["ticks"] if not FULL_NUMBER.fullmatch(tick)]
    if loose:
        found.append(f"{name}: money ticks not written in full with separators: {loose}")
    return found


def break_even_labels(root, results):
    """The legend labels of the break-even markers the payback chart must carry, from the messages."""
    process = messages(root, "process")["value"]
    horizon = yaml.safe_load(read(root, "params.yaml"))["value"]["horizon_months"]
    return {
        name: process["figure"]["break_even"].format(case=process["case"][name], month=month)
        for name, month in ((name, result["payback_month"]) for name, result in results.items())
        if month is not None and month <= horizon
    }


@pytest.mark.parametrize("language", ["en", "ja"])
def test_figures_read_at_a_glance_on_huge_tiny_and_negative_numbers(cookies, language, tmp_path):
    root = bake(cookies, language=language)
    found = facts(root, "extremes", tmp_path)

    trouble = [
        problem
        for name, figure in found.items()
        if isinstance(figure, dict) and "axes" in figure
        for problem in problems(name, figure)
    ]
    assert not trouble, "\n".join(trouble)
    # In Japanese, yen amounts of a trillion read in 万円; in English, with separators.
    assert not money_problems("payback_never", found["payback_never"], root)
    # Never breaking even within the horizon is said in the title, and no marker pretends otherwise.
    process = messages(root, "process")["value"]
    title = found["payback_never"]["axes"][0]["title"]
    for name in found["payback_never_results"]:
        never = process["figure"]["no_break_even"].format(case=process["case"][name], months=24)
        assert never in title
    assert not found["payback_never"]["axes"][0]["references"]
    # The segment below the requirement is drawn below its labelled line, and the line is in view.
    slices = found["slices"]["axes"][0]
    requirement = messages(root, "reports")["figures"]["requirement"].format(requirement="f1 ≥ 0.85")
    assert slices["references"] == [requirement]
    # The made-up data relate the log-normal column most to both targets.
    assert found["related_classification"] == "huge" and found["related_regression"] == "huge"


PIPELINES = {"classification": {}, "regression": {"problem_type": "regression"}}


@pytest.fixture(scope="module", params=list(PIPELINES))
def pipeline_run(request, cookies_session, tmp_path_factory):
    """A project of each kind that ran every stage, with what its figures showed."""
    root = bake(cookies_session, **PIPELINES[request.param])
    return request.param, root, facts(root, "pipeline", tmp_path_factory.mktemp(request.param))


@pytest.mark.slow
def test_every_figure_of_a_run_reads_at_a_glance(pipeline_run):
    kind, root, found = pipeline_run
    assert {"analyze/target", "analyze/missing", "train/feature_importance", "value/payback"} <= set(found)
    trouble = [problem for name, figure in found.items() for problem in problems(name, figure)]
    assert not trouble, "\n".join(trouble)


@pytest.mark.slow
def test_the_payback_chart_shows_money_in_full_and_marks_break_even(pipeline_run):
    kind, root, found = pipeline_run
    payback = found["value/payback"]
    assert not money_problems("value/payback", payback, root)
    expected = break_even_labels(root, json.loads(read(root, "reports/value/value.json")))
    assert expected, "the example pays back within the horizon"
    axes = payback["axes"][0]
    for label in expected.values():
        assert label in axes["references"] and label in axes["legend"], (label, axes["references"])


@pytest.mark.slow
def test_a_correlation_heatmap_needs_two_numeric_columns(pipeline_run):
    kind, root, found = pipeline_run
    target = yaml.safe_load(read(root, "params.yaml"))["data"]["target"]
    report = read(root, "reports/analyze/report.md")
    if "analyze/correlation" in found:
        heatmap = found["analyze/correlation"]["axes"][0]
        columns = [column for column in heatmap["x"]["ticks"] if column != target]
        assert heatmap["images"] and len(columns) >= 2, heatmap
    else:
        sentence = messages(root, "reports")["figures"]["one_numeric"].split("{")[0].strip()
        assert sentence in report
    # The expenses example has one numeric column (amount); the diabetes data has ten.
    assert ("analyze/correlation" in found) == (kind == "regression")


@pytest.mark.slow
def test_the_target_figure_shows_the_column_most_related_to_the_target(pipeline_run):
    kind, root, found = pipeline_run
    params = yaml.safe_load(read(root, "params.yaml"))["data"]
    frame = pd.read_csv(root / params["path"])
    target = params["target"]
    axes = found["analyze/target"]["axes"]
    numeric = [
        column
        for column in frame.select_dtypes("number").columns
        if column not in (target, *params["id_columns"], *params["personal_data_columns"])
    ]
    if kind == "regression":
        strongest = frame[numeric].corrwith(frame[target]).abs().idxmax()
        assert axes[-1]["x"]["label"] == strongest and axes[-1]["y"]["label"] == target
    else:
        column = numeric[0] if len(numeric) == 1 else None
        by_class = messages(root, "reports")["analysis"]["figure"]["by_class"]
        assert column is not None and by_class.format(column=column) in axes[-1]["title"]
