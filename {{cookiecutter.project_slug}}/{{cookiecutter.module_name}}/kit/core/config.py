"""Read and check `params.yaml`, the single source of truth of this project.

Every command reads its settings through `load()`, so a mistake in the file is reported once, by
name, before any stage starts work.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..process.roles import LANGUAGES, ROLE_BY_KEY
from .conflicts import documents, refuse_unmerged

CONFIG_FILE = "params.yaml"

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


# What serving does with a category the model never saw: treat it as one of the rare ones, or refuse the row.
UNSEEN_CATEGORY_POLICIES = ("infrequent", "refuse")


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


def load(root: Path | None = None) -> dict[str, Any]:
    """Read params.yaml from the project folder and return it once it passes every check.

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
    validate(raw, path.parent)
    return raw


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
    if metric not in METRICS:
        raise ConfigError(f"Unknown metric {metric!r}. Choose one of: {', '.join(METRICS)}.")
    spec = METRICS[metric]
    if spec.problem_type != problem_type:
        fitting = [name for name, other in METRICS.items() if other.problem_type == problem_type]
        raise ConfigError(
            f"The metric {metric!r} does not fit a {problem_type} problem. "
            f"Choose one of: {', '.join(fitting)}."
        )
    in_range = threshold > spec.lowest and (spec.highest is None or threshold <= spec.highest)
    if not math.isfinite(threshold) or not in_range:
        upper = f"at most {spec.highest:g}" if spec.highest is not None else "finite"
        raise ConfigError(
            f"The threshold {threshold:g} is out of range for {metric}: "
            f"it must be above {spec.lowest:g} and {upper}."
        )


@dataclass(frozen=True)
class Field:
    """What one setting accepts. `kind` is text, number, integer, flag, names, markers, name, label, orders or
    ranges."""

    kind: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    optional: bool = False  # null is accepted

    def problem(self, value: Any) -> str | None:
        """Why `value` is not acceptable, or None when it is."""
        if self.optional and value is None:
            return None
        if self.kind == "flag":
            return None if isinstance(value, bool) else "true or false"
        if self.kind == "names":
            ok = isinstance(value, list) and all(isinstance(item, str) and item for item in value)
            return None if ok else "a list of column names, such as [a, b], or []"
        if self.kind == "markers":
            ok = isinstance(value, list) and all(isinstance(item, str) and item for item in value)
            return None if ok else 'a list of cell values in quotes, such as ["?", "-", "NA"], or []'
        if self.kind == "name":
            return None if value is None or (isinstance(value, str) and value) else "a column name or null"
        if self.kind == "orders":
            ok = _orders_ok(value)
            return None if ok else "columns mapped to their values, lowest first: {grade: [low, high]}"
        if self.kind == "ranges":
            ok = _ranges_ok(value)
            return None if ok else "a mapping of column names to [lowest, highest], null for open"
        if self.kind == "label":
            ok = value is None or (isinstance(value, (str, int)) and not isinstance(value, bool))
            return None if ok else "a class label (text or a whole number) or null"
        if self.kind == "text":
            if not isinstance(value, str):
                return "text"
            if self.choices and value not in self.choices:
                return f"one of: {', '.join(self.choices)}"
            return None
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        if self.kind == "integer" and not (numeric and float(value).is_integer()):
            return self._number_text("a whole number")
        if not numeric or not math.isfinite(value):
            return self._number_text("a number")
        too_low = self.minimum is not None and value < self.minimum
        too_high = self.maximum is not None and value > self.maximum
        noun = "a whole number" if self.kind == "integer" else "a number"
        return self._number_text(noun) if too_low or too_high else None

    def _number_text(self, noun: str) -> str:
        if self.minimum is not None and self.maximum is not None:
            return f"{noun} from {shown(self.minimum)} to {shown(self.maximum)}"
        if self.minimum is not None:
            return f"{noun} of at least {shown(self.minimum)}"
        return noun


def shown(number: float) -> str:
    """A limit as people read it: 0.05, 20, 4,294,967,295."""
    return f"{number:,.0f}" if float(number).is_integer() else f"{number:g}"


def _orders_ok(value: Any) -> bool:
    """Whether `value` maps column names to lists of distinct values, lowest first."""
    if not isinstance(value, dict):
        return False
    return all(
        isinstance(column, str) and isinstance(order, list) and len(set(map(str, order))) == len(order) > 0
        for column, order in value.items()
    )


def _ranges_ok(value: Any) -> bool:
    """Whether `value` maps column names to [lowest, highest] pairs of numbers or nulls, lowest first."""
    if not isinstance(value, dict):
        return False
    for column, bounds in value.items():
        if not (isinstance(column, str) and isinstance(bounds, list) and len(bounds) == 2):
            return False
        if not all(bound is None or Field("number").problem(bound) is None for bound in bounds):
            return False
        if None not in bounds and bounds[0] > bounds[1]:
            return False
    return True


TEXT, FLAG, NAMES, NAME = Field("text"), Field("flag"), Field("names"), Field("name")
AMOUNT = Field("number", minimum=0)

