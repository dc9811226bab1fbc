"""Reject answers that would give a broken or unsafe project, before any file is written.

Each check returns a message saying what is wrong and what is accepted. The rules on owners and
metrics mirror the generated project's `config.py`; tests/test_hooks.py keeps the two in step.
"""

import importlib.util
import json
import keyword
import math
import re
import sys

# The answers arrive as a JSON document inside a Python string literal, so quotes, backslashes,
# newlines or template syntax in an answer are data here, never code.
CONTEXT = json.loads({{cookiecutter | tojson | tojson}})
# How to bake again from these answers (local_extensions.retry_hint finds cookiecutter's replay file).
RETRY_HINT = json.loads({{cookiecutter | retry_hint | tojson | tojson}})

OWNER_PATTERN = re.compile(
    r"@[A-Za-z0-9_.][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_.][A-Za-z0-9_.-]*)*"
    r"|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
)
# metric: (problem type, lowest threshold (excluded), highest threshold (included) or None)
METRICS = {
    "f1": ("classification", 0.0, 1.0),
    "precision": ("classification", 0.0, 1.0),
    "recall": ("classification", 0.0, 1.0),
    "roc_auc": ("classification", 0.0, 1.0),
    "accuracy": ("classification", 0.0, 1.0),
    "r2": ("regression", 0.0, 1.0),
    "rmse": ("regression", 0.0, None),
    "mae": ("regression", 0.0, None),
}
# How the documents write a metric in the model requirement ("F1 ≥ 0.8"); cookiecutter.json derives
# __model_requirement the same way (tests/test_hooks.py keeps the two in step).
METRIC_LABELS = {
    "f1": "F1",
    "precision": "Precision",
    "recall": "Recall",
    "roc_auc": "ROC AUC",
    "accuracy": "Accuracy",
    "rmse": "RMSE",
    "mae": "MAE",
    "r2": "R²",
}
# Each example data set fits one problem type; "none" fits both.
EXAMPLE_PROBLEM_TYPES = {"expenses": "classification", "diabetes": "regression"}
ONE_LINE_FIELDS = ("project_name", "author")
REQUIRED_FIELDS = {
    "project_name": "give the project a name",
    "description": "say in one sentence who gets what value",
    "author": "name the person or organisation that holds the licence",
}
# Folder and package names stay well under the 255 bytes most file systems allow.
MAX_NAME_LENGTH = 100
# Folders of the generated project, and Python's own test package, which sys.stdlib_module_names omits.
TAKEN_NAMES = {"data", "docs", "models", "reports", "tests", "test"}
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def check_text(name, value):
    if CONTROL_CHARACTERS.search(value):
        return f"{name} contains a control character; use printable text."
    if name in ONE_LINE_FIELDS and ("\n" in value or "\t" in value):
        return f"{name} must be one line; remove the line break or tab."
    if name in REQUIRED_FIELDS and not value.strip():
        return (
            f"{name} is empty; {REQUIRED_FIELDS[name]}. (An answer given on the command line or in a "
            "config file is rendered as a template first: one made only of template tags renders empty.)"
        )
    return None


def check_identifier(name, value):
    """A folder or package name must be safe as a path and must not shadow Python's own modules.

    The project folder's own name is checked earlier, before cookiecutter creates it, by
    local_extensions.py; this check still keeps its identifier form from shadowing a module.
    """
    if len(value) > MAX_NAME_LENGTH:
        return f"{name} is {len(value)} characters long; use at most {MAX_NAME_LENGTH}."
    if "/" in value or "\\" in value or ".." in value:
        return f"{name} {value!r} contains a path separator or '..'; use a plain name such as 'expenses'."
    identifier = value.replace("-", "_") if name == "project_slug" else value
    if name == "module_name" and not (identifier.isascii() and identifier.isidentifier()):
        return (
            f"module_name {value!r} is not a valid Python identifier; use ASCII letters, digits and "
            "'_', not starting with a digit."
        )
    if keyword.iskeyword(identifier):
        return f"{name} {value!r} is a Python keyword; choose another name."
    if identifier in sys.stdlib_module_names:
        return f"{name} {value!r} is the name of a standard-library module; choose another name."
    if name == "module_name" and identifier in TAKEN_NAMES:
        return f"module_name {value!r} is taken by a folder of the project or by Python; choose another name."
    return None


