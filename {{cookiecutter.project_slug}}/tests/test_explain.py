"""What the demo shows beside a prediction, computed in the kit: readable names, the reasons of one
answer, the agreement with known answers, and the corrections kept for monitoring.

The tests take whatever the stages trained on, so they hold for other columns, more classes and
regression; a check that does not apply to this data is skipped with its reason.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.pipeline import Pipeline

from {{ cookiecutter.module_name }}.kit.core import metrics, models
from {{ cookiecutter.module_name }}.kit.core.config import DELIMITERS, LabelSettings
from {{ cookiecutter.module_name }}.kit.core.data import DataError
from {{ cookiecutter.module_name }}.kit.core.pipeline import Project
from {{ cookiecutter.module_name }}.kit.core.records import ModelCard
from {{ cookiecutter.module_name }}.kit.operations import explain, monitor
from {{ cookiecutter.module_name }}.kit.operations.predict import model_input, predict
from {{ cookiecutter.module_name }}.kit.process.readiness import skip_reason


@pytest.fixture(scope="module")
def served(evaluated):
    card = evaluated.read(ModelCard, "model_card")
    return models.load(evaluated.path("model")), card, pd.read_parquet(evaluated.path("holdout"))


def answer_of(row, model, card, prediction):
    """The answer `reasons` weighs for one row: the predicted class's score, or the predicted number."""
    predictions, scores = metrics.predict(model, model_input(row, card), card.positive_label)
    return explain.answered_as(predictions, scores, model, card, [prediction])[0]


@pytest.mark.parametrize("position", [0, 1, 2])
def test_the_reasons_are_the_columns_whose_absence_moves_the_answer_most(served, position):
    model, card, holdout = served
    row = holdout.iloc[[position]]
    found = explain.reasons(row, model, card)
    assert 0 < len(found) <= explain.REASONS
    assert [abs(reason.contribution) for reason in found] == sorted(
        (abs(reason.contribution) for reason in found), reverse=True
    )
    prediction = predict(row, model, card)["prediction"].iloc[0]
    with_all = answer_of(row, model, card, prediction)
    for reason in found:
        assert reason.column in card.columns
        without = row.copy()
        without[reason.column] = without[reason.column].mask([True])
        assert with_all - answer_of(without, model, card, prediction) == pytest.approx(reason.contribution)
    # No column left out of the reasons moves the answer more than the least of them.
    for column in set(card.columns) - {reason.column for reason in found}:
        without = row.copy()
        without[column] = without[column].mask([True])
        moved = abs(with_all - answer_of(without, model, card, prediction))
        assert moved <= abs(found[-1].contribution) + 1e-9


def test_the_reasons_of_many_rows_are_those_of_each_row(served):
    model, card, holdout = served
    rows = holdout.head(5)
    by_row = explain.reasons_by_row(rows, model, card)
    for position, found in enumerate(by_row):
        alone = explain.reasons(rows.iloc[[position]], model, card)
        assert [reason.column for reason in found] == [reason.column for reason in alone]
        assert [reason.contribution for reason in found] == pytest.approx(
            [reason.contribution for reason in alone]
        )


def test_a_model_that_ignores_the_columns_gives_no_reasons(served, evaluated):
    model, card, holdout = served
    preprocess = model.named_steps["preprocess"]
    features = preprocess.transform(model_input(holdout, card))
    truth = holdout[evaluated.data.target]
    baseline = (
        DummyClassifier(strategy="prior") if card.problem_type == "classification" else DummyRegressor()
    )
    ignoring = Pipeline([("preprocess", preprocess), ("model", baseline.fit(features, truth))])
    assert explain.reasons(holdout.iloc[[0]], ignoring, card) == []


def test_labels_name_columns_and_classes_and_leave_the_rest_as_they_are():
    labels = explain.Labels.of(
        LabelSettings(columns={"amount": "Amount"}, classes={1: "Business", "no": "No"})
    )
    assert labels.column("amount") == "Amount" and labels.column("other") == "other"
    assert (
        labels.answer(1)
        == labels.answer(np.int64(1))
        == labels.answer(1.0)
        == labels.answer("1")
        == "Business"
    )
    assert labels.answer("no") == "No" and labels.answer(2) == "2"
    assert labels.answer(12.3456) == "12.346"


