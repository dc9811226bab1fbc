"""The prediction service answers like the offline predictions and refuses what it cannot judge."""

import asyncio
import gc
import http.client
import json
import math
import shutil
import tracemalloc
import urllib.error
import urllib.parse
import urllib.request

import pandas as pd
import pytest
from pydantic import ValidationError

from {{ cookiecutter.module_name }}.kit import cli
from {{ cookiecutter.module_name }}.kit.core import config, models, pipeline
from {{ cookiecutter.module_name }}.kit.core.messages import messages_here
from {{ cookiecutter.module_name }}.kit.core.pipeline import Project
from {{ cookiecutter.module_name }}.kit.core.records import ColumnSchema, ModelCard
from {{ cookiecutter.module_name }}.kit.operations import serve
from {{ cookiecutter.module_name }}.kit.operations.predict import predict
from {{ cookiecutter.module_name }}.kit.operations.releases import model_version
from {{ cookiecutter.module_name }}.kit.operations.serve import create_app, row_type, running
from {{ cookiecutter.module_name }}.kit.process.readiness import not_applicable
from {{ cookiecutter.module_name }}.test.service import request_rows
from {{ cookiecutter.module_name }}.train.stage import value_types

# The load test: Python memory the service may still hold after these requests beyond what it held
# before them; a service that kept 20 KB or more of every request would go over. Few requests, to
# stay quick: the template's benchmark measures the process's memory over 2,000.
LOAD_TEST_REQUESTS = 100
MAX_MEMORY_GROWTH_MB = 2


def call(url, body=None, data=None):
    """GET `url`, or POST `body` as JSON (or `data` as it is); return the status and the decoded answer."""
    if body is not None:
        data = json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


@pytest.fixture(scope="module")
def app(trained):
    return create_app(trained)


@pytest.fixture(scope="module")
def served(app, trained):
    """The service on loopback for this module's tests, stopped after the last one."""
    card = trained.read(ModelCard, "model_card")
    holdout = pd.read_parquet(trained.path("holdout"))
    with running(app) as url:
        yield url, card, holdout


@pytest.fixture()
def one_row(served):
    _, card, holdout = served
    return request_rows(holdout.head(1), list(card.columns))[0]


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
    assert answer["algorithm"] == card.algorithm
    assert answer["columns"] == list(card.columns)
    assert answer["requirement"] == {"metric": card.metric, "threshold": card.threshold}


def test_predictions_over_http_equal_the_offline_predictions(served, trained):
    url, card, holdout = served
    rows = holdout.head(200)
    ids = [column for column in card.id_columns if column in rows.columns]
    status, answer = call(f"{url}/predict", {"rows": request_rows(rows, [*ids, *card.columns])})
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
    """The model's first column of this kind; skips the test when it has none."""
    column = next((column for column, entry in card.columns.items() if entry.kind == kind), None)
    if column is None:
        pytest.skip(not_applicable("serving.model_has_no_column_of_kind", kind=kind))
    return column


def test_a_missing_column_is_refused_with_its_name(served, one_row):
    url, card, _ = served
    column = next(iter(card.columns))
    del one_row[column]
    status, answer = call(f"{url}/predict", {"rows": [one_row]})
    assert status == 422
    assert answer["detail"][0]["loc"] == ["body", "rows", 0, column]


@pytest.mark.parametrize("text", ["twelve", "12.5"])
def test_text_in_a_number_column_is_refused(served, one_row, text):
    url, card, _ = served
    column = first_column(card, "numbers")
    one_row[column] = text
    status, answer = call(f"{url}/predict", {"rows": [one_row]})
    assert status == 422
    assert answer["detail"][0]["loc"][-1] == column


def a_column_taking_only(card, value_type):
    """A column whose training values were all of `value_type`; skips the test when there is none."""
    for column, entry in card.columns.items():
        if entry.value_types == [value_type]:
            return column
    pytest.skip(not_applicable("serving.no_column_took_only", value_type=value_type))