def check_owner(name, value):
    for owner in value.replace(",", " ").split():
        if not OWNER_PATTERN.fullmatch(owner):
            return (
                f"{name} {owner!r} is not an owner; write a GitHub or GitLab @user, an @org/team, or "
                "an email address, several separated by spaces, or leave it empty for unassigned."
            )
    return None


def check_requirement(problem_type, metric, threshold):
    if metric not in METRICS:
        return f"metric {metric!r} is unknown; choose one of: {', '.join(METRICS)}."
    metric_type, lowest, highest = METRICS[metric]
    if metric_type != problem_type:
        fitting = [name for name, spec in METRICS.items() if spec[0] == problem_type]
        choices = ", ".join(fitting)
        return f"metric {metric!r} does not fit a {problem_type} problem; choose one of: {choices}."
    try:
        value = float(threshold)
    except ValueError:
        return f"metric_threshold {threshold!r} is not a number; write it like 0.8."
    if not math.isfinite(value) or value <= lowest or (highest is not None and value > highest):
        upper = f"at most {highest:g}" if highest is not None else "finite"
        bounds = f"above {lowest:g} and {upper}"
        return f"metric_threshold {threshold} is out of range for {metric}; it must be {bounds}."
    return None


def model_requirement(metric, threshold):
    return f"{METRIC_LABELS.get(metric, metric)} {'≤' if metric in ('rmse', 'mae') else '≥'} {threshold}"


def check_model_requirement(context):
    """Cookiecutter derives __model_requirement from metric and metric_threshold once, when it asks;
    a replay file keeps it as it was, so an answer corrected there must bring it along."""
    expected = model_requirement(context["metric"], context["metric_threshold"])
    written = context.get("__model_requirement", expected)
    if written != expected:
        return (
            f"__model_requirement {written!r} does not match metric {context['metric']} and "
            f"metric_threshold {context['metric_threshold']}; write {expected!r} in the replay file."
        )
    return None


def check_example(problem_type, example):
    if example not in (*EXAMPLE_PROBLEM_TYPES, "none"):
        return f"example_data {example!r} is unknown; choose expenses, diabetes or none."
    if EXAMPLE_PROBLEM_TYPES.get(example, problem_type) != problem_type:
        fitting = [name for name, kind in EXAMPLE_PROBLEM_TYPES.items() if kind == problem_type]
        return (
            f"example_data {example!r} is a {EXAMPLE_PROBLEM_TYPES[example]} example and does not fit a "
            f"{problem_type} problem; choose {fitting[0]} or none."
        )
    return None


def check_hook_requirements():
    """The post-generation hook writes params.schema.json with the new project's own code, whose
    settings are pydantic models: pydantic must be installed beside cookiecutter."""
    if importlib.util.find_spec("pydantic") is None:
        return (
            "pydantic is not installed in the Python that runs cookiecutter; the new project's settings need "
            "it. Install it beside cookiecutter (pip install cookiecutter pydantic; with pipx: pipx inject "
            "cookiecutter pydantic; with uv: uvx --with pydantic cookiecutter ...), then run again."
        )
    return None


def problems(context):
    """Every message about the answers in `context`; empty when all are fine."""
    found = [check_text(name, context[name]) for name in ("project_name", "description", "author")]
    slug_problem = check_identifier("project_slug", context["project_slug"])
    found.append(slug_problem)
    # A module name derived from a bad slug would only repeat the slug's message.
    if not (slug_problem and context["module_name"] == context["project_slug"].replace("-", "_")):
        found.append(check_identifier("module_name", context["module_name"]))
    found += [check_owner(name, value) for name, value in context.items() if name.startswith("owner_")]
    requirement_problem = check_requirement(
        context["problem_type"], context["metric"], context["metric_threshold"]
    )
    found.append(requirement_problem or check_model_requirement(context))
    found.append(check_example(context["problem_type"], context["example_data"]))
    found.append(check_hook_requirements())
    return [message for message in found if message]


def retry_hint(found):
    hint = [RETRY_HINT]
    if any(message.startswith(("metric", "__model_requirement")) for message in found):
        example = model_requirement("f1", "0.8")
        hint.append(f"A corrected metric or threshold needs __model_requirement to match, as in {example!r}.")
    return "\n".join(hint)


def main():
    found = problems(CONTEXT)
    for message in found:
        print(f"error: {message}", file=sys.stderr)
    if found:
        print(retry_hint(found), file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
