"""Test must show the model meets its requirement, beats the baseline and every simpler candidate,
holds up on newer rows and on every slice, needs each of its columns, and serves safely."""

import json
import re

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.kit import operations
from {{ cookiecutter.module_name }}.kit.core import metrics, models
from {{ cookiecutter.module_name }}.kit.core.data import DataError
from {{ cookiecutter.module_name }}.kit.core.files import sha256
from {{ cookiecutter.module_name }}.kit.core.messages import messages_here
from {{ cookiecutter.module_name }}.kit.core.pipeline import Project
from {{ cookiecutter.module_name }}.kit.core.records import ColumnSchema, ModelCard, Search
from {{ cookiecutter.module_name }}.kit.operations.predict import answers, predict, unseen_counts
from {{ cookiecutter.module_name }}.kit.process.readiness import not_applicable, skip_reason
from {{ cookiecutter.module_name }}.kit.reports import holdout as holdout_report
from {{ cookiecutter.module_name }}.kit.reports.holdout import mark
from {{ cookiecutter.module_name }}.kit.reports.report import format_cell
from {{ cookiecutter.module_name }}.modelling import BASELINE
{%- if cookiecutter.serving == "fastapi" %}
from {{ cookiecutter.module_name }}.test import service
{%- endif %}
from {{ cookiecutter.module_name }}.test.stage import (
    MIN_JUDGED_ROWS,
    STALENESS_PERIODS,
    feature_contributions,
    no_simpler_is_better,
    shortfall,
    slice_scores,
    staleness,
)


def classification_project(**data):
    """This project with the requirement f1 ≥ 0.8, positive label 1, and the data columns given."""
    this = Project.load()
    model = {"problem_type": "classification", "metric": "f1", "threshold": 0.8, "max_slice_gap": 0.1}
    settings = this.settings.model_copy(
        update={
            "model": this.settings.model.model_copy(update=model),
            "data": this.settings.data.model_copy(update={"positive_label": 1, **data}),
        }
    )
    return Project(this.root, settings)