def refused_type(url, row, column, value):
    """Send `row` with `value` in `column`; return the problems of the 422 that must come back."""
    status, answer = call(f"{url}/predict", {"rows": [{**row, column: value}]})
    assert status == 422, answer
    problems = [problem for problem in answer["detail"] if problem["loc"][:4] == ["body", "rows", 0, column]]
    assert problems, answer
    return problems


def test_true_in_a_number_column_is_refused_as_not_a_number(served, one_row):
    url, card, _ = served
    column = a_column_taking_only(card, "number")
    assert refused_type(url, one_row, column, True)[0]["msg"] == "Input should be a valid number"


@pytest.mark.parametrize("value", [1.5, 7, True], ids=["fraction", "whole number", "true"])
def test_a_number_or_flag_in_a_text_column_is_refused_as_not_text(served, one_row, value):
    url, card, _ = served
    column = a_column_taking_only(card, "text")
    assert refused_type(url, one_row, column, value)[0]["msg"] == "Input should be a valid string"


def test_a_column_takes_the_kinds_of_value_it_held_in_training():
    """Codes that are numbers, or flags, stay acceptable where the training data held them."""
    codes = pd.Series([7, "A7", None], dtype=object)
    flags = pd.Series([True, False, None], dtype=object)
    Row = row_type(
        {
            "code": ColumnSchema(kind="categories", dtype="object", value_types=value_types(codes)),
            "paid": ColumnSchema(kind="categories", dtype="object", value_types=value_types(flags)),
        }
    )
    for good in ({"code": 7, "paid": True}, {"code": "A7", "paid": None}):
        Row.model_validate(good)
    for bad in ({"code": True, "paid": True}, {"code": 7, "paid": "true"}, {"code": 7, "paid": 1}):
        with pytest.raises(ValidationError):
            Row.model_validate(bad)


def test_infinity_is_refused(served, one_row):
    url, card, _ = served
    column = first_column(card, "numbers")
    one_row[column] = math.inf  # json.dumps writes Infinity, which Python clients can send
    status, answer = call(f"{url}/predict", {"rows": [one_row]})
    assert status == 422
    assert answer["detail"][0]["loc"][-1] == column


def test_a_category_never_seen_in_training_is_counted_or_refused_as_the_policy_says(served, one_row):
    url, card, _ = served
    column = next((name for name, entry in card.columns.items() if entry.known_values is not None), None)
    if column is None:
        pytest.skip(not_applicable("no_categorical_columns"))
    one_row[column] = "never seen"
    status, answer = call(f"{url}/predict", {"rows": [one_row]})
    if card.unseen_categories == "refuse":
        assert status == 422
        unseen = messages_here(serve.__file__)("refused.unseen.problem", column=column, values="never seen")
        assert unseen in answer["detail"][0]["msg"]
    else:
        assert status == 200 and len(answer["predictions"]) == 1
        assert answer["unseen_categories"] == {column: 1}


@pytest.mark.parametrize("body", [{}, {"rows": []}, {"rows": "all"}, []], ids=str)
def test_a_request_without_rows_is_refused(served, body):
    status, answer = call(f"{served[0]}/predict", body)
    assert status == 422
    assert answer["detail"]


def declare_and_wait(url, length):
    """POST headers declaring a body of `length` bytes, asking to hear before sending it (as curl does
    for large bodies); return the status and the decoded answer. The body is never sent."""
    address = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname, address.port)
    try:
        connection.putrequest("POST", "/predict")
        for name, value in (("Content-Type", "application/json"), ("Content-Length", str(length))):
            connection.putheader(name, value)
        connection.putheader("Expect", "100-continue")
        connection.endheaders()
        response = connection.getresponse()
        return response.status, json.load(response)
    finally:
        connection.close()


