"""The demo must show what the model predicts and what Test measured, and never a traceback; it names
columns and classes as data.labels says, gives each answer its reasons, compares a file's known
answers with the model's, and keeps corrections where monitor reads them.

Each test drives the app as a person would, headless: fill in the form, upload a file, read what
is on the page. Streamlit's AppTest can set an uploaded file, so the agreement is tested through the
page; what it computes is tested directly in test_explain.py.
"""

import json
import shutil

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from {{ cookiecutter.module_name }}.kit.core import data, models
from {{ cookiecutter.module_name }}.kit.core.messages import messages_here
from {{ cookiecutter.module_name }}.kit.core.pipeline import OUTPUTS, PACKAGE, Project
from {{ cookiecutter.module_name }}.kit.core.records import ColumnSchema, ModelCard
from {{ cookiecutter.module_name }}.kit.operations import demo, explain, monitor
from {{ cookiecutter.module_name }}.kit.operations.predict import predict, unseen_categories
from {{ cookiecutter.module_name }}.kit.process.readiness import skip_reason
from {{ cookiecutter.module_name }}.kit.process.value import outlook

# Seconds one run of the app may take; the first one loads the model.
TIMEOUT = 60
# Uploaded files are read as the project's data is.
ENCODING = Project.load().data.encoding


@pytest.fixture(scope="module")
def served(evaluated):
    card = evaluated.read(ModelCard, "model_card")
    return models.load(evaluated.path("model")), card, pd.read_parquet(evaluated.path("holdout"))


@pytest.fixture(scope="module")
def results(evaluated):
    return json.loads(evaluated.path("metrics").read_text(encoding="utf-8"))


def open_demo(root, monkeypatch):
    """The demo as it opens in the project folder `root`."""
    monkeypatch.chdir(root)
    return AppTest.from_file(demo.__file__, default_timeout=TIMEOUT).run()


@pytest.fixture()
def app(evaluated, monkeypatch):
    return open_demo(evaluated.root, monkeypatch)


def readable(evaluated, card, output):
    """Predictions as the demo names them, from data.labels."""
    say = messages_here(demo.__file__)
    return demo.readable(output, card, explain.Labels.of(evaluated.data.labels), say)


