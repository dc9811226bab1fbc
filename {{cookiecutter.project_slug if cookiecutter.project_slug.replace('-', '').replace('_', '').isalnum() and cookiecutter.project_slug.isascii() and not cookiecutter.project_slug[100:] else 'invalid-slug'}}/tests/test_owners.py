"""Owners change after the project starts: one command must carry a change everywhere."""

import shutil

import pytest
import yaml

from {{ cookiecutter.module_name }} import config, owners
from {{ cookiecutter.module_name }}.markdown import MissingBlockError, replace_block
from {{ cookiecutter.module_name }}.roles import ROLES, STAGES


@pytest.fixture()
def project(tmp_path):
    """A copy of this project's documents and config to edit freely."""
    root = config.find_root()
    ignore = shutil.ignore_patterns(".venv", "data", "models", "reports", "__pycache__", ".*cache")
    shutil.copytree(root, tmp_path / "project", ignore=ignore)
    return tmp_path / "project"


def set_owner(root, role, value):
    path = root / config.CONFIG_FILE
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["owners"][role] = value
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_every_file_is_up_to_date_with_params_yaml():
    assert owners.update(config.find_root(), check=True) == []


def test_a_new_owner_reaches_roles_page_codeowners_and_stage_readme(project):
    set_owner(project, "data_analyst", "@new-analyst")
    changed = owners.update(project)

    team = owners.Team(config.load(project))
    codeowners = project / owners.CODEOWNERS_PLACES[team.ci]
    analyze_readme = project / owners.PACKAGE / "analyze" / "README.md"
    assert {project / owners.ROLES_PAGE, codeowners, analyze_readme} <= set(changed)
    assert team.tag("data_analyst") in analyze_readme.read_text(encoding="utf-8")
    assert f"/{owners.PACKAGE}/analyze/ @new-analyst" in codeowners.read_text(encoding="utf-8")
    assert "@new-analyst" in (project / owners.ROLES_PAGE).read_text(encoding="utf-8")
    assert owners.update(project, check=True) == []


def test_a_second_run_changes_nothing(project):
    owners.update(project)
    assert owners.update(project) == []


def test_the_roles_page_lists_every_role_and_stage(project):
    page = (project / owners.ROLES_PAGE).read_text(encoding="utf-8")
    team = owners.Team(config.load(project))
    for role in ROLES:
        assert team.text(role.title) in page
    for stage in STAGES:
        assert team.text(stage.title) in page


def test_prose_in_parentheses_is_left_alone(project):
    team = owners.Team(config.load(project))
    title = team.text(ROLES[1].title)
    prose = f"Ask the {title} (they know the budget)."
    assert team.retag(prose) == prose


def test_blocks_keep_what_people_wrote_around_them():
    text = "Notes before.\n<!-- begin:asks -->\nold\n<!-- end:asks -->\nNotes after.\n"
    assert replace_block(text, "asks", "new") == (
        "Notes before.\n<!-- begin:asks -->\nnew\n<!-- end:asks -->\nNotes after.\n"
    )
    with pytest.raises(MissingBlockError, match="begin:results"):
        replace_block(text, "results", "new")
