"""The stages in their order, where each one reads and writes, and how to run them.

Each stage reads only params.yaml and the outputs of the stages before it, so a stage can be
rerun alone once those exist, and `run all` gives the same result as running them one by one.
"""

from __future__ import annotations

import importlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pydantic_core

from .. import PACKAGE
from . import config, example_data, spark{% if cookiecutter.tracking == "mlflow" %}, tracking{% endif %}
from .data import broken, check_columns, is_csv, listed, read_table, write_table
from .files import all_or_nothing, fingerprint, replacing, write_json
from .messages import Messages, messages_beside
from .records import RecordType
from .tables import FrameTable, Table

STAGES = ("analyze", "prepare", "preprocess", "train", "test")


class StageOrderError(RuntimeError):
    """A stage's inputs are missing because an earlier stage has not run."""


@dataclass
class Project:
    """A project folder with its settings, and the place of every file the stages exchange."""

    root: Path
    settings: config.Settings

    @classmethod
    def load(cls, root: Path | None = None) -> Project:
        root = root or config.find_root()
        return cls(root, config.load(root))

    def messages(self, module_file: str) -> Messages:
        """The sentences of the folder that holds `module_file` (pass `__file__`), in the project's language."""
        return messages_beside(module_file, self.settings.project.language)

    @property
    def data(self) -> config.DataSettings:
        return self.settings.data

    @property
    def problem_type(self) -> config.ProblemType:
        return self.settings.model.problem_type

    @property
    def scoring(self) -> dict[str, Any]:
        """How metrics judge this project's classes: the positive class, or with none how to average."""
        return {"positive_label": self.data.positive_label, "average": self.settings.model.average}

    @property
    def raw_data(self) -> Path:
        return self.root / self.data.path

    def read_table(self, path: Path) -> Any:
        """A data file read as data.encoding, data.delimiter and data.missing_values say: the raw data, or
        rows like it."""
        return read_table(path, self.data.encoding, self.data.missing_values, self.delimiter)

    def write_rows(self, frame: Any, path: Path) -> None:
        """Rows written as this project keeps its data: CSV as data: says (by the file name), or Parquet."""
        write_table_as(frame, path, self.data.encoding, self.delimiter)

    @property
    def delimiter(self) -> str:
        return config.DELIMITERS[self.data.delimiter]

    def feature_columns(self, frame: Any) -> list[str]:
        """The columns a model learns from: all but the target, the ids and the time."""
        excluded = {self.data.target, *self.data.id_columns, self.data.time_column}
        return [column for column in frame.columns if column not in excluded]

    def path(self, name: str) -> Path:
        """Where a stage output lives, by its short name."""
        return self.root / OUTPUTS[name]

    def report_dir(self, stage: str) -> Path:
        return self.root / "reports" / stage

    def card(self, stage: str) -> Path:
        """The document whose block `stage` fills: the data card or the model card."""
        return self.root / CARDS[stage]

    def require(self, *names: str) -> None:
        """Stop with a clear message if an earlier stage's output is missing."""
        for name in names:
            if not self.path(name).exists():
                say = self.messages(__file__)
                raise StageOrderError(
                    say("pipeline.missing_output", output=OUTPUTS[name], stage=PRODUCED_BY[name])
                )

    def read(self, record: type[RecordType], name: str) -> RecordType:
        """A stage output written as JSON, read into its typed record: stopped with a clear message when it
        is missing or does not hold what its stage writes."""
        self.require(name)
        return record.read(self.path(name), self.settings.project.language)

    def write_example(self) -> None:
        """Write the example data to data.path if the project starts from one and has no data yet."""
        if not self.has_raw_data() and self.data.example != "none":
            self.write_rows(self.example(), self.raw_data)
            say = self.messages(__file__)
            print(say("pipeline.example_written", example=self.data.example, path=self.data.path))

    def example(self) -> Any:
        """The example data the project starts from; the expenses example's lines read in the project's language."""
        if self.data.example == "expenses":
            return example_data.expenses(language=self.settings.project.language)
        return example_data.diabetes()

    @property
    def on_spark(self) -> bool:
        return self.settings.engine == "spark"

    def raw_fingerprint(self) -> str:
        """The SHA-256 of the raw data, by which later stages tell whether it changed."""
        if self.on_spark:
            return spark.fingerprint(self)
        return fingerprint(self.raw_data)

    def read_raw(self) -> Any:
        """The raw data, written from the example first if the project starts from one."""
        self.require_raw()
        frame = self.read_table(self.raw_data)
        self.check(frame)
        return frame

    def require_raw(self) -> None:
        """The raw data exists: written from the example if the project starts from one, else said where
        to put it."""
        self.write_example()
        if not self.has_raw_data():
            raise broken("exists", "no_file_yet", "copy_your_file", path=self.data.path)

    def has_raw_data(self) -> bool:
        """Whether data.path names data: a file, or with Spark also a folder or glob of files, or a table."""
        if self.on_spark:
            return bool(self.settings.spark.table) or any(path.exists() for path in spark.source_files(self))
        return self.raw_data.exists()

    def raw_table(self) -> Table:
        """The raw data as the engine holds it: in memory with pandas, or on Spark with a sample in memory
        whose checks stand for every row (each class is in it whole up to a thousand rows)."""
        if not self.on_spark:
            return FrameTable(self.read_raw())
        classes = self.data.target if self.problem_type == "classification" else None
        table = spark.SparkTable(spark.read(self), classes, self.settings.split.seed)
        self.check(table.sample)
        return table

    def check(self, frame: Any) -> None:
        """The raw data's columns checked against params.yaml before any stage writes."""
        # Columns named outside data: too, so that a typo there is refused before any stage runs.
        settings = self.settings
        elsewhere = [*settings.prepare.keep_columns, *settings.preprocess.ordinal_columns]
        # Each class once in the holdout and in every fold of cross-validation.
        min_class_rows = math.ceil(settings.model.cv_folds / (1 - settings.split.holdout_size))
        check_columns(frame, self.data, self.problem_type, elsewhere, min_class_rows)

    def training_rows(self) -> Any:
        """The rows Preprocess and Train fit on: the training split, or with Spark a sample of it of at
        most spark.sample_rows rows, drawn per class."""
        if self.on_spark:
            return spark.training_sample(self, self.path("train"))
        return pd.read_parquet(self.path("train"))

    def input_file(self, name: str) -> Path:
        return self.raw_data if name == RAW else self.path(name)

    def inputs_of(self, stage: str) -> dict[str, Any]:
        """What a stage reads: the settings it uses and a fingerprint of each file, as its record keeps them."""
        settings = {key: setting(self.settings, key) for key in SETTINGS_READ[stage]}
        for key, part in SHOWN_ONLY:  # no stage reads them: changing them leaves every output current
            if key in settings:
                settings[key].pop(part, None)
        files = {
            self.input_file(name).relative_to(self.root).as_posix(): (
                self.raw_fingerprint() if name == RAW else fingerprint(self.input_file(name))
            )
            for name in INPUTS[stage]
        }
        return {"settings": settings, "files": files}

    def record(self, stage: str) -> Path:
        """Where a stage keeps what it read, so that later commands can tell its outputs are current."""
        return self.report_dir(stage) / RECORD

    def out_of_date(self, stage: str) -> str | None:
        """Why a stage's outputs no longer follow from params.yaml and its input files; None if they do."""
        say = self.messages(__file__)
        recorded = json.loads(self.record(stage).read_text(encoding="utf-8"))
        current = self.inputs_of(stage)
        settings = [
            name
            for key, value in current["settings"].items()
            for name in differences(key, recorded["settings"].get(key), value)
        ]
        if settings:
            return say("pipeline.settings_changed", settings=listed(settings), file=config.CONFIG_FILE)
        files = [name for name, digest in current["files"].items() if recorded["files"].get(name) != digest]
        if files:
            return say("pipeline.files_changed", files=listed(files))
        return None

    def require_current(self, *stages: str) -> None:
        """Stop before anything reads outputs that no longer follow from the settings and data, naming
        the first stage to run again: a model is never scored on rows from another split."""
        say = self.messages(__file__)
        for stage in stages:
            record = self.record(stage)
            if not record.is_file():
                raise StageOrderError(
                    say("pipeline.no_record", stage=stage, record=record.relative_to(self.root))
                )
            reason = self.out_of_date(stage)
            if reason:
                raise StageOrderError(say("pipeline.out_of_date", stage=stage, reason=reason))


