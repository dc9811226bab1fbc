"""The CI host's update bot proposes new versions of the Python packages and of what the CI file uses.

Each proposal runs through CI like any change, so a new release that breaks the project is caught
before it is merged, and an old one with a known flaw does not linger unnoticed.
"""

import copy
import json

import pytest
import yaml

from {{ cookiecutter.module_name }}.kit.core.pipeline import Project
from {{ cookiecutter.module_name }}.kit.process.readiness import skip_reason

# Each CI host's bot: where its settings live, and what must be watched with the file it reads.
CONFIG_FILES = {"github": ".github/dependabot.yml", "gitlab": "renovate.json"}
WATCHERS = {
    "github": {"uv": "uv.lock", "github-actions": ".github/workflows/ci.yml"},
    "gitlab": {"pep621": "pyproject.toml", "gitlabci": ".gitlab-ci.yml"},
}


def watching(config, ci):
    """The ecosystems (GitHub) or managers (GitLab) the bot checks on a schedule, at the project root."""
    if ci == "github":
        return {
            entry["package-ecosystem"]
            for entry in config.get("updates", [])
            if entry.get("directory") == "/" and entry.get("schedule", {}).get("interval")
        }
    return set(config.get("enabledManagers", [])) if config.get("schedule") else set()


@pytest.fixture()
def bot():
    """This project's CI host and its bot's settings; skipped when the project has no CI host."""
    project = Project.load()
    ci = project.settings.project.ci
    if ci == "none":
        pytest.skip(skip_reason("no_ci_host"))
    path = project.root / CONFIG_FILES[ci]
    read = json.loads if path.suffix == ".json" else yaml.safe_load
    return project.root, ci, read(path.read_text(encoding="utf-8"))


def test_dependency_updates_watch_the_packages_and_the_ci_file(bot):
    root, ci, config = bot
    for watcher, watched_file in WATCHERS[ci].items():
        assert (root / watched_file).is_file(), watched_file
        assert watcher in watching(config, ci), f"{CONFIG_FILES[ci]} does not watch {watched_file}"


def entry(config, ecosystem):
    return next(entry for entry in config["updates"] if entry["package-ecosystem"] == ecosystem)


# Edits that break the config, each with the watcher it silences.
def without_uv(config):
    config["updates"].remove(entry(config, "uv"))


def uv_in_a_sub_folder(config):
    entry(config, "uv")["directory"] = "/src"


def actions_without_a_schedule(config):
    del entry(config, "github-actions")["schedule"]


def ci_file_manager_off(config):
    config["enabledManagers"].remove("gitlabci")


def no_schedule(config):
    del config["schedule"]


BREAKAGES = {
    "github": [
        (without_uv, "uv"),
        (uv_in_a_sub_folder, "uv"),
        (actions_without_a_schedule, "github-actions"),
    ],
    "gitlab": [(ci_file_manager_off, "gitlabci"), (no_schedule, "pep621")],
}


def test_a_config_that_stops_watching_something_fails_the_check(bot):
    _, ci, config = bot
    for breakage, silenced in BREAKAGES[ci]:
        broken = copy.deepcopy(config)
        breakage(broken)
        assert silenced not in watching(broken, ci), breakage.__name__
