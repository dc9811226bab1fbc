"""Benchmark: training time, memory and prediction speed against a baseline the team stored.

A change that makes training slower, memory larger or predictions slower leaves the metrics as
they were, so it goes unnoticed until it hurts. Comparing every run's figures with a stored
baseline, within a tolerance set in params.yaml, catches it while the change is still fresh.
"""

from __future__ import annotations

import json
import math
import os
import platform
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..core.files import write_json
from ..core.messages import Messages
from ..core.pipeline import Project
from ..core.records import Evaluation, ModelCard, Record
from ..reports.report import markdown_table

BASELINE = "benchmarks/baseline.json"


class BaselineError(ValueError):
    """The stored baseline cannot be read as one."""


@dataclass(frozen=True)
class Figure:
    """One figure of a run: where it is read from, and which way is worse."""

    key: str  # also names its label in the messages, under benchmark.figure
    output: str  # the stage output it is read from, by its short name in pipeline.OUTPUTS
    path: tuple[str, ...]  # the attributes that lead to it in the output's record
    higher_is_better: bool = False

    def read(self, records: dict[str, Record]) -> float | None:
        value: Any = records[self.output]
        for name in self.path:
            value = getattr(value, name, None)
        return value

    def label(self, say: Messages) -> str:
        return say(f"benchmark.figure.{self.key}")


FIGURES = (
    Figure("training_seconds", "model_card", ("training_seconds",)),
    Figure("peak_memory_mb", "model_card", ("peak_memory_mb",)),
    Figure("p95_ms", "metrics", ("service_level", "p95_ms")),
    Figure("rows_per_second", "metrics", ("service_level", "rows_per_second"), True),
)


# The record of each output a figure is read from, in stage order: train, then Test.
RECORDS: dict[str, type[Record]] = {"model_card": ModelCard, "metrics": Evaluation}


def current(project: Project) -> dict[str, float | None]:
    """The figures of the last training and Test runs; None where a run did not measure one."""
    records = {name: project.read(record, name) for name, record in RECORDS.items()}
    return {figure.key: figure.read(records) for figure in FIGURES}


def machine() -> dict[str, Any]:
    """What the figures were measured on: figures from different machines compare only loosely."""
    return {"platform": platform.platform(), "cpu_count": os.cpu_count(), "python": platform.python_version()}


def read_baseline(project: Project) -> dict[str, Any] | None:
    """The stored baseline, None if there is none yet; refused when it is not one this command wrote."""
    path = project.root / BASELINE
    if not path.is_file():
        return None
    say = project.messages(__file__)
    fix = say("refused.baseline.fix")
    try:
        baseline = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        unreadable = say("refused.baseline.unreadable", baseline=BASELINE, error=error, fix=fix)
        raise BaselineError(unreadable) from None
    figures = baseline.get("figures") if isinstance(baseline, dict) else None
    if not isinstance(figures, dict):
        raise BaselineError(say("refused.baseline.no_figures", baseline=BASELINE, fix=fix))
    for key, value in figures.items():
        measured = isinstance(value, (int, float)) and not isinstance(value, bool)
        if value is not None and not (measured and math.isfinite(value) and value > 0):
            raise BaselineError(
                say("refused.baseline.not_positive", key=key, baseline=BASELINE, value=value, fix=fix)
            )
    return baseline


@dataclass(frozen=True)
class Comparison:
    """One figure of this run against the baseline; None where either did not measure it."""

    figure: Figure
    baseline: float | None
    now: float | None
    tolerance: float

    @property
    def worse_by(self) -> float | None:
        """How many times worse this run is than the baseline: above 1 is worse, below 1 better."""
        if self.baseline is None or self.now is None:
            return None
        return self.baseline / self.now if self.figure.higher_is_better else self.now / self.baseline

    @property
    def regressed(self) -> bool:
        return self.worse_by is not None and self.worse_by > self.tolerance

    def row(self, say: Messages) -> list[Any]:
        if self.baseline is None or self.now is None:
            shown = ["-" if value is None else value for value in (self.baseline, self.now)]
            return [self.figure.label(say), *shown, "-", "-"]
        status = (
            say("benchmark.regressed", tolerance=self.tolerance) if self.regressed else say("benchmark.ok")
        )
        return [self.figure.label(say), self.baseline, self.now, self.now / self.baseline, status]


def compare(now: dict[str, float | None], baseline: dict[str, Any], tolerance: float) -> list[Comparison]:
    return [Comparison(figure, baseline.get(figure.key), now[figure.key], tolerance) for figure in FIGURES]


def table(comparisons: list[Comparison], say: Messages) -> str:
    columns = [say(key) for key in say.keys("benchmark.column.")]
    return markdown_table(columns, [item.row(say) for item in comparisons])


def run(project: Project, save: bool = False) -> tuple[list[str], bool]:
    """Compare the current figures with the baseline, or store them as the baseline: the lines to
    print, and whether no figure regressed."""
    tolerance = project.settings.monitoring.benchmark_tolerance
    say = project.messages(__file__)
    now = current(project)
    if save:
        stored = {"stored_at": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine()}
        write_json(project.root / BASELINE, {**stored, "figures": now})
        return [table(compare(now, {}, tolerance), say), say("benchmark.saved", baseline=BASELINE)], True
    baseline = read_baseline(project)
    if baseline is None:
        return [
            table(compare(now, {}, tolerance), say),
            say("benchmark.no_baseline", baseline=BASELINE),
        ], True
    comparisons = compare(now, baseline["figures"], tolerance)
    lines = [table(comparisons, say)]
    if baseline.get("machine") != machine():
        lines.append(
            say(
                "benchmark.other_machine",
                then=describe(baseline.get("machine"), say),
                now=describe(machine(), say),
            )
        )
    worse = [item.figure.label(say) for item in comparisons if item.regressed]
    if worse:
        figures = say("separator").join(worse)
        lines.append(say("benchmark.regressed_beyond", tolerance=tolerance, figures=figures))
    return lines, not worse


def describe(details: Any, say: Messages) -> str:
    if not isinstance(details, dict):
        return say("benchmark.unknown_machine")
    return say(
        "benchmark.machine",
        platform=details.get("platform"),
        cpus=details.get("cpu_count"),
        python=details.get("python"),
    )
