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
from .messages import languages

CONFIG_FILE = "params.yaml"
SCHEMA_FILE = "params.schema.json"

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


# The text encodings a CSV file may be in (data.encoding), with the name people know each by.
ENCODINGS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with a byte order mark",
    "cp932": "Shift_JIS as Windows writes it (Japanese Excel's CSV)",
    "shift_jis": "Shift_JIS",
}


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
    raise ConfigError(
        f"No {CONFIG_FILE} in {here} or any folder above it. Run the command from inside the project folder."
    )


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
        raise ConfigError(f"{path} does not exist.") from None
    except IsADirectoryError:
        raise ConfigError(f"{path} is a folder, not a file: put the file back in its place.") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text; save it again as UTF-8.") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path} is not valid YAML: {yaml_problem(error)}.") from None
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
                raise ConfigError(
                    f"{CONFIG_FILE} sets {key!r} twice in the same section, at lines {seen[key]} and {line}: "
                    "delete the one that is not meant."
                )
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def yaml_problem(error: yaml.YAMLError) -> str:
    """PyYAML's complaint on one line, with the place it found it."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    return f"{problem} at line {mark.line + 1}, column {mark.column + 1}" if mark else problem


def parse_owners(value: str) -> tuple[str, ...]:
    """Split an owners field into owners; an empty field means the role is unassigned."""
    owners = tuple(value.replace(",", " ").split())
    for owner in owners:
        if not OWNER_PATTERN.fullmatch(owner):
            raise ConfigError(
                f"{owner!r} is not an owner. Write a GitHub or GitLab @user, an @org/team, "
                "or an email address; separate several with spaces; leave it empty if unassigned."
            )
    return owners


def check_requirement(problem_type: str, metric: str, threshold: float) -> None:
    """The model requirement must use a metric of the problem type and a reachable threshold."""
    spec = METRICS[metric]
    if spec.problem_type != problem_type:
        fitting = [name for name, other in METRICS.items() if other.problem_type == problem_type]
        raise SettingError(
            "metric", f"{metric!r} does not fit a {problem_type} problem; choose one of: {', '.join(fitting)}"
        )
    in_range = threshold > spec.lowest and (spec.highest is None or threshold <= spec.highest)
    if not math.isfinite(threshold) or not in_range:
        upper = f"at most {spec.highest:g}" if spec.highest is not None else "finite"
        raise SettingError(
            "threshold",
            f"out of range for {metric}: it must be above {spec.lowest:g} and {upper} (found {threshold:g})",
        )


def shown(number: float) -> str:
    """A limit as people read it: 0.05, 20, 4,294,967,295."""
    return f"{number:,.0f}" if float(number).is_integer() else f"{number:g}"


# What a setting of one kind accepts, said once: in params.schema.json, where editors show it, and in
# the message when a value is of the wrong kind.
Text = Annotated[str, Field(description="text")]
Flag = Annotated[bool, Field(description="true or false")]
WholeNumber = Annotated[int, Field(description="a whole number")]
Number = Annotated[int | float, Field(description="a number")]  # kept as written: 5 stays 5, 0.8 stays 0.8
Amount = Annotated[int | float, Field(ge=0, description="a number of at least 0")]
ColumnName = Annotated[str, Field(min_length=1, description="a column name")]
ColumnNames = Annotated[list[ColumnName], Field(description="a list of column names, such as [a, b], or []")]
OptionalColumn = Annotated[ColumnName | None, Field(description="a column name or null")]


def _lowest_first(bounds: list[float | None]) -> list[float | None]:
    low, high = bounds
    if low is not None and high is not None and low > high:
        raise ValueError(f"the lowest value comes first: [{shown(high)}, {shown(low)}]")
    return bounds


def _distinct(order: list[Any]) -> list[Any]:
    if len(set(map(str, order))) < len(order):
        raise ValueError("each value may appear once")
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
    Encoding = Literal[tuple(ENCODINGS)]
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


class DataSettings(Section):
    """The data every stage reads, and the role of its columns."""

    example: Literal["expenses", "diabetes", "none"]
    path: Annotated[str, Field(min_length=1, description="a file path inside this project")]
    encoding: Encoding
    delimiter: Delimiter
    missing_values: Annotated[
        list[Annotated[str, Field(min_length=1)]],
        Field(description='a list of cell values in quotes, such as ["?", "-", "NA"], or []'),
    ]
    target: ColumnName
    positive_label: Annotated[
        str | int | None, Field(description="a class label (text or a whole number) or null")
    ]
    id_columns: ColumnNames
    time_column: OptionalColumn
    segment_column: OptionalColumn
    text_columns: ColumnNames
    personal_data_columns: ColumnNames
    not_personal_columns: ColumnNames
    ignore_columns: ColumnNames
    expected_ranges: Annotated[
        dict[str, Bounds],
        Field(description="a mapping of column names to [lowest, highest], null for open: {age: [0, 120]}"),
    ]

    @field_validator("path")
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
        Field(description="columns mapped to their values, lowest first, such as {grade: [low, high]}"),
    ]
    min_category_rows: Annotated[WholeNumber, Field(ge=1)]
    unseen_categories: UnseenCategoryPolicy
    text_max_features: Annotated[WholeNumber, Field(ge=1, le=100_000)]
    text_analyzer: TextAnalyzer


class ValueSettings(Section):
    """The business value of the model against its cost."""

    currency: Text
    users: Amount
    items_per_user: Amount
    effect_per_item: Amount
    cost_per_error: Amount
    tolerance: Annotated[Amount | None, Field(description="a number of at least 0, or null")]
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
    """Whether an unmet stage gate stops CI."""

    blocking: Flag


class OwnersBase(Section):
    """The owner(s) of each role."""

    @field_validator("*")
    @classmethod
    def _owners(cls, value: str) -> str:
        parse_owners(value)
        return value


OWNERS_DESCRIPTION = "GitHub or GitLab @users, @org/teams or emails, space-separated; empty: unassigned"
# One field per role of the roles table; a static type checker sees the base class.
if TYPE_CHECKING:
    OwnersSettings = OwnersBase
else:
    OwnersSettings = create_model(
        "OwnersSettings",
        __base__=OwnersBase,
        **{role: (Annotated[str, Field(description=OWNERS_DESCRIPTION)], ...) for role in ROLES},
    )


class Settings(Section):
    """params.yaml, the single source of truth of this project."""

    project: ProjectSettings
    data: DataSettings
    model: ModelSettings
    split: SplitSettings
    analyze: AnalyzeSettings
    prepare: PrepareSettings
    preprocess: PreprocessSettings
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
            raise SettingError(
                "value.tolerance",
                "must be a number for regression: how far from the actual value a prediction may be and "
                "still count as right, in the target's units",
            )
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
    raise ConfigError(
        f"{len(problems)} problems in {CONFIG_FILE}:\n" + "\n".join(f"- {line}" for line in problems)
    )


# Limits, by pydantic's error type, as a person reads them.
LIMITS = {
    "greater_than_equal": ("ge", "must be at least {}"),
    "less_than_equal": ("le", "must be at most {}"),
    "too_short": ("min_length", "must have at least {} value(s)"),
    "too_long": ("max_length", "must have at most {} value(s)"),
}
# What a value inside a list or mapping must be, when it is of the wrong kind.
KINDS = {"int_type": "a number", "float_type": "a number", "string_type": "text", "list_type": "a list"}


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
            problems[name] = f"missing; add it ({SCHEMA_FILE} lists every key)"
        elif kind == "extra_forbidden":
            problems[name] = f"unknown key{close_key(path)}"
        elif kind == "model_type":
            sections = ", ".join(Settings.model_fields)
            problems[name] = (
                f"must be a mapping of keys to values (found {value!r})"
                if path
                else f"must be a mapping of sections: {sections}"
            )
        elif kind == "literal_error":
            choices = ", ".join(map(str, get_args(setting_field(path).annotation)))
            problems[name] = f"must be one of: {choices} (found {value!r})"
        elif kind in LIMITS:
            limit, text = LIMITS[kind]
            problems[name] = f"{text.format(shown(context[limit]))} (found {value!r})"
        elif kind == "string_too_short":
            problems[name] = "must not be empty"
        elif kind == "value_error":
            problems[name] = str(context["error"])
        else:
            described = setting_field(path).description if len(path) == 2 else None
            problems[name] = f"must be {described or KINDS.get(kind, kind)} (found {value!r})"
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


def close_key(path: list[Any]) -> str:
    """`; did you mean 'x'?` when a known key of the same section is spelled much like the unknown one."""
    section = Settings if len(path) == 1 else section_model(path[0])
    known = list(section.model_fields)
    match = difflib.get_close_matches(str(path[-1]), known, n=1)
    return f"; did you mean {match[0]!r}?" if match else f"; known keys: {', '.join(known)}"


def check_inside(root: Path, relative: str) -> None:
    """data.path must name a file in the project, not through a link: commands read and write only there."""
    written = Path(os.path.normpath(root / relative))
    resolved = written.resolve()
    if resolved.is_relative_to(root.resolve()):
        return
    if written.is_relative_to(root):
        raise ValueError(
            f"{relative} is a link to {resolved}, outside the project; copy the file itself under data/raw/ "
            "and point to it there"
        )
    raise ValueError(
        f"points outside the project ({relative}); copy the file under data/raw/ and point to it there"
    )


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
