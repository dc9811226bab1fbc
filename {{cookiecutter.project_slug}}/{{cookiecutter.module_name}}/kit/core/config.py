"""Read and check `params.yaml`, the single source of truth of this project.

Every command reads its settings through `load()`, into typed settings (pydantic models): code
reads `settings.model.cv_folds`, not strings, and every mistake in the file is reported at once,
each by its key, before any stage starts work. The same models write params.schema.json, by which
editors complete and check the file as it is typed.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo

from ..process.roles import ROLES
from .conflicts import documents, refuse_unmerged
from .files import write_text
from .messages import languages, messages_here

CONFIG_FILE = "params.yaml"
SCHEMA_FILE = "params.schema.json"

# The core's sentences in the project's language: params.yaml may be the thing that is broken.
say = messages_here(__file__)

OWNER_PATTERN = re.compile(
    r"@[A-Za-z0-9_.][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_.][A-Za-z0-9_.-]*)*"  # @user, @org/team
    r"|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"  # email
)


@dataclass(frozen=True)
class Metric:
    problem_type: str
    higher_is_better: bool
    # The model requirement's threshold must lie in (lowest, highest]; None means unbounded.
    lowest: float
    highest: float | None
    # scikit-learn's scorer of the same metric, for cross-validation (it negates errors).
    scorer: str


METRICS = {
    "f1": Metric("classification", True, 0.0, 1.0, "f1"),
    "precision": Metric("classification", True, 0.0, 1.0, "precision"),
    "recall": Metric("classification", True, 0.0, 1.0, "recall"),
    "roc_auc": Metric("classification", True, 0.0, 1.0, "roc_auc"),
    "accuracy": Metric("classification", True, 0.0, 1.0, "accuracy"),
    "r2": Metric("regression", True, 0.0, 1.0, "r2"),
    "rmse": Metric("regression", False, 0.0, None, "neg_root_mean_squared_error"),
    "mae": Metric("regression", False, 0.0, None, "neg_mean_absolute_error"),
}


# The text encodings a CSV file may be in (data.encoding); the names people know each by are in the
# message files, under data.encoding_name.
ENCODINGS = ("utf-8", "utf-8-sig", "cp932", "shift_jis")


# How the values of a CSV row are separated (data.delimiter), by name, so that params.yaml needs no escapes.
DELIMITERS = {"comma": ",", "semicolon": ";", "tab": "\t", "pipe": "|"}


ProblemType = Literal["classification", "regression"]


# What serving does with a category the model never saw: treat it as one of the rare ones, or refuse the row.
UNSEEN_CATEGORY_POLICIES = ("infrequent", "refuse")


# How free text becomes features (preprocess.text_analyzer): words split at spaces and punctuation,
# characters and character pairs (Japanese writes no spaces between words), morphemes as a Japanese
# dictionary splits them, or characters for a column whose values are mostly Japanese and words otherwise.
TEXT_ANALYZERS = ("auto", "words", "characters", "morphemes")


class ConfigError(ValueError):
    """params.yaml is missing, unreadable, or breaks one of its rules."""


def find_root(start: Path | None = None) -> Path:
    """The project folder: the nearest folder at or above `start` that holds params.yaml."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).exists():  # a folder by that name is reported by load()
            return folder
    raise ConfigError(say("config.not_found", file=CONFIG_FILE, folder=here))


def load(root: Path | None = None) -> Settings:
    """Read params.yaml from the project folder and return its settings once they pass every check.

    A project that a template update left half-merged is refused first, whatever the command.
    """
    root = root or find_root()
    path = root / CONFIG_FILE
    refuse_unmerged(root, [path, *documents(root)])
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=UniqueKeyLoader)
    except FileNotFoundError:
        raise ConfigError(say("config.missing", path=path)) from None
    except IsADirectoryError:
        raise ConfigError(say("config.folder", path=path)) from None
    except UnicodeDecodeError:
        raise ConfigError(say("config.not_utf8", path=path)) from None
    except yaml.YAMLError as error:
        raise ConfigError(say("config.not_yaml", path=path, problem=yaml_problem(error))) from None
    return validate(raw, path.parent)


class UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a key written twice in one mapping: otherwise the last one wins
    without a word, and a setting someone changed further up is silently ignored."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if key in seen:
                twice = say("config.twice", file=CONFIG_FILE, key=key, first=seen[key], second=line)
                raise ConfigError(twice)
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def yaml_problem(error: yaml.YAMLError) -> str:
    """PyYAML's complaint on one line, with the place it found it. PyYAML words it in English only."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    if mark is None:
        return problem
    return say("config.yaml_place", problem=problem, line=mark.line + 1, column=mark.column + 1)


def parse_owners(value: str) -> tuple[str, ...]:
    """Split an owners field into owners; an empty field means the role is unassigned."""
    owners = tuple(value.replace(",", " ").split())
    for owner in owners:
        if not OWNER_PATTERN.fullmatch(owner):
            raise ConfigError(say("config.not_owner", owner=owner))
    return owners


def check_requirement(problem_type: str, metric: str, threshold: float) -> None:
    """The model requirement must use a metric of the problem type and a reachable threshold."""
    spec = METRICS[metric]
    if spec.problem_type != problem_type:
        fitting = ", ".join(name for name, other in METRICS.items() if other.problem_type == problem_type)
        unfit = say("config.problem.metric_unfit", metric=metric, problem_type=problem_type, choices=fitting)
        raise SettingError("metric", unfit)
    in_range = threshold > spec.lowest and (spec.highest is None or threshold <= spec.highest)
    if not math.isfinite(threshold) or not in_range:
        bounds = "threshold_unbounded" if spec.highest is None else "threshold_range"
        out_of_range = say(
            f"config.problem.{bounds}",
            metric=metric,
            lowest=spec.lowest,
            highest=spec.highest,
            threshold=threshold,
        )
        raise SettingError("threshold", out_of_range)


def shown(number: float) -> str:
    """A limit as people read it: 0.05, 20, 4,294,967,295."""
    return f"{number:,.0f}" if float(number).is_integer() else f"{number:g}"


# What a setting of one kind accepts, said once in the project's language: in params.schema.json, where
# editors show it, and in the message when a value is of the wrong kind.
Text = Annotated[str, Field(description=say("config.kind.text"))]
Flag = Annotated[bool, Field(description=say("config.kind.flag"))]
WholeNumber = Annotated[int, Field(description=say("config.kind.whole_number"))]
# Kept as written: 5 stays 5, 0.8 stays 0.8.
Number = Annotated[int | float, Field(description=say("config.kind.number"))]
Amount = Annotated[int | float, Field(ge=0, description=say("config.kind.amount"))]
ColumnName = Annotated[str, Field(min_length=1, description=say("config.kind.column"))]
ColumnNames = Annotated[list[ColumnName], Field(description=say("config.kind.columns"))]
OptionalColumn = Annotated[ColumnName | None, Field(description=say("config.kind.optional_column"))]


def _lowest_first(bounds: list[float | None]) -> list[float | None]:
    low, high = bounds
    if low is not None and high is not None and low > high:
        raise ValueError(say("config.problem.lowest_first", lowest=shown(high), highest=shown(low)))
    return bounds


def _distinct(order: list[Any]) -> list[Any]:
    if len(set(map(str, order))) < len(order):
        raise ValueError(say("config.problem.repeated"))
    return order


Bounds = Annotated[list[int | float | None], Field(min_length=2, max_length=2), AfterValidator(_lowest_first)]
Order = Annotated[list[str | int | float | bool], Field(min_length=1), AfterValidator(_distinct)]


# Choices defined by tables elsewhere: pydantic checks them at run time and writes them into the
# schema; a static type checker sees plain text.
if TYPE_CHECKING:
    Language = str
    Encoding = str
    Delimiter = str
    MetricName = str
    UnseenCategoryPolicy = str
    TextAnalyzer = str
else:
    Language = Literal[languages()]
    Encoding = Literal[ENCODINGS]
    Delimiter = Literal[tuple(DELIMITERS)]
    MetricName = Literal[tuple(METRICS)]
    UnseenCategoryPolicy = Literal[UNSEEN_CATEGORY_POLICIES]
    TextAnalyzer = Literal[TEXT_ANALYZERS]


class SettingError(ValueError):
    """A rule that ties a setting to others, broken: `key` (dotted, below where the rule sits) names the
    setting to change, so the message points at it and not at its whole section."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


class Section(BaseModel):
    """A section of params.yaml: every key is required and no other is accepted, so a key written
    wrongly is refused instead of silently ignored. Values are taken as written, never converted."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class ProjectSettings(Section):
    """The project's name, language and CI."""

    name: Text
    language: Language
    ci: Literal["github", "gitlab", "none"]


# The classes of a target as params.yaml writes them: `1:` is read as a whole number, `business:` as text.
ClassLabel = str | int


