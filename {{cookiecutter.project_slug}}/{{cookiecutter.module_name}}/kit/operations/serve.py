"""The prediction service: the model behind HTTP, for the software that uses it.

Requests are checked against the schema the model was trained on, so a missing column, a value
of the wrong type or a category the model never saw gets a 422 that says what to fix, never a
silent, wrong prediction; a body over serving.max_request_bytes gets a 413 before it is read.
`python -m {{ cookiecutter.module_name }} serve` runs it with the current release (or, before the first promotion, the
trained model); the Test stage runs the same app on loopback with the trained model to compare
its answers with the offline predictions.
"""

import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Annotated, Any, Union

import pandas as pd
import uvicorn
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, create_model
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..core import threads{% if cookiecutter.tracking == "mlflow" %}, tracking{% endif %}
from ..core.data import DataError
from ..core.messages import messages_here
from ..core.pipeline import Project
from ..core.records import ColumnSchema
from . import releases
from .predict import UnstableModelError, predict, unseen_counts

# Rows per request: large enough for batch scoring, small enough to keep one request's memory low.
MAX_ROWS_PER_REQUEST = 10_000
STARTUP_TIMEOUT_SECONDS = 30
# The JSON type of each kind of training value (train.stage.value_types), taken strictly: true is
# not the number 1, 1.5 is not text, and a number is never NaN or infinity.
JSON_TYPES = {
    "number": Annotated[float, Field(strict=True, allow_inf_nan=False)],
    "text": StrictStr,
    "flag": StrictBool,
}


def accepted_types(entry: ColumnSchema) -> list[str]:
    """What a column takes besides null: the kinds of value it held in training.

    A card written before it recorded them keeps what serving took then: numbers for a number
    column, any JSON value for the others.
    """
    if entry.value_types is not None:
        return list(entry.value_types)
    return ["number"] if entry.kind == "numbers" else list(JSON_TYPES)


def row_type(columns: dict[str, ColumnSchema]) -> type[BaseModel]:
    """One request row: every training column is required (null for a missing value); ids may be added."""
    fields: dict[str, Any] = {
        f"column_{index}": (
            Union[(*(JSON_TYPES[kind] for kind in accepted_types(entry)), None)],
            Field(alias=column),
        )
        for index, (column, entry) in enumerate(columns.items())
    }
    return create_model("Row", __config__=ConfigDict(extra="allow"), **fields)
{%- if cookiecutter.tracking == "mlflow" %}


def create_app(project: Project, trained: bool = False, alias: str | None = None) -> FastAPI:
    """The service for the current release, loaded once when the app is made.

    With `trained`, it serves the latest trained model instead, released or not: the model the Test
    stage is checking. With `alias`, it serves the release that MLflow's registry names by it.
    """
    if alias is None:
        files = releases.trained_files(project) if trained else releases.served_files(project)
        model, card, version = files.load()
        release = files.release
    else:  # promote registers only releases
        model, card, version = tracking.load_alias(project, alias)
        release = True
{%- else %}


def create_app(project: Project, trained: bool = False) -> FastAPI:
    """The service for the current release, loaded once when the app is made.

    With `trained`, it serves the latest trained model instead, released or not: the model the Test
    stage is checking.
    """
    files = releases.trained_files(project) if trained else releases.served_files(project)
    model, card, version = files.load()
    release = files.release
{%- endif %}
    # Built at run time from the model card, so no static checker can know its fields.
    Row: Any = row_type(card.columns)

    class Request(BaseModel):
        rows: list[Row] = Field(min_length=1, max_length=MAX_ROWS_PER_REQUEST)

    limit = int(project.settings.serving.max_request_bytes)
    # Counted once, when the service starts: counting watches the machine for a tenth of a second,
    # which no request should wait for.
    cores = threads.free_cores()

    say = project.messages(__file__)
    too_large_text = say("serve.too_large", limit=limit)

    def too_large(*_: Any) -> JSONResponse:
        return JSONResponse(status_code=413, content={"detail": too_large_text})

    app = FastAPI(title=project.settings.project.name, version=version)
    app.add_middleware(BodyLimit, limit=limit, refusal=too_large)
    app.add_exception_handler(413, too_large)

    @app.exception_handler(RequestValidationError)
    def refuse(request: Any, error: RequestValidationError) -> JSONResponse:
        return unprocessable(error.errors())

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {
            "status": "ok",
            "model_version": version,
            "release": release,
            "age_days": releases.age_days(card),
        }

    @app.get("/version")
    def model_details() -> dict[str, Any]:
        return {
            "model_version": version,
            "release": release,
            "age_days": releases.age_days(card),
            "trained_at": card.trained_at,
            "algorithm": card.algorithm,
            "problem_type": card.problem_type,
            "training_rows": card.training_rows,
            "training_data_fingerprint": card.training_data_fingerprint,
            "requirement": {"metric": card.metric, "threshold": card.threshold},
            "columns": list(card.columns),
        }

    @app.post("/predict")
    def predict_rows(request: Request) -> Any:
        frame = pd.DataFrame([row.model_dump(by_alias=True) for row in request.rows])
        try:
            # Bounded here, in the thread that answers: a bound set in another thread does not reach
            # OpenMP in this one, and on a busy machine its threads made each request several times slower.
            with threads.bounded(cores):
                output = predict(frame, model, card)
        except DataError as error:
            return unprocessable([{"loc": ["body", "rows"], "msg": str(error), "type": "data_requirement"}])
        except UnstableModelError as error:  # the model is at fault, not the request: never a wrong answer
            return JSONResponse(status_code=500, content={"detail": str(error)})
        return {
            "model_version": version,
            "predictions": output.to_dict(orient="records"),
            # Rows per column whose category the model never saw, answered as its infrequent ones.
            "unseen_categories": unseen_counts(frame, card),
        }

    return app


class BodyLimit:
    """Refuse a request body over `limit` bytes before it is parsed, so none is held in memory whole.

    A body that declares a longer length is refused unread; one of unannounced length (chunked) is
    counted as it arrives and refused once it passes the limit. FastAPI's own max_body_size does the
    same, but answers a declared length in plain text that neither names the limit nor the fix.
    """

    def __init__(self, app: ASGIApp, limit: int, refusal: Callable[[], Response]) -> None:
        self.app, self.limit, self.refusal = app, limit, refusal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            await self.refusal()(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise HTTPException(413)  # answered by the app's handler for 413
            return message

        await self.app(scope, counted, send)


def unprocessable(problems: Sequence[Any]) -> JSONResponse:
    """A 422 naming where each problem is and what it is, without echoing the input back.

    The input is left out because it may hold values JSON cannot carry, such as infinity.
    """
    detail = [{key: problem[key] for key in ("loc", "msg", "type")} for problem in problems]
    return JSONResponse(status_code=422, content={"detail": detail})
{%- if cookiecutter.tracking == "mlflow" %}


def serve(project: Project, host: str, port: int, alias: str | None = None) -> None:
    """Serve until stopped with Ctrl+C."""
    uvicorn.run(create_app(project, alias=alias), host=host, port=port)
{%- else %}


def serve(project: Project, host: str, port: int) -> None:
    """Serve until stopped with Ctrl+C."""
    uvicorn.run(create_app(project), host=host, port=port)
{%- endif %}


@contextmanager
def running(app: FastAPI) -> Iterator[str]:
    """Run `app` on a free loopback port for the length of a `with` block; yield its base URL."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                say = messages_here(__file__)
                raise RuntimeError(say("serve.not_started", address=f"127.0.0.1:{port}"))
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join()
        listener.close()