def setting(settings: config.Settings, key: str) -> Any:
    """A setting or a section by its dotted name, e.g. `split.seed`, as JSON gives it back: a record
    compares equal to the settings it was made from."""
    found: Any = settings
    for part in key.split("."):
        found = getattr(found, part)
    return pydantic_core.to_jsonable_python(found)


def differences(key: str, old: Any, new: Any) -> list[str]:
    """The dotted names of the settings that differ between two values of `key`, e.g. `split.seed`."""
    if isinstance(old, dict) and isinstance(new, dict):
        parts = {**old, **new}
        return [name for part in parts for name in differences(f"{key}.{part}", old.get(part), new.get(part))]
    return [] if old == new else [key]


def write_table_as(frame: Any, path: Path, encoding: str = "utf-8", delimiter: str = ",") -> None:
    """Write rows in the format the file name asks for: CSV (gzip-compressed for .csv.gz) or Parquet."""
    if is_csv(path):
        with replacing(path) as temporary:
            compression = "gzip" if path.suffix.lower() == ".gz" else None
            frame.to_csv(temporary, index=False, encoding=encoding, sep=delimiter, compression=compression)
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
    "metrics": "reports/test/metrics.json",
}
RAW = "raw"
RECORD = "inputs.json"
# What each stage reads: a change to any of it makes the stage's outputs, and all after them, out of date.
INPUTS = {
    "analyze": (RAW,),
    "prepare": (RAW, "diagnosis"),
    "preprocess": ("train",),
    "train": ("train", "preprocessor"),
    "test": ("model", "model_card", "train", "holdout"),
}
# Settings under a section a stage reads that only people and the demo read: names to show
# (data.labels) and where the demo keeps corrections (data.feedback_path).
SHOWN_ONLY = (("data", "labels"), ("data", "feedback_path"))
SETTINGS_READ = {
    "analyze": ("data", "analyze", "prepare.keep_columns", "model.problem_type"),
    "prepare": ("data", "analyze", "prepare", "split", "model.problem_type"),
    "preprocess": ("data", "preprocess", "spark.sample_rows"),
    "train": ("data", "preprocess", "split", "model", "spark.sample_rows", "spark.training"),
    "test": ("data", "split", "model", "value"),
}
# The documents a stage fills a block of; people write the rest of them.
CARDS = {"analyze": "docs/data-card.md", "test": "docs/model-card.md"}
PRODUCED_BY = {
    "diagnosis": "analyze",
    "cleaned": "prepare",
    "train": "prepare",
    "holdout": "prepare",
    "features": "preprocess",
    "preprocessor": "preprocess",
    "model": "train",
    "model_card": "train",
    "metrics": "test",
}


def run(project: Project, stage: str) -> list[str]:
    """Run one stage on current outputs of the stages before it; return the lines of its summary.

    Its outputs, and the record of what it read, change only if it succeeds.
    """
    module = importlib.import_module(f".{stage}.stage", package=PACKAGE)
    project.write_example()  # an input, not an output: it must exist before the stage reads it
    project.require_current(*STAGES[: STAGES.index(stage)])
    inputs = project.inputs_of(stage)
    with all_or_nothing():
        summary = module.run(project)
        write_json(project.record(stage), inputs)
{%- if cookiecutter.tracking == "mlflow" %}
    if stage in tracking.TRACKED:  # once its outputs are written: a run MLflow keeps is a run that worked
        summary.append(tracking.record(project, stage, inputs["settings"]))
{%- endif %}
    return summary