class LabelSettings(Section):
    """Names people read instead of the data's own (data.labels): of columns, and of the target's classes.

    Optional: a column or class without one is shown as it is. The demo shows these names; the stages
    only check that every column named here is in the data."""

    columns: Annotated[
        dict[ColumnName, Annotated[str, Field(min_length=1)]],
        Field(default_factory=dict, description=say("labels.kind.columns")),
    ]
    classes: Annotated[
        dict[ClassLabel, Annotated[str, Field(min_length=1)]],
        Field(default_factory=dict, description=say("labels.kind.classes")),
    ]


class DataSettings(Section):
    """The data every stage reads, and the role of its columns."""

    example: Literal["expenses", "diabetes", "none"]
    path: Annotated[str, Field(min_length=1, description=say("config.kind.path"))]
    encoding: Encoding
    delimiter: Delimiter
    missing_values: Annotated[
        list[Annotated[str, Field(min_length=1)]],
        Field(description=say("config.kind.missing_values")),
    ]
    target: ColumnName
    positive_label: Annotated[str | int | None, Field(description=say("config.kind.label"))]
    id_columns: ColumnNames
    time_column: OptionalColumn
    segment_column: OptionalColumn
    text_columns: ColumnNames
    personal_data_columns: ColumnNames
    not_personal_columns: ColumnNames
    ignore_columns: ColumnNames
    expected_ranges: Annotated[
        dict[str, Bounds],
        Field(description=say("config.kind.ranges", example="{age: [0, 120]}")),
    ]
    labels: Annotated[LabelSettings, Field(default_factory=LabelSettings)]
    feedback_path: Annotated[str, Field(min_length=1, description=say("labels.kind.feedback_path"))] = (
        "data/feedback/feedback.csv"
    )

    @field_validator("path", "feedback_path")
    @classmethod
    def _inside_the_project(cls, path: str, info: ValidationInfo) -> str:
        root = (info.context or {}).get("root")
        if root is not None:
            check_inside(root, path)
        return path


class ModelSettings(Section):
    """The model requirement and how candidates are compared."""

    problem_type: ProblemType
    metric: MetricName
    threshold: Number
    average: Literal["macro", "weighted"]
    cv_folds: Annotated[WholeNumber, Field(ge=2, le=20)]
    max_slice_gap: Annotated[Number, Field(ge=0, le=1)]

    @model_validator(mode="after")
    def _reachable_requirement(self) -> ModelSettings:
        check_requirement(self.problem_type, self.metric, self.threshold)
        return self


class SplitSettings(Section):
    """How rows are kept away from training, and the seed of every random choice."""

    holdout_size: Annotated[Number, Field(ge=0.05, le=0.5)]
    seed: Annotated[WholeNumber, Field(ge=0, le=2**32 - 1)]  # numpy's and scikit-learn's range


class AnalyzeSettings(Section):
    """The limits by which Analyze flags columns and counts rows."""

    min_rows_per_class: Annotated[WholeNumber, Field(ge=1)]
    max_missing_share: Annotated[Number, Field(ge=0, le=1)]
    leakage_score: Annotated[Number, Field(ge=0.5, le=1)]
    outlier_iqr_factor: Annotated[Number, Field(ge=0.1)]


class PrepareSettings(Section):
    """What Prepare drops and keeps."""

    drop_flagged_columns: Flag
    keep_columns: ColumnNames
    drop_duplicates: Flag
    drop_target_outliers: Flag


class PreprocessSettings(Section):
    """How columns become features."""

    ordinal_columns: Annotated[
        dict[str, Order],
        Field(description=say("config.kind.ordinal", example="{grade: [low, high]}")),
    ]
    min_category_rows: Annotated[WholeNumber, Field(ge=1)]
    unseen_categories: UnseenCategoryPolicy
    text_max_features: Annotated[WholeNumber, Field(ge=1, le=100_000)]
    text_analyzer: TextAnalyzer


class SparkSettings(Section):
    """How the Spark engine runs, when `engine: spark`."""

    master: Annotated[str | None, Field(description=say("config.kind.spark_master"))]
    options: Annotated[dict[str, str], Field(description=say("config.kind.spark_options"))]
    table: Annotated[str | None, Field(min_length=1, description=say("config.kind.spark_table"))]
    sample_rows: Annotated[WholeNumber, Field(ge=1000)]
    training: Literal["sample", "distributed"]


class ValueSettings(Section):
    """The business value of the model against its cost."""

    currency: Text
    users: Amount
    items_per_user: Amount
    effect_per_item: Amount
    cost_per_error: Amount
    tolerance: Annotated[Amount | None, Field(description=say("config.kind.optional_amount"))]
    development_cost: Amount
    operation_cost_per_month: Amount
    horizon_months: Annotated[WholeNumber, Field(ge=1, le=240)]


