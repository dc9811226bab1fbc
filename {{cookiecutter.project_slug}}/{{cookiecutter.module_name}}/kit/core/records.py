"""Typed records of the JSON files one stage writes and others read: Analyze's diagnosis, the model card
and Test's metrics.

A reader gets attributes the editor completes and mypy checks (`card.algorithm`, not `card["algorithm"]`).
A file that lost a field or holds a wrong type stops with one message naming the file, the key path and
the fix, rerunning the stage that writes it, instead of a KeyError somewhere far from the cause.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .config import ProblemType, UnseenCategoryPolicy, key_path, written_path
from .files import write_json
from .messages import Messages, messages_beside
from .models import shown_path

# A value shown in a message is cut to about this many characters: a whole table would hide the key path.
SHOWN_VALUE = 60

RecordType = TypeVar("RecordType", bound="Record")


class RecordError(ValueError):
    """A stage output on file is not what the stage that writes it writes."""


class Part(BaseModel):
    """A mapping inside a record. Keys it does not know are kept, not refused: a card that a later version
    of this project released still loads, and is written back as it was."""

    # No namespace is protected: a key such as `model_version` is the file's, not pydantic's.
    model_config = ConfigDict(extra="allow", protected_namespaces=())


class Record(Part):
    """A JSON file one stage writes and others read."""

    # The stage that writes the file: a refused file names it, as rerunning it writes the file again.
    stage: ClassVar[str]

    @classmethod
    def read(cls: type[RecordType], path: Path, language: str) -> RecordType:
        """The record in `path`, or RecordError naming every key path that is missing or holds a wrong
        value. Values are taken as written, never converted: a number written as text is refused."""
        say = messages_beside(__file__, language)
        fix, file = say("records.fix", stage=cls.stage), shown_path(path)
        try:
            content = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise RecordError(say("records.unreadable", file=file, error=error, fix=fix)) from None
        try:
            return cls.model_validate(content, strict=True)
        except ValidationError as error:
            problems = say("records.separator").join(problems_by_key(error, content, say))
        raise RecordError(say("records.refused", file=file, stage=cls.stage, problems=problems, fix=fix))

    def content(self) -> dict[str, Any]:
        """The record as its file holds it: the keys that were given, in the order declared here, then any
        this code does not know, so that a record reads the same as the dictionary it replaced."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)

    def write(self, path: Path) -> bool:
        """Write the record to `path` unless the file already holds it; return whether it changed."""
        return write_json(path, self.content())


def problems_by_key(error: ValidationError, content: Any, say: Messages) -> list[str]:
    """A phrase per key path that is missing or holds a wrong value; a value that fails every kind a key
    accepts (a label is text or a number) is one problem."""
    problems: dict[str, str] = {}
    for problem in error.errors():
        if problem["type"] == "missing":
            key = key_path(list(problem["loc"]))
            problems.setdefault(key, say("records.missing", key=key))
        else:
            path, value = written_path(problem["loc"], content)
            key = key_path(path) or say("records.whole_file")
            problems.setdefault(key, say("records.wrong", key=key, found=shown(value)))
    return list(problems.values())


def shown(value: Any) -> str:
    """A value as the file holds it, cut short."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= SHOWN_VALUE else f"{text[: SHOWN_VALUE - 1]}…"


# Analyze's diagnosis: reports/analyze/diagnosis.json, which Prepare follows.


class DataFile(Part):
    """The raw data file diagnosed, and its SHA-256."""

    path: str
    sha256: str


class ColumnProfile(Part):
    """One column of the raw data as Analyze measured it."""

    dtype: str
    missing_share: float
    unique_values: int


class Finding(Part):
    """Something Analyze found, in a column (None: in the rows); whether Prepare drops the column for it, and
    whether it blocks training until someone resolves it."""

    kind: str
    column: str | None
    detail: str
    drop: bool
    blocking: bool


class Diagnosis(Record):
    """What Analyze measured and found in the raw data: reports/analyze/diagnosis.json."""

    stage: ClassVar[str] = "analyze"

    data: DataFile
    rows: int
    target: str
    problem_type: ProblemType
    target_counts: dict[str, int]
    columns: dict[str, ColumnProfile]
    duplicate_rows: int
    outliers: dict[str, int]
    leakage_scores: dict[str, float]
    target_correlation: dict[str, float]
    findings: list[Finding]
    drop_columns: list[str]
    blocking: bool


# Model card: models/model.json, beside the model file it describes.

ValueType = Literal["number", "text", "flag"]


class ColumnSchema(Part):
    """What a feature column held in training: what serving takes in it, and what it refuses."""

    kind: Literal["numbers", "categories", "ordered", "text"]
    dtype: str
    # The JSON types of its values; a card from before they were recorded has none (see serve.accepted_types).
    value_types: list[ValueType] | None = None
    # Its values in training: categories with at most MAX_KNOWN_CATEGORIES of them (train.stage).
    known_values: list[str] | None = None
    # data.expected_ranges of a number column: [lowest, highest], None for open.
    expected_range: list[int | float | None] | None = None


class CrossValidation(Part):
    """A candidate's score at its best setting: the mean over the folds, their spread, and each fold."""

    mean: float
    std: float
    folds: list[float]


