"""params.yaml is read by every command; the ways to break it are in test_bad_input.py."""

from {{ cookiecutter.module_name }}.kit.core import config


def test_the_project_config_passes_its_own_checks():
    settings = config.load()
    assert settings["model"]["metric"] in config.METRICS
    assert config.meets(settings["model"], settings["model"]["threshold"])


def test_owners_accept_users_teams_and_emails():
    assert config.parse_owners("@alice @acme/ml-team ops@example.com") == (
        "@alice",
        "@acme/ml-team",
        "ops@example.com",
    )
    assert config.parse_owners("") == ()
