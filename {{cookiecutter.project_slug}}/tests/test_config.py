"""params.yaml is read by every command; the ways to break it are in test_bad_input.py."""

import re

import pytest

from {{ cookiecutter.module_name }}.kit.core import config
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
