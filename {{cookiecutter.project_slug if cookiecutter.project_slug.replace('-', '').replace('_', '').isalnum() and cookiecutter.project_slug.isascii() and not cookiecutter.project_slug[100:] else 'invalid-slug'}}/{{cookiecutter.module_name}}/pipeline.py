"""The stages in their order, where each one reads and writes, and how to run them.

Each stage reads only params.yaml and the outputs of the stages before it, so a stage can be
rerun alone once those exist, and `run all` gives the same result as running them one by one.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import config, example_data
from .data import DataError, check_columns, read_table, write_table
from .files import all_or_nothing, replacing, sha256

PACKAGE = __package__

STAGES = ("analyze", "prepare", "preprocess", "train", "evaluate")
EXAMPLES: dict[str, Callable[[], Any]] = {
    "expenses": example_data.expenses,
    "diabetes": example_data.diabetes,
}


class StageOrderError(RuntimeError):
    """A stage's inputs are missing because an earlier stage has not run."""


@dataclass
class Project:
    """A project folder with its settings, and the place of every file the stages exchange."""

    root: Path
    settings: dict[str, Any]

    @classmethod
    def load(cls, root: Path | None = None) -> Project:
        root = root or config.find_root()
        return cls(root, config.load(root))

    @property
    def data(self) -> dict[str, Any]:
        return self.settings["data"]

    @property
    def problem_type(self) -> str:
        return self.settings["model"]["problem_type"]

    @property
    def scoring(self) -> dict[str, Any]:
        """How metrics judge this project's classes: the positive class, or with none how to average."""
        return {"positive_label": self.data["positive_label"], "average": self.settings["model"]["average"]}

    @property
    def raw_data(self) -> Path:
        return self.root / self.data["path"]

    def read_table(self, path: Path) -> Any:
        """A data file read as data.encoding and data.missing_values say: the raw data, or rows like it."""
        return read_table(path, self.data["encoding"], self.data["missing_values"])

    def write_rows(self, frame: Any, path: Path) -> None:
        """Rows written as this project keeps its data: CSV in data.encoding (by the file name), or Parquet."""
        write_table_as(frame, path, self.data["encoding"])

    def feature_columns(self, frame: Any) -> list[str]:
        """The columns a model learns from: all but the target, the ids and the time."""
        excluded = {self.data["target"], *self.data["id_columns"], self.data["time_column"]}
        return [column for column in frame.columns if column not in excluded]

    def path(self, name: str) -> Path:
        """Where a stage output lives, by its short name."""
        return self.root / OUTPUTS[name]

    def report_dir(self, stage: str) -> Path:
        return self.root / "reports" / stage

    def require(self, *names: str) -> None:
        """Stop with a clear message if an earlier stage's output is missing."""
        for name in names:
            if not self.path(name).exists():
                stage = PRODUCED_BY[name]
                raise StageOrderError(
                    f"{OUTPUTS[name]} is missing: run the {stage} stage first "
                    f"(python -m {PACKAGE} run {stage}, or run all)."
                )

    def write_example(self) -> None:
        """Write the example data to data.path if the project starts from one and has no data yet."""
        if not self.raw_data.exists() and self.data["example"] in EXAMPLES:
            self.write_rows(EXAMPLES[self.data["example"]](), self.raw_data)
            print(f"Wrote the {self.data['example']} example data to {self.data['path']}.")

    def raw_fingerprint(self) -> str:
        """The SHA-256 of the raw data file, by which later stages tell whether it changed."""
        return sha256(self.raw_data)

    def read_diagnosis(self) -> dict[str, Any]:
        """Analyze's diagnosis, refused if the raw data has changed since Analyze read it."""
        self.require("diagnosis")
        diagnosis = json.loads(self.path("diagnosis").read_text(encoding="utf-8"))
        analyzed = diagnosis.get("data", {})
        if analyzed.get("path") != self.data["path"] or analyzed.get("sha256") != self.raw_fingerprint():
            raise StageOrderError(
                f"{self.data['path']} is not the data the analyze stage diagnosed: it changed, or data.path "
                f"did since. Run the analyze stage again (python -m {PACKAGE} run analyze), then this one."
            )
        return diagnosis

    def read_raw(self) -> Any:
        """The raw data, written from the example first if the project starts from one."""
        self.write_example()
        if not self.raw_data.exists() and self.data["example"] == "none":
            raise DataError(
                "the data exists",
                f"There is no file at {self.data['path']} yet.",
                "Copy your CSV or Parquet file there (or set data.path), then set data.target and the "
                "other column names under data: in params.yaml.",
            )
        frame = self.read_table(self.raw_data)
        # Columns named outside data: too, so that a typo there is refused before any stage runs.
        settings = self.settings
        elsewhere = [*settings["prepare"]["keep_columns"], *settings["preprocess"]["ordinal_columns"]]
        check_columns(frame, self.data, self.problem_type, elsewhere)
        return frame


def write_table_as(frame: Any, path: Path, encoding: str = "utf-8") -> None:
    """Write rows in the format the file name asks for: CSV (in `encoding`) or Parquet."""
    if path.suffix.lower() == ".csv":
        with replacing(path) as temporary:
            frame.to_csv(temporary, index=False, encoding=encoding)
    else:
        write_table(frame, path)


# Every file the stages pass on, by short name, and the stage that writes it.
OUTPUTS = {
    "diagnosis": "reports/analyze/diagnosis.json",
    "cleaned": "data/interim/cleaned.parquet",
    "train": "data/processed/train.parquet",
    "holdout": "data/processed/holdout.parquet",
    "features": "data/processed/train_features.parquet",
    "preprocessor": "models/preprocessor.skops",
    "model": "models/model.skops",
    "model_card": "models/model.json",
    "metrics": "reports/evaluate/metrics.json",
}
PRODUCED_BY = {
    "diagnosis": "analyze",
    "cleaned": "prepare",
    "train": "prepare",
    "holdout": "prepare",
    "features": "preprocess",
    "preprocessor": "preprocess",
    "model": "train",
    "model_card": "train",
    "metrics": "evaluate",
}


def run(project: Project, stage: str) -> list[str]:
    """Run one stage; return the lines of its summary. Its outputs change only if it succeeds."""
    module = importlib.import_module(f".{stage}.stage", package=PACKAGE)
    project.write_example()  # an input, not an output: it must exist before the stage reads it
    with all_or_nothing():
        return module.run(project)
