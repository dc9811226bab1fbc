"""Service level of the Test stage: the holdout rows through the real HTTP service, on loopback.

The service must give the same answers as the offline predictions, and fast enough: this sends the
holdout rows in batches (throughput, and every answer compared) and some of them one row at a time
(latency percentiles).
"""

import json
import time
import urllib.request
from typing import Any

import numpy as np
import pandas as pd

from ..kit.core.metrics import latency_percentiles
from ..kit.core.pipeline import Project
from ..kit.core.records import ModelCard
from ..kit.operations.serve import create_app, running

ROWS_PER_BATCH = 100
# One-row requests timed for the latency percentiles: enough for a steady 95th, each about 30 ms.
SINGLE_ROW_REQUESTS = 100
# The service answers every holdout row up to this many, and a sample drawn with the seed beyond: enough
# rows to find an answer that differs from the offline one, in a time that stays flat as the data grows
# (every row of a million-row holdout took minutes).
SERVICE_ROWS = 20_000


def request_rows(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    """Rows as a client sends them: JSON values, null for a missing one."""
    values = frame[columns].astype(object)
    return values.where(values.notna(), None).to_dict(orient="records")


def post(url: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    body = json.dumps({"rows": rows}, default=str).encode("utf-8")
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.load(response)["predictions"]


def measure(project: Project, holdout: pd.DataFrame, offline: np.ndarray, card: ModelCard) -> dict[str, Any]:
    """Serve the current model on loopback and compare its answers and speed with the offline run."""
    ids = [column for column in card.id_columns if column in holdout.columns]
    sample = sample_positions(len(holdout), project.settings.split.seed)
    rows, offline = request_rows(holdout.iloc[sample], [*ids, *card.columns]), offline[sample]
    with running(create_app(project, trained=True)) as base_url:
        url = f"{base_url}/predict"
        started = time.perf_counter()
        served = [
            answer
            for start in range(0, len(rows), ROWS_PER_BATCH)
            for answer in post(url, rows[start : start + ROWS_PER_BATCH])
        ]
        batch_seconds = time.perf_counter() - started
        single_ms = []
        for row in rows[:SINGLE_ROW_REQUESTS]:
            started = time.perf_counter()
            post(url, [row])
            single_ms.append(1000 * (time.perf_counter() - started))
    matching = sum(
        answer["prediction"] == expected for answer, expected in zip(served, offline.tolist(), strict=True)
    )
    return {
        "rows": len(rows),
        "holdout_rows": len(holdout),
        "matching_predictions": int(matching),
        "rows_per_second": len(rows) / batch_seconds,
        **latency_percentiles(single_ms),
    }


def sample_positions(rows: int, seed: int) -> np.ndarray:
    """Every position up to SERVICE_ROWS, otherwise SERVICE_ROWS of them drawn with the seed, in order."""
    if rows <= SERVICE_ROWS:
        return np.arange(rows)
    return np.sort(np.random.default_rng(seed).choice(rows, SERVICE_ROWS, replace=False))