def post_in_chunks(app, chunks):
    """POST `chunks` to the app's /predict as a body of unannounced length (chunked transfer), in
    process; return the status, the decoded answer and how many chunks the app read."""
    read, sent = 0, []

    async def receive():
        nonlocal read
        read += 1
        if read > len(chunks):
            return {"type": "http.disconnect"}
        return {"type": "http.request", "body": chunks[read - 1], "more_body": read < len(chunks)}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/predict",
        "raw_path": b"/predict",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    asyncio.run(app(scope, receive, send))
    status = next(message["status"] for message in sent if message["type"] == "http.response.start")
    body = b"".join(message.get("body", b"") for message in sent if message["type"] == "http.response.body")
    return status, json.loads(body), read


def assert_too_large(status, answer, limit):
    assert status == 413
    assert answer["detail"] == messages_here(serve.__file__)("serve.too_large", limit=limit)
    assert "serving.max_request_bytes" in answer["detail"]


def test_a_body_declared_over_the_limit_is_refused_unsent_and_the_service_goes_on(served, trained, one_row):
    url = served[0]
    limit = trained.settings.serving.max_request_bytes
    assert_too_large(*declare_and_wait(url, limit + 1), limit)
    status, answer = call(f"{url}/predict", {"rows": [one_row]})
    assert status == 200 and len(answer["predictions"]) == 1


def test_a_chunked_body_is_refused_once_it_passes_the_size_limit(app, trained, one_row):
    limit = trained.settings.serving.max_request_bytes
    chunk = 2**16
    # Valid JSON padded past the limit and on: only its size is wrong.
    body = json.dumps({"rows": [one_row]}).encode("utf-8") + b" " * (2 * limit)
    chunks = [body[start : start + chunk] for start in range(0, len(body), chunk)]
    status, answer, read = post_in_chunks(app, chunks)
    assert_too_large(status, answer, limit)
    assert read <= limit // chunk + 2 < len(chunks)  # it stopped reading at the limit


def test_a_body_just_under_the_size_limit_is_answered(served, trained, one_row):
    url = served[0]
    limit = trained.settings.serving.max_request_bytes
    body = json.dumps({"rows": [one_row]}).encode("utf-8")
    status, answer = call(f"{url}/predict", data=body + b" " * (limit - len(body)))
    assert status == 200, answer
    assert len(answer["predictions"]) == 1


@pytest.mark.parametrize("limit", [0, -1, 2.5, "10 MB", None], ids=str)
def test_a_size_limit_that_is_not_a_positive_whole_number_is_refused(trained, limit):
    settings = {**trained.settings.model_dump(mode="json"), "serving": {"max_request_bytes": limit}}
    with pytest.raises(config.ConfigError) as refused:
        config.validate(settings)
    # Named by its key, with the value found: the words between are the project's language.
    assert "serving.max_request_bytes: " in str(refused.value) and repr(limit) in str(refused.value)


def test_memory_returns_near_its_starting_level_after_a_load_test(served, one_row):
    """Python's own memory (tracemalloc), not the process's: the same on every system, and a leak shows."""
    url = served[0]
    call(f"{url}/predict", {"rows": [one_row]})  # first request: lazy imports and caches
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(LOAD_TEST_REQUESTS):
            assert call(f"{url}/predict", {"rows": [one_row]})[0] == 200
        gc.collect()
        growth_mb = (tracemalloc.get_traced_memory()[0] - before) / 2**20
    finally:
        tracemalloc.stop()
    assert growth_mb < MAX_MEMORY_GROWTH_MB


def test_a_stopped_service_no_longer_answers(trained):
    with running(create_app(trained)) as url:
        assert call(f"{url}/health")[0] == 200
    with pytest.raises(urllib.error.URLError):
        call(f"{url}/health")


def test_serving_before_training_says_which_stage_to_run(project, tmp_path, monkeypatch, capsys):
    shutil.copy(project.root / "params.yaml", tmp_path / "params.yaml")
    monkeypatch.chdir(tmp_path)
    untrained = Project.load()
    assert not untrained.path("model").exists()
    assert cli.main(["serve"]) == 2
    say = untrained.messages(pipeline.__file__)
    expected = say("pipeline.missing_output", output=pipeline.OUTPUTS["model"], stage="train")
    assert expected in capsys.readouterr().err
