"""The hooks' functions on their own, and the template files cookiecutter must render."""

import fnmatch
import importlib
import shutil
import sys
import types
import typing

import jinja2
import pytest
import yaml
from binaryornot.check import is_binary
from conftest import CONTEXT, TEMPLATE

import local_extensions

PROJECT_TEMPLATE = TEMPLATE / "{{cookiecutter.project_slug}}"
DEFAULTS = {
    **{name: value[0] if isinstance(value, list) else value for name, value in CONTEXT.items()},
    "project_slug": "expense-classifier",
    "module_name": "expense_classifier",
    "metric": "f1",
    "metric_threshold": "0.8",
    "example_data": "expenses",
    "__model_requirement": "F1 ≥ 0.8",
}


def load_hook(name, context):
    """Render a hook as cookiecutter does and import it as a module, without running main."""
    source = (TEMPLATE / "hooks" / f"{name}.py").read_text(encoding="utf-8")
    module = types.ModuleType(name)
    environment = jinja2.Environment(extensions=[local_extensions.ProjectFolderGuard])
    exec(environment.from_string(source).render(cookiecutter=context), module.__dict__)
    return module


def load_generated_config(folder):
    """The generated project's config module, in a copy of the package in `folder` with config.py
    rendered with the default answers; the modules it imports need no rendering."""
    package = folder / "generated_package"
    shutil.copytree(PROJECT_TEMPLATE / "{{cookiecutter.module_name}}", package)
    config = package / "kit" / "core" / "config.py"
    config.write_text(jinja2.Template(config.read_text(encoding="utf-8")).render(cookiecutter=DEFAULTS))
    sys.path.insert(0, str(folder))
    return importlib.import_module("generated_package.kit.core.config")


@pytest.fixture(scope="module")
def pre_gen():
    return load_hook("pre_gen_project", DEFAULTS)


def test_the_default_answers_raise_no_problem(pre_gen):
    assert pre_gen.problems(DEFAULTS) == []


def test_the_hook_receives_answers_with_quotes_and_template_syntax_intact():
    tricky = {**DEFAULTS, "description": '"""\'; import os  {{ x }} \\ 🚀'}
    assert load_hook("pre_gen_project", tricky).CONTEXT["description"] == tricky["description"]


def test_all_problems_are_reported_at_once(pre_gen):
    found = pre_gen.problems({**DEFAULTS, "module_name": "class", "owner_sponsor": "boss"})
    assert len(found) == 2


@pytest.mark.parametrize("metric", ["f1", "precision", "recall", "roc_auc", "accuracy", "r2", "rmse", "mae"])
def test_the_hook_writes_the_model_requirement_as_cookiecutter_json_does(pre_gen, metric):
    answers = {"metric": metric, "metric_threshold": "0.7"}
    derived = jinja2.Template(CONTEXT["__model_requirement"]).render(cookiecutter=answers)
    assert pre_gen.model_requirement(metric, "0.7") == derived


def test_a_model_requirement_left_stale_in_a_replay_file_is_caught(pre_gen):
    """A replay file keeps the requirement text derived from the first answers."""
    corrected = {**DEFAULTS, "metric_threshold": "0.7"}
    found = pre_gen.problems(corrected)
    assert found == [
        "__model_requirement 'F1 ≥ 0.8' does not match metric f1 and metric_threshold 0.7; "
        "write 'F1 ≥ 0.7' in the replay file."
    ]
    assert "__model_requirement to match" in pre_gen.retry_hint(found)


def test_hook_rules_match_the_generated_projects_config_checks(pre_gen, tmp_path):
    """The hook cannot import the project it is about to write, so it keeps a copy of the rules."""
    config = load_generated_config(tmp_path)
    assert pre_gen.OWNER_PATTERN.pattern == config.OWNER_PATTERN.pattern
    metrics = {name: (spec.problem_type, spec.lowest, spec.highest) for name, spec in config.METRICS.items()}
    assert metrics == pre_gen.METRICS
    # The answers a project is made with are settings of params.yaml: the models accept every choice.
    assert set(pre_gen.EXAMPLE_PROBLEM_TYPES) < set(
        typing.get_args(config.DataSettings.model_fields["example"].annotation)
    )
    for answer, section in (("language", "project"), ("ci", "project"), ("problem_type", "model")):
        settings = config.Settings.model_fields[section].annotation
        assert typing.get_args(settings.model_fields[answer].annotation) == tuple(CONTEXT[answer]), answer


