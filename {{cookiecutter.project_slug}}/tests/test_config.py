"""params.yaml is read by every command; the ways to break it are in test_bad_input.py."""

import re

import pytest
import yaml

from {{ cookiecutter.module_name }}.kit.core import config, data
from {{ cookiecutter.module_name }}.kit.core.pipeline import STAGES, Project
from {{ cookiecutter.module_name }}.kit.process.readiness import skip_reason


def test_the_project_config_passes_its_own_checks():
    settings = config.load()
    assert settings.model.metric in config.METRICS
    assert config.meets(settings.model, settings.model.threshold)


def test_the_schema_follows_the_settings():
    """Editors complete and check params.yaml by params.schema.json: a schema older than the settings'
    models would refuse good keys or let wrong ones through. Write it again with
    `python -m {{ cookiecutter.module_name }} schema`."""
    root = config.find_root()
    assert (root / config.SCHEMA_FILE).read_text(encoding="utf-8") == config.schema_text()


def test_params_yaml_names_the_schema_it_is_checked_by():
    text = (config.find_root() / config.CONFIG_FILE).read_text(encoding="utf-8")
    named = re.findall(r"^# yaml-language-server: \$schema=(\S+)", text, re.MULTILINE)
    if not named:
        pytest.skip(skip_reason("no_schema_named", schema=config.SCHEMA_FILE))
    assert named == [config.SCHEMA_FILE]


def test_owners_accept_users_teams_and_emails():
    assert config.parse_owners("@alice @acme/ml-team ops@example.com") == (
        "@alice",
        "@acme/ml-team",
        "ops@example.com",
    )
    assert config.parse_owners("") == ()


def raw_settings():
    """params.yaml as written, to change one setting in a test."""
    root = config.find_root()
    return yaml.safe_load((root / config.CONFIG_FILE).read_text(encoding="utf-8"))


def refusal(raw):
    """The message params.yaml's checks give for `raw`."""
    with pytest.raises(config.ConfigError) as refused:
        config.validate(raw)
    return str(refused.value)


def test_labels_are_optional_and_name_columns_and_classes_as_written():
    raw = raw_settings()
    raw["data"].pop("labels", None)
    assert config.validate(raw).data.labels == config.LabelSettings()
    # Classes as YAML reads them: `1:` a whole number, `yes` in quotes text; a regression problem has none.
    classes = {1: "One", "yes": "Yes"} if raw["model"]["problem_type"] == "classification" else {}
    raw["data"]["labels"] = {"columns": {"a column": "A name"}, "classes": classes}
    labels = config.validate(raw).data.labels
    assert labels.columns == {"a column": "A name"} and labels.classes == classes


@pytest.mark.parametrize(
    ("labels", "key", "problem"),
    [
        ({"colums": {}}, "data.labels.colums", config.say("config.problem.unknown_like", match="columns")),
        ({"columns": {"amount": ""}}, "data.labels.columns.amount", config.say("config.problem.empty")),
        (
            {"columns": ["amount"]},
            "data.labels.columns",
            config.say("config.problem.wrong_kind", kind=config.say("labels.kind.columns"), value=["amount"]),
        ),
    ],
    ids=["misspelt key", "empty name", "a list"],
)
def test_labels_of_the_wrong_shape_are_refused_by_key(labels, key, problem):
    raw = raw_settings()
    raw["data"]["labels"] = labels
    message = refusal(raw)
    assert message == f"{config.CONFIG_FILE}: {key}: {problem}"


def test_class_names_are_refused_for_regression():
    raw = raw_settings()
    raw["model"].update(problem_type="regression", metric="r2", threshold=0.4)
    raw["data"]["positive_label"] = None
    raw["value"]["tolerance"] = raw["value"]["tolerance"] or 1.0
    raw["data"]["labels"] = {"columns": {}, "classes": {1: "One"}}
    message = refusal(raw)
    assert message == f"{config.CONFIG_FILE}: data.labels.classes: {config.say('labels.problem.regression')}"


def test_a_label_for_a_column_the_data_lacks_is_refused_by_its_name(finished, refused):
    raw = raw_settings()
    raw["data"]["labels"] = {"columns": {"no_such_column": "Nothing"}, "classes": {}}
    (finished / config.CONFIG_FILE).write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    names = data.listed(["'no_such_column'"])
    message = refused(finished, ["run", "all"], data.say("labels.fix", names=names))
    assert data.say("labels.requirement") in message
    assert "'no_such_column'" in message


def test_names_to_show_and_the_feedback_file_leave_every_stage_current(finished):
    """Only people and the demo read data.labels and data.feedback_path: changing them retrains nothing."""
    raw = raw_settings()
    raw["data"]["labels"] = {"columns": {raw["data"]["target"]: "Renamed"}, "classes": {}}
    raw["data"]["feedback_path"] = "data/feedback/elsewhere.csv"
    (finished / config.CONFIG_FILE).write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    project = Project.load(finished)
    assert [stage for stage in STAGES if project.out_of_date(stage)] == []
