"""params.yaml is read by every command, so its checks must catch mistakes by name."""

import copy

import pytest

from {{ cookiecutter.module_name }} import config


@pytest.fixture()
def settings():
    return config.load()


def test_the_project_config_passes_its_own_checks(settings):
    assert settings["model"]["metric"] in config.METRICS


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda raw: raw["model"].pop("metric"), "missing the key(s): metric"),
        (lambda raw: raw["project"].update(colour="blue"), "unknown key(s): colour"),
        (lambda raw: raw["model"].update(threshold="high"), "'model.threshold' must be a number"),
        (lambda raw: raw["model"].update(metric="bleu"), "'model.metric' must be one of"),
        (
            lambda raw: raw["split"].update(holdout_size=0.9),
            "'split.holdout_size' must be a number from 0.05 to 0.5",
        ),
        (lambda raw: raw["data"].update(id_columns="id"), "'data.id_columns' must be a list of column names"),
        (lambda raw: raw["model"].update(threshold=7), "out of range"),
        (lambda raw: raw["owners"].update(sponsor="alice"), "'owners.sponsor'"),
    ],
)
def test_a_broken_config_is_reported_by_name(settings, edit, message):
    raw = copy.deepcopy(settings)
    edit(raw)
    with pytest.raises(config.ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        config.validate(raw)


def test_a_metric_of_the_other_problem_type_is_rejected(settings):
    other = "r2" if settings["model"]["problem_type"] == "classification" else "f1"
    raw = copy.deepcopy(settings)
    raw["model"]["metric"] = other
    with pytest.raises(config.ConfigError, match="does not fit"):
        config.validate(raw)


def test_invalid_yaml_gets_a_clear_message(tmp_path):
    (tmp_path / config.CONFIG_FILE).write_text("model: [unclosed\n", encoding="utf-8")
    with pytest.raises(config.ConfigError, match="not valid YAML"):
        config.load(tmp_path)


def test_owners_accept_users_teams_and_emails():
    assert config.parse_owners("@alice @acme/ml-team ops@example.com") == (
        "@alice",
        "@acme/ml-team",
        "ops@example.com",
    )
    assert config.parse_owners("") == ()


def test_a_data_path_outside_the_project_is_refused(settings, tmp_path):
    raw = copy.deepcopy(settings)
    raw["data"]["path"] = "../elsewhere/data.csv"
    with pytest.raises(config.ConfigError, match="outside the project"):
        config.validate(raw, tmp_path)