def test_keep_language_renames_the_chosen_and_removes_the_other(tmp_path):
    post_gen = load_hook("post_gen_project", DEFAULTS)
    (tmp_path / "docs").mkdir()
    kept = ("README.en.md", "README.ja.md", "docs/card.en.md", "docs/card.ja.md", "notes.md")
    messages = ("docs/messages.en.yaml", "docs/messages.ja.yaml", "params.yaml")
    for name in kept + messages:
        (tmp_path / name).write_text(name, encoding="utf-8")

    post_gen.keep_language(tmp_path, "ja")

    assert sorted(str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*.*")) == [
        "README.md",
        "docs/card.md",
        "docs/messages.ja.yaml",
        "notes.md",
        "params.yaml",
    ]
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "README.ja.md"


def test_a_project_without_the_demo_or_the_service_keeps_neither_s_messages(tmp_path):
    post_gen = load_hook("post_gen_project", DEFAULTS)
    operations = tmp_path / "pkg" / "kit" / "operations"
    operations.mkdir(parents=True)
    text = (
        '# Said.\npredict:\n  rows: "{rows} rows"\ndemo:\n  title: Demo\n  # a note\n'
        "monitor:\n  mean: m\n\nserve:\n  up: u\n"
    )
    (operations / "messages.en.yaml").write_text(text, encoding="utf-8")
    answers = {
        "module_name": "pkg",
        "ci": "github",
        "serving": "none",
        "demo": "none",
        "data_versioning": "none",
        "tracking": "none",
    }

    post_gen.keep_chosen_options(tmp_path, answers)

    kept = yaml.safe_load((operations / "messages.en.yaml").read_text(encoding="utf-8"))
    assert kept == {"predict": {"rows": "{rows} rows"}, "monitor": {"mean": "m"}}
    assert (operations / "messages.en.yaml").read_text(encoding="utf-8").endswith("mean: m\n")


def test_keep_chosen_options_removes_the_files_of_choices_not_taken(tmp_path):
    post_gen = load_hook("post_gen_project", DEFAULTS)
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".gitlab-ci.yml").write_text("stages: []\n", encoding="utf-8")
    (tmp_path / "pkg" / "kit" / "operations").mkdir(parents=True)
    for name in ("pkg/kit/operations/serve.py", "pkg/kit/operations/demo.py", "pkg/kit/cli.py"):
        (tmp_path / name).write_text("", encoding="utf-8")
    answers = {
        "module_name": "pkg",
        "ci": "github",
        "serving": "none",
        "demo": "streamlit",
        "data_versioning": "none",
        "tracking": "none",
    }

    post_gen.keep_chosen_options(tmp_path, answers)

    assert (tmp_path / ".github" / "workflows").is_dir()
    assert [str(path.relative_to(tmp_path)) for path in sorted(tmp_path.rglob("*")) if path.is_file()] == [
        "pkg/kit/cli.py",
        "pkg/kit/operations/demo.py",
    ]


def test_cookiecutter_takes_every_template_file_for_text():
    """Cookiecutter copies a file it takes for binary without rendering it; Japanese text can trip it.
    Files it copies unrendered anyway (`_copy_without_render`) may look binary."""
    unrendered = CONTEXT["_copy_without_render"]
    binary = [
        str(path.relative_to(TEMPLATE))
        for path in PROJECT_TEMPLATE.rglob("*")
        if path.is_file()
        and not any(fnmatch.fnmatch(str(path.relative_to(TEMPLATE)), pattern) for pattern in unrendered)
        and is_binary(str(path))
    ]
    assert binary == [], "re-wrap the first lines of these files so they are read as text"