def assert_shows(app, expected):
    """The page shows one table, and it holds `expected`'s columns with `expected`'s values."""
    assert not app.exception
    (table,) = app.dataframe
    expected = expected.reset_index(drop=True)
    shown = table.value[expected.columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(shown, expected, check_dtype=False)


def fill_in(app, row, card):
    """Enter one row into the form, field by field, as a person would."""
    for column, entry in card.columns.items():
        value = row[column].iloc[0]
        if entry.kind == "numbers":
            app.number_input(key=f"field.{column}").set_value(float(value))
        elif entry.known_values is not None:
            app.selectbox(key=f"field.{column}").set_value(str(value))
        else:
            app.text_input(key=f"field.{column}").input(str(value))
    app.button[0].click().run()


def complete_rows(card, holdout):
    """Holdout rows the form can take: every value given, each category one seen in training."""
    complete = holdout.dropna(subset=list(card.columns))
    seen = pd.Series(True, index=complete.index)
    for unseen in unseen_categories(complete, card).values():
        seen &= ~unseen
    complete = complete[seen].reset_index(drop=True)
    if complete.empty:
        pytest.skip(skip_reason("demo.no_complete_holdout_row"))
    return complete


def test_the_demo_shows_the_requirement_and_value_that_test_measured(app, evaluated, results):
    assert not app.exception
    shown = [metric.value for metric in app.metric]
    measured, currency = results["value"], evaluated.settings.value.currency
    assert results["requirement"] in shown
    assert f"{measured['primary']:.3f}" in shown
    assert f"{measured['planned_value_per_month']:,.0f} {currency}" in shown
    value_at_measured_quality = shown.index(f"{measured['business_value_per_month']:,.0f} {currency}")
    if measured["payback_month"]:
        assert shown[value_at_measured_quality + 1].startswith(f"{measured['payback_month']} ")
    assert bool(app.success) == measured["meets_requirement"]


def test_the_value_cases_are_the_ones_test_measured(evaluated, results):
    cases = outlook(evaluated.settings.value, results["value"]["share_correct"])
    assert cases["planned"]["value_per_month"] == results["value"]["planned_value_per_month"]
    assert (cases["measured"]["value_per_month"], cases["measured"]["payback_month"]) == (
        results["value"]["business_value_per_month"],
        results["value"]["payback_month"],
    )


@pytest.mark.parametrize("end", ["lowest", "highest"])
def test_the_form_predicts_what_predict_gives_for_the_same_row(app, served, evaluated, end):
    model, card, holdout = served
    complete = complete_rows(card, holdout)
    output = predict(complete, model, card)
    ranked = output["score"] if "score" in output else output["prediction"]
    row = complete.iloc[[ranked.idxmin() if end == "lowest" else ranked.idxmax()]]
    fill_in(app, row, card)

    assert_shows(app, readable(evaluated, card, predict(row, model, card).drop(columns=card.id_columns)))


def test_the_form_and_its_answer_carry_the_names_of_data_labels(app, served, evaluated):
    model, card, holdout = served
    labels = explain.Labels.of(evaluated.data.labels)
    for column in card.columns:
        field = next(
            field
            for kind in ("number_input", "selectbox", "text_input")
            for field in getattr(app, kind)
            if field.key == f"field.{column}"
        )
        assert field.label == labels.column(column)
    row = complete_rows(card, holdout).iloc[[0]]
    fill_in(app, row, card)
    answer = predict(row, model, card)["prediction"].iloc[0]
    say = messages_here(demo.__file__)
    shown = {metric.label: metric.value for metric in app.metric}
    assert shown[say("demo.answer.prediction")] == labels.answer(answer)
    if card.problem_type == "classification" and explain.class_text(answer) in labels.classes:
        assert labels.answer(answer) != explain.class_text(answer)  # a class with a name shows its name


def test_each_answer_shows_its_reasons_by_their_readable_names(app, served, evaluated):
    model, card, holdout = served
    labels = explain.Labels.of(evaluated.data.labels)
    row = complete_rows(card, holdout).iloc[[0]]
    fill_in(app, row, card)
    found = explain.reasons(
        demo.one_row({c: row[c].iloc[0] for c in card.columns}, card.columns), model, card
    )
    text = "\n".join(markdown.value for markdown in app.markdown)
    say = messages_here(demo.__file__)
    assert say("demo.reasons.title") in text
    if not found:
        assert say("demo.reasons.none") in text
    for reason in found:
        assert f"**{labels.column(reason.column)}**" in text, text


def test_a_correction_of_one_answer_is_kept_where_monitor_reads_it(served, finished, monkeypatch):
    model, card, holdout = served
    app = open_demo(finished, monkeypatch)
    rows = complete_rows(card, holdout)
    answers = predict(rows, model, card)["prediction"]
    say = messages_here(demo.__file__)
    # Two corrections, so that a classifier's corrections hold two classes, as the metric needs.
    chosen = (
        [0, len(rows) - 1]
        if card.problem_type == "regression"
        else [answers.map(explain.class_text).eq(label).idxmax() for label in card.classes[:2]]
    )
    for position in chosen:
        fill_in(app, rows.iloc[[position]], card)
        answer = answers.iloc[position]
        if card.problem_type == "classification":
            right = next(label for label in card.classes if label != explain.class_text(answer))
            app.selectbox(key="feedback.answer").set_value(right)
        else:
            right = float(answer) + 1
            app.number_input(key="feedback.answer").set_value(right)
        app.button(key="feedback.record").click().run()
        assert not app.exception
        path = Project.load(finished).data.feedback_path
        assert any(
            say("demo.feedback.recorded", rows=1, path=path) == success.value for success in app.success
        )

    project = Project.load(finished)
    written = project.read_table(finished / project.data.feedback_path)
    assert len(written) == len(chosen)
    model_answers = [answers.iloc[position] for position in chosen]
    if card.problem_type == "regression":  # numbers come back from the CSV file as close as it writes them
        assert written[explain.MODEL_ANSWER].tolist() == pytest.approx(model_answers)
    else:
        assert written[explain.MODEL_ANSWER].map(explain.class_text).tolist() == [
            explain.class_text(answer) for answer in model_answers
        ]
    record = monitor.run(project, finished / project.data.feedback_path)
    assert record["rows"] == len(chosen)


def test_an_uploaded_file_with_answers_shows_the_agreement_and_the_rows_that_differ(app, served, evaluated):
    model, card, holdout = served
    rows = holdout.head(40).reset_index(drop=True)
    app.file_uploader[0].set_value(("rows.csv", rows.to_csv(index=False).encode(ENCODING), "text/csv")).run()
    assert not app.exception
    found = explain.agreement(rows, model, card, evaluated)
    say = messages_here(demo.__file__)
    target = explain.Labels.of(evaluated.data.labels).column(evaluated.data.target)
    shown = {metric.label: metric.value for metric in app.metric}
    assert shown[say("demo.agreement.share", target=target)] == f"{found.share:.1%}"
    assert shown[say("demo.agreement.metric", metric=found.metric)] == f"{found.value:.3f}"
    (table,) = app.dataframe
    assert table.value[say("demo.agreement.agrees", target=target)].tolist() == found.agrees.tolist()
    wrong = [str(number + 1) for number in found.agrees.index[~found.agrees.astype(bool)]]
    warnings = [warning.value for warning in app.warning]
    if wrong:
        assert say("demo.agreement.disagree", rows=say("separator").join(wrong)) in warnings
    else:
        assert not warnings


def test_corrections_of_uploaded_rows_are_kept_where_monitor_reads_them(
    served, evaluated, finished, monkeypatch
):
    model, card, holdout = served
    app = open_demo(finished, monkeypatch)
    rows = holdout.head(20).reset_index(drop=True)
    app.file_uploader[0].set_value(("rows.csv", rows.to_csv(index=False).encode(ENCODING), "text/csv")).run()
    target = evaluated.data.target
    # Each row corrected to an answer of its own, two groups when there are classes.
    if card.problem_type == "classification":
        groups = [([1, 2], card.classes[0]), ([3], card.classes[1])]
    else:
        groups = [([1, 2, 3], float(rows[target].mean()))]
    for numbers, right in groups:
        app.multiselect(key="feedback.rows").set_value(numbers)
        if card.problem_type == "classification":
            app.selectbox(key="feedback.upload_answer").set_value(right)
        else:
            app.number_input(key="feedback.upload_answer").set_value(right)
        app.button(key="feedback.upload_record").click().run()
        assert not app.exception
    project = Project.load(finished)
    written = project.read_table(finished / project.data.feedback_path)
    numbers = [number for group, _ in groups for number in group]
    assert len(written) == len(numbers)
    for column in card.id_columns:
        assert (
            written[column].astype(str).tolist()
            == rows[column].iloc[[n - 1 for n in numbers]].astype(str).tolist()
        )
    assert monitor.run(project, finished / project.data.feedback_path)["rows"] == len(numbers)


def test_the_form_takes_a_choice_of_numbers_back_as_numbers():
    columns = {"rating": ColumnSchema(kind="ordered", dtype="int64", known_values=["1", "2", "3"])}
    row = demo.one_row({"rating": "3"}, columns)
    assert row["rating"].tolist() == [3]


def test_an_uploaded_file_gets_the_predictions_predict_gives(app, served, evaluated):
    model, card, holdout = served
    rows = holdout.head(20)
    app.file_uploader[0].set_value(("rows.csv", rows.to_csv(index=False).encode(ENCODING), "text/csv")).run()

    assert_shows(app, readable(evaluated, card, predict(rows, model, card)))


@pytest.mark.parametrize("problem", ["a trained column is missing", "not a Parquet file"])
def test_a_bad_file_shows_what_is_wrong_instead_of_a_traceback(app, served, problem):
    model, card, holdout = served
    column = next(iter(card.columns))
    name, content, message = {
        "a trained column is missing": (
            "rows.csv",
            holdout.head(20).drop(columns=[column]).to_csv(index=False).encode(ENCODING),
            messages_here(demo.__file__)("refused.columns.problem", columns=column),
        ),
        "not a Parquet file": (
            "rows.parquet",
            b"these bytes are not Parquet",
            data.say("data.requirement.readable"),
        ),
    }[problem]
    app.file_uploader[0].set_value((name, content, "application/octet-stream")).run()

    assert not app.exception
    assert any(message in error.value for error in app.error), [error.value for error in app.error]
    assert not app.dataframe


def scratch_project(evaluated, tmp_path, outputs=()):
    """A copy of the test project's settings with only the given stage outputs."""
    shutil.copy(evaluated.root / "params.yaml", tmp_path / "params.yaml")
    for name in outputs:
        (tmp_path / OUTPUTS[name]).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(evaluated.path(name), tmp_path / OUTPUTS[name])
    return tmp_path


@pytest.mark.parametrize("outputs", [(), ("model", "model_card")], ids=["not trained", "not tested"])
def test_without_a_tested_model_the_demo_says_which_command_to_run(evaluated, tmp_path, monkeypatch, outputs):
    app = open_demo(scratch_project(evaluated, tmp_path, outputs), monkeypatch)
    assert not app.exception
    (warning,) = app.warning
    assert f"python -m {PACKAGE} run all" in warning.value
    assert not app.metric and not app.file_uploader


def test_a_model_file_changed_after_training_is_refused_with_the_reason(evaluated, tmp_path, monkeypatch):
    root = scratch_project(evaluated, tmp_path, ("model", "model_card", "metrics"))
    (root / OUTPUTS["model"]).write_bytes(b"not the trained model")
    app = open_demo(root, monkeypatch)
    assert not app.exception
    (error,) = app.error
    say = messages_here(models.__file__)
    fix = say("models.fix", stage="train")
    changed = say(
        "models.changed", file=OUTPUTS["model"], record=OUTPUTS["model_card"], stage="train", fix=fix
    )
    assert changed in error.value
    assert not app.metric and not app.file_uploader


def test_the_demo_speaks_the_projects_language(evaluated, tmp_path, monkeypatch):
    app = open_demo(scratch_project(evaluated, tmp_path), monkeypatch)
    (warning,) = app.warning
    kana = any("\u3040" <= character <= "\u30ff" for character in warning.value)
    assert kana == (evaluated.settings.project.language == "ja"), warning.value