class Trial(Part):
    """One setting of a candidate's hyper-parameter search, and its cross-validated score."""

    setting: dict[str, Any]
    mean: float
    std: float


class Search(Part):
    """A candidate's hyper-parameter search: every setting tried, and the best one."""

    tried: list[Trial]
    best: dict[str, Any]


class ModelCard(Record):
    """What it takes to reproduce, audit and serve the model: models/model.json, written by the train stage
    beside the model file, and copied into each release."""

    stage: ClassVar[str] = "train"

    algorithm: str
    estimator: str
    hyper_parameters: dict[str, str]
    metric: str
    threshold: int | float
    cross_validation: dict[str, CrossValidation]
    hyper_parameter_search: dict[str, Search]
    problem_type: ProblemType
    target: str
    positive_label: str | int | None
    classes: list[str]
    id_columns: list[str]
    # The columns the model takes, in its order; `schema` in the file (the name is taken in pydantic).
    columns: dict[str, ColumnSchema] = Field(alias="schema")
    # A card from before the policy was recorded refused unseen categories.
    unseen_categories: UnseenCategoryPolicy = "refuse"
    training_rows: int
    training_data_fingerprint: str
    seed: int
    libraries: dict[str, str]
    # When and at what cost the model was trained; a card from before they were recorded has none.
    trained_at: str | None = None
    training_seconds: float | None = None
    peak_memory_mb: float | None = None
    # The SHA-256 of the model file, added by models.save.
    sha256: str | None = None


# Test's metrics: reports/test/metrics.json. A score of the primary metric is kept under the metric's name
# (`"f1": 0.91`), which differs from project to project: such keys are kept as written, not checked.


class Verdict(Part):
    """What the model is worth on the holdout rows: the quality gate's checks and the value it brings."""

    primary: float
    meets_requirement: bool
    beats_baseline: bool
    no_simpler_model_is_better: bool
    share_correct: float
    business_value_per_month: float
    planned_value_per_month: float
    payback_month: int | None


class CandidateScore(Part):
    """A candidate at its best setting, trained on the training rows and scored on the holdout."""

    setting: dict[str, Any]


class SliceScore(Part):
    """The rows of one value of the segment column. After `rows` come, as written and so not checked here,
    the score and the verdicts on it (None where the slice has too few rows to judge): meets_requirement,
    shortfall, within_allowed_gap."""

    rows: int


class Contribution(Part):
    """How much worse the primary metric gets when a feature column is shuffled."""

    contribution: float
    std: float
    helps: bool


class ServiceLevel(Part):
    """Speed of the predictions; through the prediction service, also how many answers matched."""

    rows: int
    holdout_rows: int | None = None
    matching_predictions: int | None = None
    rows_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float


class UnseenCategories(Part):
    """Holdout rows per column that hold a category training never saw, and what serving does with them."""

    policy: UnseenCategoryPolicy
    rows: dict[str, int]
    refused_by_serving: int


class Period(Part):
    """Consecutive rows in time order: from when, to when, how many."""

    start: str = Field(alias="from")
    end: str = Field(alias="to")
    rows: int


class Staleness(Part):
    """The chosen candidate trained on the older rows and scored on the newer ones, period by period."""

    trained_on: Period
    periods: list[Period]
    newest_meets_requirement: bool | None


class Evaluation(Record):
    """What the Test stage measured: reports/test/metrics.json, copied into each release."""

    stage: ClassVar[str] = "test"

    model_version: str
    metric: str
    requirement: str
    value: Verdict
    holdout: dict[str, float]
    baseline: dict[str, float]
    candidates: dict[str, CandidateScore]
    slices: dict[str, SliceScore]
    feature_contributions: dict[str, Contribution]
    holdout_rows: int
    service_level: ServiceLevel
    model: str
    classes: list[str]
    unseen_categories: UnseenCategories
    # Only with a time column.
    staleness: Staleness | None = None