# Every section and key of params.yaml with what it accepts; owners are added from the roles.
SCHEMA: dict[str, dict[str, Field]] = {
    "project": {
        "name": TEXT,
        "language": Field("text", choices=LANGUAGES),
        "ci": Field("text", choices=("github", "gitlab", "none")),
    },
    "data": {
        "example": Field("text", choices=("expenses", "diabetes", "none")),
        "path": TEXT,
        "encoding": Field("text", choices=tuple(ENCODINGS)),
        "delimiter": Field("text", choices=tuple(DELIMITERS)),
        "missing_values": Field("markers"),
        "target": TEXT,
        "positive_label": Field("label"),
        "id_columns": NAMES,
        "time_column": NAME,
        "segment_column": NAME,
        "text_columns": NAMES,
        "personal_data_columns": NAMES,
        "not_personal_columns": NAMES,
        "ignore_columns": NAMES,
        "expected_ranges": Field("ranges"),
    },
    "model": {
        "problem_type": Field("text", choices=("classification", "regression")),
        "metric": Field("text", choices=tuple(METRICS)),
        "threshold": Field("number"),
        "average": Field("text", choices=("macro", "weighted")),
        "cv_folds": Field("integer", minimum=2, maximum=20),
        "max_slice_gap": Field("number", minimum=0, maximum=1),
    },
    "split": {
        "holdout_size": Field("number", minimum=0.05, maximum=0.5),
        "seed": Field("integer", minimum=0, maximum=2**32 - 1),  # numpy's and scikit-learn's range
    },
    "analyze": {
        "min_rows_per_class": Field("integer", minimum=1),
        "max_missing_share": Field("number", minimum=0, maximum=1),
        "leakage_score": Field("number", minimum=0.5, maximum=1),
        "outlier_iqr_factor": Field("number", minimum=0.1),
    },
    "prepare": {
        "drop_flagged_columns": FLAG,
        "keep_columns": NAMES,
        "drop_duplicates": FLAG,
        "drop_target_outliers": FLAG,
    },
    "preprocess": {
        "ordinal_columns": Field("orders"),
        "min_category_rows": Field("integer", minimum=1),
        "unseen_categories": Field("text", choices=UNSEEN_CATEGORY_POLICIES),
        "text_max_features": Field("integer", minimum=1, maximum=100_000),
    },
    "value": {
        "currency": TEXT,
        "users": AMOUNT,
        "items_per_user": AMOUNT,
        "effect_per_item": AMOUNT,
        "cost_per_error": AMOUNT,
        "tolerance": Field("number", minimum=0, optional=True),
        "development_cost": AMOUNT,
        "operation_cost_per_month": AMOUNT,
        "horizon_months": Field("integer", minimum=1, maximum=240),
    },
    "monitoring": {
        "max_model_age_days": Field("integer", minimum=1),
        "benchmark_tolerance": Field("number", minimum=1),
    },
{%- if cookiecutter.serving == "fastapi" %}
    "serving": {"max_request_bytes": Field("integer", minimum=1)},
{%- endif %}
    "readiness": {"minimum_score": Field("number", minimum=0, maximum=7)},
    "gates": {"blocking": FLAG},
    "owners": {role: TEXT for role in ROLE_BY_KEY},
}


def validate(raw: Any, root: Path | None = None) -> None:
    """Raise ConfigError naming the first key that is missing, unknown or not acceptable."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{CONFIG_FILE} must be a mapping of sections: {', '.join(SCHEMA)}.")
    _check_keys(raw, set(SCHEMA), CONFIG_FILE)
    for section, fields in SCHEMA.items():
        values = raw[section]
        if not isinstance(values, dict):
            raise ConfigError(f"'{section}' in {CONFIG_FILE} must be a mapping of keys to values.")
        _check_keys(values, set(fields), section)
        for key, field in fields.items():
            problem = field.problem(values[key])
            if problem:
                raise ConfigError(f"'{section}.{key}' must be {problem}, not {values[key]!r}.")

    model = raw["model"]
    try:
        check_requirement(model["problem_type"], model["metric"], float(model["threshold"]))
    except ConfigError as error:
        raise ConfigError(f"'model' in {CONFIG_FILE}: {error}") from None
    if model["problem_type"] == "regression" and raw["value"]["tolerance"] is None:
        raise ConfigError(
            "'value.tolerance' must be a number for regression: how far from the actual value a prediction "
            "may be and still count as right, in the target's units."
        )
    for role, value in raw["owners"].items():
        try:
            parse_owners(value)
        except ConfigError as error:
            raise ConfigError(f"'owners.{role}': {error}") from None
    if root is not None:
        check_inside(root, raw["data"]["path"])


def check_inside(root: Path, relative: str) -> None:
    """data.path must name a file in the project, not through a link: commands read and write only there."""
    written = Path(os.path.normpath(root / relative))
    resolved = written.resolve()
    if resolved.is_relative_to(root.resolve()):
        return
    if written.is_relative_to(root):
        raise ConfigError(
            f"'data.path' ({relative}) is a link to {resolved}, outside the project; copy the file itself "
            "under data/raw/ and point to it there."
        )
    raise ConfigError(
        f"'data.path' points outside the project ({relative}); copy the file under data/raw/ and point to it there."
    )


def _check_keys(values: dict, expected: set[str], where: str) -> None:
    missing = [key for key in expected if key not in values]
    unknown = sorted(set(values) - expected)
    if missing:
        raise ConfigError(f"'{where}' is missing the key(s): {', '.join(sorted(missing))}.")
    if unknown:
        raise ConfigError(
            f"'{where}' has unknown key(s): {', '.join(unknown)}. Known keys: {', '.join(sorted(expected))}."
        )


def requirement_text(model: dict[str, Any]) -> str:
    """The model requirement as people write it, for example `f1 ≥ 0.8` or `rmse ≤ 12.5`."""
    sign = "≥" if METRICS[model["metric"]].higher_is_better else "≤"
    return f"{model['metric']} {sign} {model['threshold']:g}"


def meets(model: dict[str, Any], value: float) -> bool:
    """Whether a measured value of the metric meets the model requirement."""
    if METRICS[model["metric"]].higher_is_better:
        return value >= model["threshold"]
    return value <= model["threshold"]
