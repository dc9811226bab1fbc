"""The prediction service answers like the offline predictions and refuses what it cannot judge."""

import json
import math
import shutil
import urllib.error
import urllib.request

import pandas as pd
import pytest

from {{ cookiecutter.module_name }} import cli, models
from {{ cookiecutter.module_name }}.evaluate.service import request_rows
from {{ cookiecutter.module_name }}.pipeline import Project
from {{ cookiecutter.module_name }}.predict import predict
from {{ cookiecutter.module_name }}.readiness import NOT_APPLICABLE
from {{ cookiecutter.module_name }}.releases import model_version
from {{ cookiecutter.module_name }}.serve import create_app, running


def call(url, body=None):
    """GET `url`, or POST `body` as JSON; return the status and the decoded answer."""
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


@pytest.fixture(scope="module")
def served(trained):
    """The service on loopback for this module's tests, stopped after the last one."""
    card = json.loads(trained.path("model_card").read_text(encoding="utf-8"))
    holdout = pd.read_parquet(trained.path("holdout"))
    with running(create_app(trained)) as url:
        yield url, card, holdout


@pytest.fixture()
def one_row(served):
    _, card, holdout = served
    return request_rows(holdout.head(1), list(card["schema"]))[0]


def test_health_names_the_model_version_and_its_age(served, trained):
    status, answer = call(f"{served[0]}/health")
    assert status == 200
    assert answer["status"] == "ok"
    assert answer["model_version"] == model_version(trained.path("model"))
    assert answer["release"] is False  # nothing is promoted in the test project: the trained model serves
    assert 0 <= answer["age_days"] < 1  # trained in this test session


def test_the_version_endpoint_describes_the_model_in_use(served, trained):
    url, card, _ = served
    status, answer = call(f"{url}/version")
    assert status == 200
    assert answer["algorithm"] == card["algorithm"]
    assert answer["columns"] == list(card["schema"])
    assert answer["requirement"] == {"metric": card["metric"], "threshold": card["threshold"]}


def test_predictions_over_http_equal_the_offline_predictions(served, trained):
    url, card, holdout = served
    rows = holdout.head(200)
    ids = [column for column in card["id_columns"] if column in rows.columns]
    status, answer = call(f"{url}/predict", {"rows": request_rows(rows, [*ids, *card["schema"]])})
    offline = predict(rows, models.load(trained.path("model")), card)
    assert status == 200
    assert answer["predictions"] == offline.to_dict(orient="records")


def test_a_row_with_missing_values_is_answered(served, one_row):
    url = served[0]
    blank = dict.fromkeys(one_row)
    status, answer = call(f"{url}/predict", {"rows": [blank]})
    assert status == 200, answer
    assert len(answer["predictions"]) == 1


def first_column(card, kind):
    return next((column for column, entry in card["schema"].items() if entry["kind"] == kind), None)


def test_a_missing_column_is_refused_with_its_name(served, one_row):
    url, card, _ = served
    column = next(iter(card["schema"]))
    del one_row[column]
    status, answer = call(f"{url}/predict", {"rows": [one_row]})
    assert status == 422
    assert answer["detail"][0]["loc"] == ["body", "rows", 0, column]


def test_text_in_a_number_column_is_refused(served, one_row):
    url, card, _ = served
    column = first_column(card, "numbers")
    one_row[column] = "twelve"
    status, answer = call(f"{url}/predict", {"rows": [one_row]})
    assert status == 422
    assert answer["detail"][0]["loc"][-1] == column


def test_infinity_is_refused(served, one_row):
    url, card, _ = served
    column = first_column(card, "numbers")
    one_row[column] = math.inf  # json.dumps writes Infinity, which Python clients can send
    status, answer = call(f"{url}/predict", {"rows": [one_row]})
    assert status == 422
    assert answer["detail"][0]["loc"][-1] == column


def test_a_category_never_seen_in_training_is_counted_or_refused_as_the_policy_says(served, one_row):
    url, card, _ = served
    column = next((name for name, entry in card["schema"].items() if "known_values" in entry), None)
    if column is None:
        pytest.skip(f"{NOT_APPLICABLE}the model has no categorical columns")
    one_row[column] = "never seen"
    status, answer = call(f"{url}/predict", {"rows": [one_row]})
    if card["unseen_categories"] == "refuse":
        assert status == 422
        assert "never saw: never seen" in answer["detail"][0]["msg"]
    else:
        assert status == 200 and len(answer["predictions"]) == 1
        assert answer["unseen_categories"] == {column: 1}


@pytest.mark.parametrize("body", [{}, {"rows": []}, {"rows": "all"}, []], ids=str)
def test_a_request_without_rows_is_refused(served, body):
    status, answer = call(f"{served[0]}/predict", body)
    assert status == 422
    assert answer["detail"]


def test_a_stopped_service_no_longer_answers(trained):
    with running(create_app(trained)) as url:
        assert call(f"{url}/health")[0] == 200
    with pytest.raises(urllib.error.URLError):
        call(f"{url}/health")


def test_serving_before_training_says_which_stage_to_run(project, tmp_path, monkeypatch, capsys):
    shutil.copy(project.root / "params.yaml", tmp_path / "params.yaml")
    monkeypatch.chdir(tmp_path)
    assert not Project.load().path("model").exists()
    assert cli.main(["serve"]) == 2
    assert "run the train stage first" in capsys.readouterr().err
