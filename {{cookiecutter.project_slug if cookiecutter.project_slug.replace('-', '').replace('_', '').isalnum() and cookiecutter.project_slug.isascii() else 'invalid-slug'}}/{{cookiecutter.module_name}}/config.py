"""Read and check `params.yaml`, the single source of truth of this project.

Every command reads its settings through `load()`, so a mistake in the file is reported once, by
name, before any stage starts work.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .roles import LANGUAGES, ROLE_BY_KEY

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


METRICS = {
    "f1": Metric("classification", True, 0.0, 1.0),
    "precision": Metric("classification", True, 0.0, 1.0),
    "recall": Metric("classification", True, 0.0, 1.0),
    "roc_auc": Metric("classification", True, 0.0, 1.0),
    "accuracy": Metric("classification", True, 0.0, 1.0),
    "r2": Metric("regression", True, 0.0, 1.0),
    "rmse": Metric("regression", False, 0.0, None),
    "mae": Metric("regression", False, 0.0, None),
}


class ConfigError(ValueError):
    """params.yaml is missing, unreadable, or breaks one of its rules."""


def find_root(start: Path | None = None) -> Path:
    """The project folder: the nearest folder at or above `start` that holds params.yaml."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise ConfigError(
        f"No {CONFIG_FILE} in {here} or any folder above it. Run the command from inside the project folder."
    )


def load(root: Path | None = None) -> dict[str, Any]:
    """Read params.yaml from the project folder and return it once it passes every check."""
    path = (root or find_root()) / CONFIG_FILE
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ConfigError(f"{path} does not exist.") from error
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path} is not valid YAML: {error}") from error
    validate(raw)
    return raw


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


# The keys each section must have, with the type of each value.
SCHEMA: dict[str, dict[str, type | tuple[type, ...]]] = {
    "project": {"name": str, "language": str, "ci": str},
    "model": {"problem_type": str, "metric": str, "threshold": (int, float)},
    "owners": {},  # checked against the role catalogue below
}


def validate(raw: Any) -> None:
    """Raise ConfigError naming the first key that is missing, unknown or of the wrong type."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{CONFIG_FILE} must be a mapping of sections: {', '.join(SCHEMA)}.")
    _check_keys(raw, set(SCHEMA), CONFIG_FILE)
    schema = {**SCHEMA, "owners": {key: str for key in ROLE_BY_KEY}}
    for section, fields in schema.items():
        values = raw[section]
        if not isinstance(values, dict):
            raise ConfigError(f"'{section}' in {CONFIG_FILE} must be a mapping.")
        _check_keys(values, set(fields), section)
        for key, expected in fields.items():
            value = values[key]
            if isinstance(value, bool) or not isinstance(value, expected):
                wanted = "a number" if expected == (int, float) else "text"
                raise ConfigError(f"'{section}.{key}' must be {wanted}, not {value!r}.")

    project, model = raw["project"], raw["model"]
    if project["language"] not in LANGUAGES:
        raise ConfigError(f"'project.language' must be one of: {', '.join(LANGUAGES)}.")
    if project["ci"] not in ("github", "gitlab", "none"):
        raise ConfigError("'project.ci' must be one of: github, gitlab, none.")
    if model["problem_type"] not in ("classification", "regression"):
        raise ConfigError("'model.problem_type' must be classification or regression.")
    try:
        check_requirement(model["problem_type"], model["metric"], float(model["threshold"]))
    except ConfigError as error:
        raise ConfigError(f"'model' in {CONFIG_FILE}: {error}") from None
    for role, value in raw["owners"].items():
        try:
            parse_owners(value)
        except ConfigError as error:
            raise ConfigError(f"'owners.{role}': {error}") from None


def _check_keys(values: dict, expected: set[str], where: str) -> None:
    missing = sorted(expected - set(values))
    unknown = sorted(set(values) - expected)
    if missing:
        raise ConfigError(f"'{where}' is missing the key(s): {', '.join(missing)}.")
    if unknown:
        raise ConfigError(
            f"'{where}' has unknown key(s): {', '.join(unknown)}. Known keys: {', '.join(sorted(expected))}."
        )
