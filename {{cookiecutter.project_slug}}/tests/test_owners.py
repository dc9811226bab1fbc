"""Owners change after the project starts: one command must carry a change everywhere."""

import shutil
import subprocess

import pytest
import yaml

from {{ cookiecutter.module_name }}.kit.core import config
from {{ cookiecutter.module_name }}.kit.process import owners
from {{ cookiecutter.module_name }}.kit.process.readiness import skip_reason
from {{ cookiecutter.module_name }}.kit.process.roles import ROLES, STAGES
from {{ cookiecutter.module_name }}.kit.reports.markdown import MissingBlockError, replace_block


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
        assert team.title(role) in page
    for stage in STAGES:
        assert team.stage_title(stage) in page


def test_prose_in_parentheses_is_left_alone(project):
    team = owners.Team(config.load(project))
    title = team.title(ROLES[1])
    prose = f"Ask the {title} (they know the budget)."
    assert team.retag(prose) == prose


def test_blocks_keep_what_people_wrote_around_them():
    text = "Notes before.\n<!-- begin:asks -->\nold\n<!-- end:asks -->\nNotes after.\n"
    assert replace_block(text, "asks", "new") == (
        "Notes before.\n<!-- begin:asks -->\nnew\n<!-- end:asks -->\nNotes after.\n"
    )
    with pytest.raises(MissingBlockError, match="begin:results"):
        replace_block(text, "results", "new")


def reviewers(codeowners, path):
    """Who must approve a change to `path` (from the root, e.g. /params.yaml): the last matching line wins.

    A GitLab line that names nobody takes its section's default owners.
    """
    found, section = [], []
    for line in codeowners.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line.partition("]")[2].split()
            continue
        pattern, *names = line.split()
        if pattern in ("*", path) or (pattern.endswith("/") and path.startswith(pattern)):
            found = names or section
    return found


def ignored_by_git(gitignore, paths, repository):
    """The paths a .gitignore keeps out of git, as git itself judges them in a new `repository`."""
    if shutil.which("git") is None:
        pytest.skip(skip_reason("no_git"))
    subprocess.run(["git", "init", "--quiet", str(repository)], check=True)
    shutil.copy(gitignore, repository / ".gitignore")
    relative = [path.strip("/") for path in paths]
    checked = subprocess.run(
        ["git", "-c", "core.excludesFile=", "check-ignore", "--no-index", "--", *relative],
        cwd=repository,
        capture_output=True,
        text=True,
    )
    assert checked.returncode in (0, 1), checked.stderr  # 1: nothing is ignored
    return checked.stdout.split()


def test_the_model_spec_needs_a_review_by_its_owners(project, tmp_path):
    """A change to the model's settings or to the train stage's code waits for its owners' review."""
    spec = {"/params.yaml": "product_manager", f"/{owners.PACKAGE}/train/stage.py": "data_scientist"}
    for role in ROLES:
        set_owner(project, role, f"@{role.replace('_', '-')}-owner")
    owners.update(project)
    team = owners.Team(config.load(project))
    codeowners = (project / owners.CODEOWNERS_PLACES[team.ci]).read_text(encoding="utf-8")
    for path, role in spec.items():
        assert reviewers(codeowners, path) == list(team.owners[role]), path

    # In this project itself: git keeps the model spec, and asks for the review once owners are named.
    root = config.find_root()
    assert ignored_by_git(root / ".gitignore", spec, tmp_path / "repository") == []
    team = owners.Team(config.load(root))
    codeowners = (root / owners.CODEOWNERS_PLACES[team.ci]).read_text(encoding="utf-8")
    unreviewed = [path for path in spec if not reviewers(codeowners, path)]
    if unreviewed:
        roles = sorted({spec[path] for path in unreviewed})
        pytest.skip(skip_reason("nobody_reviews", paths=", ".join(unreviewed), roles=", ".join(roles)))
