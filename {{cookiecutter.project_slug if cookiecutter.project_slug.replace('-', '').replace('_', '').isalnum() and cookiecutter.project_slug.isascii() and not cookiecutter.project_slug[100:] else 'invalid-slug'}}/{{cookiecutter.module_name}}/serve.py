"""The prediction service: the model behind HTTP, for the software that uses it.

Requests are checked against the schema the model was trained on, so a missing column, a value
of the wrong type or a category the model never saw gets a 422 that says what to fix, never a
silent, wrong prediction. `python -m {{ cookiecutter.module_name }} serve` runs it with the current release (or, before
the first promotion, the trained model); the Test stage runs the same app on loopback with the
trained model to compare its answers with the offline predictions.
"""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd
import uvicorn
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, create_model

from . import releases
from .data import DataError
from .pipeline import Project
from .predict import UnstableModelError, predict, unseen_counts

# Rows per request: large enough for batch scoring, small enough to keep one request's memory low.
MAX_ROWS_PER_REQUEST = 10_000
STARTUP_TIMEOUT_SECONDS = 30
# A JSON value a category or text column may hold; numbers come as floats, never NaN or infinity.
Scalar = str | int | float | bool | None


def row_type(card: dict[str, Any]) -> type[BaseModel]:
    """One request row: every training column is required (null for a missing value); ids may be added."""
    fields = {
        f"column_{index}": (
            float | None if entry["kind"] == "numbers" else Scalar,
            Field(alias=column, allow_inf_nan=False) if entry["kind"] == "numbers" else Field(alias=column),
        )
        for index, (column, entry) in enumerate(card["schema"].items())
    }
    return create_model("Row", __config__=ConfigDict(extra="allow"), **fields)


def create_app(project: Project, trained: bool = False) -> FastAPI:
    """The service for the current release, loaded once when the app is made.

    With `trained`, it serves the latest trained model instead, released or not: the model the Test
    stage is checking.
    """
    files = releases.trained_files(project) if trained else releases.served_files(project)
    model, card, version = files.load()
    Row = row_type(card)

    class Request(BaseModel):
        rows: list[Row] = Field(min_length=1, max_length=MAX_ROWS_PER_REQUEST)

    app = FastAPI(title=project.settings["project"]["name"], version=version)

    @app.exception_handler(RequestValidationError)
    def refuse(request: Any, error: RequestValidationError) -> JSONResponse:
        return unprocessable(error.errors())

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {
            "status": "ok",
            "model_version": version,
            "release": files.release,
            "age_days": releases.age_days(card),
        }

    @app.get("/version")
    def model_details() -> dict[str, Any]:
        return {
            "model_version": version,
            "release": files.release,
            "age_days": releases.age_days(card),
            "trained_at": card.get("trained_at"),
            "algorithm": card["algorithm"],
            "problem_type": card["problem_type"],
            "training_rows": card["training_rows"],
            "training_data_fingerprint": card["training_data_fingerprint"],
            "requirement": {"metric": card["metric"], "threshold": card["threshold"]},
            "columns": list(card["schema"]),
        }

    @app.post("/predict")
    def predict_rows(request: Request) -> Any:
        frame = pd.DataFrame([row.model_dump(by_alias=True) for row in request.rows])
        try:
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


def unprocessable(problems: list[dict[str, Any]]) -> JSONResponse:
    """A 422 naming where each problem is and what it is, without echoing the input back.

    The input is left out because it may hold values JSON cannot carry, such as infinity.
    """
    detail = [{key: problem[key] for key in ("loc", "msg", "type")} for problem in problems]
    return JSONResponse(status_code=422, content={"detail": detail})


def serve(project: Project, host: str, port: int) -> None:
    """Serve until stopped with Ctrl+C."""
    uvicorn.run(create_app(project), host=host, port=port)


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
                raise RuntimeError(f"the prediction service did not start on 127.0.0.1:{port}")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join()
        listener.close()