class MonitoringSettings(Section):
    """How old and how slow the served model may get."""

    max_model_age_days: Annotated[WholeNumber, Field(ge=1)]
    benchmark_tolerance: Annotated[Number, Field(ge=1)]
{%- if cookiecutter.serving == "fastapi" %}


class ServingSettings(Section):
    """The prediction service."""

    max_request_bytes: Annotated[WholeNumber, Field(ge=1)]
{%- endif %}


class ReadinessSettings(Section):
    """The ML Test Score every section must reach."""

    minimum_score: Annotated[Number, Field(ge=0, le=7)]


class GatesSettings(Section):
    """Whether an unmet stage gate stops `run` and CI, or only warns."""

    blocking: Flag


class OwnersBase(Section):
    """The owner(s) of each role."""

    @field_validator("*")
    @classmethod
    def _owners(cls, value: str) -> str:
        parse_owners(value)
        return value


# One field per role of the roles table; a static type checker sees the base class.
if TYPE_CHECKING:
    OwnersSettings = OwnersBase
else:
    OwnersSettings = create_model(
        "OwnersSettings",
        __base__=OwnersBase,
        **{role: (Annotated[str, Field(description=say("config.kind.owners"))], ...) for role in ROLES},
    )


class Settings(Section):
    """params.yaml, the single source of truth of this project."""

    project: ProjectSettings
    engine: Annotated[Literal["pandas", "spark"], Field(description=say("config.kind.engine"))]
    data: DataSettings
    model: ModelSettings
    split: SplitSettings
    analyze: AnalyzeSettings
    prepare: PrepareSettings
    preprocess: PreprocessSettings
    spark: SparkSettings
    value: ValueSettings
    monitoring: MonitoringSettings
{%- if cookiecutter.serving == "fastapi" %}
    serving: ServingSettings
{%- endif %}
    readiness: ReadinessSettings
    gates: GatesSettings
    owners: OwnersSettings

    @model_validator(mode="after")
    def _tolerance_for_regression(self) -> Settings:
        if self.model.problem_type == "regression" and self.value.tolerance is None:
            raise SettingError("value.tolerance", say("config.problem.tolerance"))
        return self

    @model_validator(mode="after")
    def _classes_for_classification(self) -> Settings:
        if self.model.problem_type == "regression" and self.data.labels.classes:
            raise SettingError("data.labels.classes", say("labels.problem.regression"))
        return self


def validate(raw: Any, root: Path | None = None) -> Settings:
    """The settings in `raw`, or ConfigError with a line for every key that is missing, unknown or not
    acceptable: one round of fixes mends the file. With `root`, data.path must lie inside it."""
    try:
        return Settings.model_validate(raw, context={"root": root})
    except ValidationError as error:
        problems = [f"{name}: {text}" if name else text for name, text in problems_by_key(error, raw).items()]
    if len(problems) == 1:
        raise ConfigError(f"{CONFIG_FILE}: {problems[0]}")
    heading = say("config.several", count=len(problems), file=CONFIG_FILE)
    raise ConfigError(heading + "\n" + "\n".join(f"- {line}" for line in problems))


# Limits, by pydantic's error type: the limit's name in pydantic's context, and the message of it.
LIMITS = {
    "greater_than_equal": ("ge", "at_least"),
    "less_than_equal": ("le", "at_most"),
    "too_short": ("min_length", "few_values"),
    "too_long": ("max_length", "many_values"),
}
# What a value inside a list or mapping must be, when it is of the wrong kind: a `config.kind` message.
KINDS = {"int_type": "number", "float_type": "number", "string_type": "text", "list_type": "list"}


def problems_by_key(error: ValidationError, raw: Any) -> dict[str, str]:
    """What is wrong, by key path as written in params.yaml (`model.cv_folds`, `data.id_columns[0]`).

    A value of the wrong kind fails every kind a setting accepts (a label is text or a number):
    those failures are one problem, so only the first at each key path is kept.
    """
    problems: dict[str, str] = {}
    for problem in error.errors():
        kind, context = problem["type"], problem.get("ctx", {})
        path, value = (list(problem["loc"]), None) if kind == "missing" else written_path(problem["loc"], raw)
        if isinstance(context.get("error"), SettingError):
            path = [*path, context["error"].key]
        name = key_path(path)
        if name in problems:
            continue
        if kind == "missing":
            problems[name] = say("config.problem.missing", schema=SCHEMA_FILE)
        elif kind == "extra_forbidden":
            problems[name] = unknown_key(path)
        elif kind == "model_type" and path:
            problems[name] = say("config.problem.not_mapping", value=value)
        elif kind == "model_type":
            problems[name] = say("config.problem.not_sections", sections=", ".join(Settings.model_fields))
        elif kind == "literal_error":
            choices = ", ".join(map(str, get_args(setting_field(path).annotation)))
            problems[name] = say("config.problem.not_choice", choices=choices, value=value)
        elif kind in LIMITS:
            limit, message = LIMITS[kind]
            problems[name] = say(f"config.problem.{message}", limit=shown(context[limit]), value=value)
        elif kind == "string_too_short":
            problems[name] = say("config.problem.empty")
        elif kind == "value_error":
            problems[name] = str(context["error"])
        else:
            found = field_at(path)
            described = found.description if found is not None else None
            kind_text = described or (say(f"config.kind.{KINDS[kind]}") if kind in KINDS else kind)
            problems[name] = say("config.problem.wrong_kind", kind=kind_text, value=value)
    return problems