@pytest.fixture(scope="module")
def results(evaluated):
    return json.loads(evaluated.path("metrics").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def served(evaluated):
    card = evaluated.read(ModelCard, "model_card")
    return models.load(evaluated.path("model")), card, pd.read_parquet(evaluated.path("holdout"))


def test_the_value_counts_the_share_of_right_answers(evaluated, served, results):
    """Classes: the share predicted right. Numbers: the share within value.tolerance of the actual value."""
    model, card, holdout = served
    predictions, _ = answers(holdout, model, card, refuse_unseen=False)
    truth = holdout[evaluated.data.target].to_numpy()
    if evaluated.problem_type == "classification":
        right = predictions == truth
    else:
        right = np.abs(predictions - truth) <= evaluated.settings.value.tolerance
    assert results["value"]["share_correct"] == pytest.approx(right.mean())


def test_the_model_meets_the_requirement_on_the_holdout(results):
    assert results["value"]["meets_requirement"], (
        f"{results['requirement']}: measured {results['value']['primary']:.3f}"
    )


def test_the_model_beats_the_baseline_on_the_holdout(results):
    assert results["value"]["beats_baseline"]
{%- if cookiecutter.serving == "fastapi" %}


def test_the_service_level_is_measured_on_the_holdout_rows_the_service_answers(results):
    level = results["service_level"]
    servable = results["holdout_rows"] - results["unseen_categories"]["refused_by_serving"]
    assert level["holdout_rows"] == servable
    assert level["rows"] == min(servable, service.SERVICE_ROWS)
    assert 0 < level["p50_ms"] <= level["p95_ms"] <= level["p99_ms"]
    assert level["rows_per_second"] > 0


def test_the_service_answers_every_row_it_is_sent_like_the_offline_predictions(results):
    level = results["service_level"]
    assert level["matching_predictions"] == level["rows"]


def test_a_large_holdout_is_served_in_a_sample_drawn_with_the_seed():
    assert list(service.sample_positions(5, seed=1)) == [0, 1, 2, 3, 4]
    drawn = service.sample_positions(3 * service.SERVICE_ROWS, seed=1)
    assert len(set(drawn)) == len(drawn) == service.SERVICE_ROWS
    assert list(drawn) == sorted(drawn) and drawn[-1] < 3 * service.SERVICE_ROWS
    assert list(drawn) == list(service.sample_positions(3 * service.SERVICE_ROWS, seed=1))
    assert list(drawn) != list(service.sample_positions(3 * service.SERVICE_ROWS, seed=2))
{%- else %}


def test_the_service_level_is_measured_on_every_holdout_row(results):
    level = results["service_level"]
    assert level["rows"] == results["holdout_rows"]
    assert 0 < level["p50_ms"] <= level["p95_ms"] <= level["p99_ms"]
    assert level["rows_per_second"] > 0
{%- endif %}


def test_the_results_name_the_model_version_they_were_measured_on(evaluated, results):
    assert results["model_version"] == sha256(evaluated.path("model"))[:12]


def test_no_simpler_candidate_is_better_on_the_holdout(results):
    scored, chosen = results["candidates"], results["model"]
    assert chosen in scored and BASELINE not in scored
    assert results["value"]["no_simpler_model_is_better"], f"holdout scores, simplest first: {scored}"


def test_a_simpler_candidate_that_scores_better_is_caught():
    assert not no_simpler_is_better({"simple": {"f1": 0.9}, "complex": {"f1": 0.8}}, "complex", "f1")
    assert no_simpler_is_better({"simple": {"f1": 0.9}, "complex": {"f1": 0.8}}, "simple", "f1")
    assert not no_simpler_is_better({"simple": {"rmse": 10.0}, "complex": {"rmse": 12.0}}, "complex", "rmse")
    assert no_simpler_is_better({"simple": {"rmse": 12.0}, "complex": {"rmse": 10.0}}, "complex", "rmse")


def test_a_model_trained_on_older_rows_still_meets_the_requirement_on_the_newest(evaluated, results):
    if evaluated.data.time_column is None:
        pytest.skip(not_applicable("no_time_column"))
    if "staleness" not in results:
        pytest.skip(skip_reason("time_column_not_prepared", column=evaluated.data.time_column))
    stale, metric = results["staleness"], results["metric"]
    assert len(stale["periods"]) == STALENESS_PERIODS
    newest = stale["periods"][-1]
    assert stale["newest_meets_requirement"], (
        f"trained on {stale['trained_on']}; newest period {newest['from']} to {newest['to']}: "
        f"{metric} {newest[metric]} against {results['requirement']}"
    )


def judged_slices(evaluated, results, verdict):
    """The slices with enough holdout rows to judge, and those of them that fail `verdict`; the test
    skips when there are none to judge."""
    segment = evaluated.data.segment_column
    if segment is None:
        pytest.skip(not_applicable("no_segment_column"))
    judged = {name: part for name, part in results["slices"].items() if part[verdict] is not None}
    if not judged:
        pytest.skip(not_applicable("no_slice_to_judge", segment=segment, rows=MIN_JUDGED_ROWS))
    return {name: part for name, part in judged.items() if not part[verdict]}


def test_every_slice_meets_the_requirement(evaluated, results):
    short = judged_slices(evaluated, results, "meets_requirement")
    assert not short, f"below {results['requirement']}: {short}"


def test_no_slice_falls_more_than_the_allowed_gap_below_the_overall_metric(evaluated, results):
    behind = judged_slices(evaluated, results, "within_allowed_gap")
    gap, overall = evaluated.settings.model.max_slice_gap, results["value"]["primary"]
    assert not behind, f"more than {gap:.0%} worse than the overall {overall:.3f}: {behind}"


def test_a_slice_below_the_requirement_or_beyond_the_allowed_gap_is_caught():
    project = classification_project(target="label", segment_column="group")
    truth = np.tile([1, 0], MIN_JUDGED_ROWS + 5)
    predictions = truth.copy()
    predictions[MIN_JUDGED_ROWS : MIN_JUDGED_ROWS + 30] ^= 1  # 30 wrong answers in the weak slice
    groups = ["strong"] * MIN_JUDGED_ROWS + ["weak"] * MIN_JUDGED_ROWS + ["small"] * 10
    holdout = pd.DataFrame({"group": groups, "label": truth})
    overall = metrics.score("f1", truth, predictions, positive_label=1)

    slices = slice_scores(holdout, predictions, None, overall, project)

    verdicts = ("meets_requirement", "within_allowed_gap")
    assert {name: [part[verdict] for verdict in verdicts] for name, part in slices.items()} == {
        "strong": [True, True],
        "weak": [False, False],
        "small": [None, None],
    }
    assert slices["weak"]["shortfall"] == pytest.approx((overall - slices["weak"]["f1"]) / overall)


def test_the_shortfall_of_a_slice_is_a_share_of_the_overall_metric_in_either_direction():
    assert shortfall(0.72, 0.8, "f1") == pytest.approx(0.1)
    assert shortfall(0.88, 0.8, "f1") == pytest.approx(-0.1)
    assert shortfall(12.0, 10.0, "rmse") == pytest.approx(0.2)
    assert shortfall(8.0, 10.0, "rmse") == pytest.approx(-0.2)


def test_the_report_shows_what_each_column_contributes(evaluated, served, results):
    """A report, not a verdict: a column that does not help on this holdout is for people to weigh."""
    found, card = results["feature_contributions"], served[1]
    assert list(found) == list(card.columns)
    rows = (evaluated.report_dir("test") / "report.md").read_text(encoding="utf-8").splitlines()
    for column, part in found.items():
        # The contribution table's row: the column, its contribution and spread, and whether it helps.
        row = re.compile(rf"\| {re.escape(format_cell(column))} \| -?[\d.,]+ \| [\d.,]+ \| (\S+) \|")
        marks = [match.group(1) for match in map(row.fullmatch, rows) if match]
        assert marks == [mark(part["helps"])], f"{column} helps: {part['helps']}; the report marks {marks}"


def test_the_report_lists_the_wrong_answers_the_model_was_surest_of(evaluated):
    """The rows for the Domain Expert: at most WRONG_ROWS, each one the model got wrong."""
    report_says = messages_here(holdout_report.__file__)  # the report's words, not this stage's
    text = (evaluated.report_dir("test") / "report.md").read_text(encoding="utf-8")
    section = text.split(f"## {report_says('holdout.wrong.heading')}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.strip("|").split(" | ") for line in section.splitlines() if line.startswith("| ")][2:]
    assert rows or report_says("holdout.wrong.none") in section
    assert len(rows) <= holdout_report.WRONG_ROWS
    measures = [float(row[-1].replace(",", "")) for row in rows]
    assert measures == sorted(measures, reverse=True), "the surest, or the furthest off, first"
    if evaluated.problem_type == "classification":
        assert all(row[-3].strip() != row[-2].strip() for row in rows), "every row listed is a wrong answer"


def test_the_confidence_of_an_answer_is_the_score_of_the_class_given():
    two_classes = holdout_report.confidence(np.array([1, 0]), np.array([0.9, 0.2]), 1)
    assert two_classes.tolist() == pytest.approx([0.9, 0.8])
    three_classes = holdout_report.confidence(np.array(["b"]), np.array([[0.1, 0.7, 0.2]]), None)
    assert three_classes.tolist() == pytest.approx([0.7])
    assert holdout_report.confidence(np.array([3.5]), None, None).tolist() == [0.0]


def test_a_column_that_tells_nothing_is_found_not_to_help(evaluated, served):
    model, card, holdout = served
    rows, columns = holdout.head(200).copy(), list(card.columns)
    column = columns[0]
    rows[column] = rows[column].iloc[0]
    found = feature_contributions(model, rows[columns], rows[evaluated.data.target], evaluated)
    assert found[column] == {"contribution": 0.0, "std": 0.0, "helps": False}


def drifting_rows(flip):
    """Dated rows whose label follows the sign of x; with `flip`, the newer half follows the opposite sign."""
    count = 400
    x = np.random.default_rng(0).normal(size=count)
    newer = np.arange(count) >= count // 2
    label = (x > 0) != (newer & flip)
    dates = pd.date_range("2024-01-01", periods=count, freq="D").strftime("%Y-%m-%d")
    return pd.DataFrame({"when": dates, "x": x, "label": label.astype(int)}).sample(frac=1, random_state=0)


def test_a_model_that_fades_with_time_is_caught():
    project = classification_project(target="label", time_column="when")
    # Only what staleness() reads of a card.
    card = ModelCard.model_construct(
        algorithm="logistic_regression",
        hyper_parameter_search={"logistic_regression": Search(tried=[], best={})},
        schema={"x": ColumnSchema(kind="numbers", dtype="float64")},
    )
    steady, drifted = (staleness(drifting_rows(flip), card, project) for flip in (False, True))
    assert steady["trained_on"] == {"from": "2024-01-01", "to": "2024-07-18", "rows": 200}
    assert [period["rows"] for period in steady["periods"]] == [50] * STALENESS_PERIODS
    assert steady["newest_meets_requirement"] is True
    assert drifted["newest_meets_requirement"] is False


def test_the_model_card_shows_the_results(evaluated, results):
    card = (evaluated.root / "docs" / "model-card.md").read_text(encoding="utf-8")
    block = card.split("<!-- begin:results -->", 1)[1].split("<!-- end:results -->", 1)[0]
    assert results["requirement"] in block


def test_predictions_match_the_model(served):
    model, card, holdout = served
    output = predict(holdout, model, card)
    assert (output["prediction"].to_numpy() == model.predict(holdout[list(card.columns)])).all()


def test_input_without_a_trained_column_is_refused(served):
    model, card, holdout = served
    column = next(iter(card.columns))
    missing = messages_here(operations.__file__)("refused.columns.problem", columns=column)
    with pytest.raises(DataError, match=re.escape(missing)):
        predict(holdout.drop(columns=[column]), model, card)


def test_a_category_never_seen_in_training_is_counted_and_answered_or_refused_as_the_policy_says(served):
    model, card, holdout = served
    known = [column for column, entry in card.columns.items() if entry.known_values is not None]
    if not known:
        pytest.skip(not_applicable("no_categorical_columns"))
    rows = holdout.head(3).copy()
    rows[known[0]] = "never seen"
    assert unseen_counts(rows, card) == {known[0]: 3}
    assert len(predict(rows, model, card.model_copy(update={"unseen_categories": "infrequent"}))) == 3
    serving = messages_here(operations.__file__)
    unseen = serving("refused.unseen.problem", column=known[0], values="never seen")
    with pytest.raises(DataError, match=re.escape(unseen)):
        predict(rows, model, card.model_copy(update={"unseen_categories": "refuse"}))


def test_the_test_stage_counts_the_categories_only_the_holdout_holds(results, served):
    _, card, holdout = served
    unseen = results["unseen_categories"]
    assert unseen["policy"] == card.unseen_categories
    assert unseen["rows"] == unseen_counts(holdout, card)
    assert results["holdout_rows"] == len(holdout)
