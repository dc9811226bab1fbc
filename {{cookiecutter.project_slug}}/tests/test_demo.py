"""The demo must show what the model predicts and what Test measured, and never a traceback.

Each test drives the app as a person would, headless: fill in the form, upload a file, read what
is on the page.
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
from {{ cookiecutter.module_name }}.kit.operations import demo
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


def assert_shows(app, expected):
    """The page shows one table, and it holds `expected`'s columns with `expected`'s values."""
    assert not app.exception
    (table,) = app.dataframe
    expected = expected.reset_index(drop=True)
    pd.testing.assert_frame_equal(table.value[expected.columns], expected, check_dtype=False)


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
def test_the_form_predicts_what_predict_gives_for_the_same_row(app, served, end):
    model, card, holdout = served
    # The form offers the categories seen in training: a row it can take has every value and no other.
    complete = holdout.dropna(subset=list(card.columns))
    seen = pd.Series(True, index=complete.index)
    for unseen in unseen_categories(complete, card).values():
        seen &= ~unseen
    complete = complete[seen].reset_index(drop=True)
    if complete.empty:
        pytest.skip(skip_reason("demo.no_complete_holdout_row"))
    output = predict(complete, model, card)
    ranked = output["score"] if "score" in output else output["prediction"]
    row = complete.iloc[[ranked.idxmin() if end == "lowest" else ranked.idxmax()]]
    for column, entry in card.columns.items():
        value = row[column].iloc[0]
        if entry.kind == "numbers":
            next(field for field in app.number_input if field.label == column).set_value(float(value))
        elif entry.known_values is not None:
            next(field for field in app.selectbox if field.label == column).set_value(str(value))
        else:
            next(field for field in app.text_input if field.label == column).input(str(value))
    app.button[0].click().run()

    assert_shows(app, predict(row, model, card).drop(columns=card.id_columns))


def test_the_form_takes_a_choice_of_numbers_back_as_numbers():
    columns = {"rating": ColumnSchema(kind="ordered", dtype="int64", known_values=["1", "2", "3"])}
    row = demo.one_row({"rating": "3"}, columns)
    assert row["rating"].tolist() == [3]


def test_an_uploaded_file_gets_the_predictions_predict_gives(app, served):
    model, card, holdout = served
    rows = holdout.head(20)
    app.file_uploader[0].set_value(("rows.csv", rows.to_csv(index=False).encode(ENCODING), "text/csv")).run()

    assert_shows(app, predict(rows, model, card))


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