def key_path(path: list[Any]) -> str:
    """A key path as written in a file: `model.cv_folds`, `data.id_columns[0]`."""
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path).lstrip(".")


def written_path(location: tuple[Any, ...], raw: Any) -> tuple[list[Any], Any]:
    """The part of pydantic's location that is a key path in the file, and the value found there.

    For a value that may be of several kinds, pydantic adds the kind it tried (such as `int`): that part
    and any after it are left out.
    """
    path: list[Any] = []
    value = raw
    for part in location:
        in_mapping = isinstance(value, dict) and part in value
        in_list = isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value)
        if not (in_mapping or in_list):
            break
        value = value[part]
        path.append(part)
    return path, value


def section_model(name: str) -> type[BaseModel]:
    """The model of one section of params.yaml, such as `model`."""
    section = Settings.model_fields[name].annotation
    assert isinstance(section, type) and issubclass(section, BaseModel), name
    return section


def setting_field(path: list[Any]) -> FieldInfo:
    """The model field of `section.key`."""
    return section_model(path[0]).model_fields[path[1]] if len(path) > 1 else Settings.model_fields[path[0]]


def field_at(path: list[Any]) -> FieldInfo | None:
    """The model field a key path names, through nested sections such as data.labels; None for a value
    inside a list or a mapping, or for a section itself."""
    if len(path) < 2:
        return None
    section: type[BaseModel] = Settings
    found: FieldInfo | None = None
    for part in path:
        if found is not None:
            inner = found.annotation
            if not (isinstance(inner, type) and issubclass(inner, BaseModel)):
                return None
            section = inner
        found = section.model_fields.get(part) if isinstance(part, str) else None
        if found is None:
            return None
    return found


def unknown_key(path: list[Any]) -> str:
    """The problem of a key its section does not know: with the known key spelled much like it, if there
    is one (a misspelling), or else with every key the section knows."""
    section: type[BaseModel] = Settings
    for part in path[:-1]:  # down to the mapping the key is in, such as data.labels
        field = section.model_fields.get(part) if isinstance(part, str) else None
        inner = field.annotation if field is not None else None
        if not (isinstance(inner, type) and issubclass(inner, BaseModel)):
            break
        section = inner
    known = list(section.model_fields)
    match = difflib.get_close_matches(str(path[-1]), known, n=1)
    if match:
        return say("config.problem.unknown_like", match=match[0])
    return say("config.problem.unknown", known=", ".join(known))


def check_inside(root: Path, relative: str) -> None:
    """data.path must name a file in the project, not through a link: commands read and write only there."""
    written = Path(os.path.normpath(root / relative))
    resolved = written.resolve()
    if resolved.is_relative_to(root.resolve()):
        return
    if written.is_relative_to(root):
        raise ValueError(say("config.problem.link", path=relative, target=resolved))
    raise ValueError(say("config.problem.outside", path=relative))


def schema_text() -> str:
    """params.schema.json as the settings' models describe params.yaml."""
    return json.dumps(Settings.model_json_schema(), indent=2, ensure_ascii=False) + "\n"


def write_schema(root: Path) -> bool:
    """Write params.schema.json beside params.yaml; return whether it changed."""
    return write_text(root / SCHEMA_FILE, schema_text())


def requirement_text(model: ModelSettings) -> str:
    """The model requirement as people write it, for example `f1 ≥ 0.8` or `rmse ≤ 12.5`."""
    sign = "≥" if METRICS[model.metric].higher_is_better else "≤"
    return f"{model.metric} {sign} {model.threshold:g}"


def meets(model: ModelSettings, value: float) -> bool:
    """Whether a measured value of the metric meets the model requirement."""
    if METRICS[model.metric].higher_is_better:
        return value >= model.threshold
    return value <= model.threshold