def test_the_example_data_has_a_label_for_each_class_the_model_knows(served, evaluated):
    model, card, _ = served
    if evaluated.data.example == "none" or card.problem_type != "classification":
        pytest.skip(skip_reason("explain.no_labelled_classes"))
    labels = explain.Labels.of(evaluated.data.labels)
    assert {labels.answer(value) for value in card.classes}.isdisjoint(card.classes)


def test_agreement_is_the_share_of_rows_answered_as_the_file_says_and_the_projects_metric(served, evaluated):
    model, card, holdout = served
    rows = holdout.head(200).reset_index(drop=True)
    target = evaluated.data.target
    rows.loc[[0, 1], target] = np.nan  # rows whose answer is not known are left out
    found = explain.agreement(rows, model, card, evaluated)
    labelled = rows.dropna(subset=[target])
    predictions, scores = metrics.predict(model, model_input(labelled, card), card.positive_label)
    if card.problem_type == "classification":
        right = predictions == labelled[target].to_numpy()
    else:
        right = np.abs(predictions - labelled[target].to_numpy()) <= evaluated.settings.value.tolerance
    assert found.rows == len(labelled)
    assert found.share == pytest.approx(np.mean(right))
    metric = evaluated.settings.model.metric
    assert found.metric == metric
    expected = metrics.score(metric, labelled[target], predictions, scores, **evaluated.scoring)
    assert found.value == pytest.approx(expected)
    assert found.agrees.isna().tolist()[:2] == [True, True]
    assert found.agrees.dropna().tolist() == right.tolist()


def test_a_file_without_answers_has_no_agreement(served, evaluated):
    model, card, holdout = served
    assert (
        explain.agreement(holdout.head(5).drop(columns=[evaluated.data.target]), model, card, evaluated)
        is None
    )


def corrections(served, project, rows):
    """Corrections of `rows` that contradict the model: another class, or the answer one tolerance off."""
    model, card, _ = served
    answers = predict(rows, model, card)["prediction"]
    if card.problem_type == "classification":
        right = [
            next(label for label in card.classes if label != explain.class_text(answer)) for answer in answers
        ]
    else:
        right = answers + 2 * (project.settings.value.tolerance or 1)
    return explain.feedback_rows(rows, answers, list(right), card, project)


def test_corrections_are_appended_as_labelled_rows_that_monitor_reads(served, finished):
    model, card, holdout = served
    project = Project.load(finished)
    target = project.data.target
    # Rows of every class, so that the corrections hold more than one (the metric needs two).
    rows = holdout.groupby(target, group_keys=False).head(6).head(12)
    half = len(rows) // 2
    path = explain.append_feedback(project, corrections(served, project, rows.iloc[:half]))
    explain.append_feedback(project, corrections(served, project, rows.iloc[half:]))
    assert path == finished / project.data.feedback_path

    text = path.read_text(encoding=project.data.encoding)
    header = text.splitlines()[0]
    assert text.count(header) == 1 and len(text.splitlines()) == len(rows) + 1
    written = project.read_table(path)
    assert list(written.columns[-3:]) == [target, explain.MODEL_ANSWER, explain.RECORDED_AT]
    assert set(card.columns) <= set(written.columns)
    if project.problem_type == "classification" and written[target].nunique() < 2:
        pytest.skip(skip_reason("explain.one_corrected_class"))
    record = monitor.run(project, path)
    assert record["rows"] == len(rows)


def test_a_correction_never_damages_the_rows_already_kept(served, finished):
    project = Project.load(finished)
    model, card, holdout = served
    path = finished / project.data.feedback_path
    first = explain.append_feedback(project, corrections(served, project, holdout.iloc[[0]]))
    kept = first.read_bytes().rstrip(b"\n")
    path.write_bytes(kept)  # a last row without its line break, as an editor may leave it
    explain.append_feedback(project, corrections(served, project, holdout.iloc[[1]]))
    assert path.read_bytes().startswith(kept + b"\n")
    assert len(project.read_table(path)) == 2


def test_a_feedback_file_of_another_model_is_refused_and_kept_as_it_is(served, finished):
    project = Project.load(finished)
    _, _, holdout = served
    path = finished / project.data.feedback_path
    path.parent.mkdir(parents=True, exist_ok=True)
    delimiter = DELIMITERS[project.data.delimiter]
    before = f"other{delimiter}columns\n1{delimiter}2\n".encode(project.data.encoding)
    path.write_bytes(before)
    with pytest.raises(DataError) as refused:
        explain.append_feedback(project, corrections(served, project, holdout.iloc[[0]]))
    assert path.name in str(refused.value)
    assert path.read_bytes() == before
