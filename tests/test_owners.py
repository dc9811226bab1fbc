"""Owners given as answers reach every place they belong, and one command moves them later."""

import re
import shutil

import pytest
import yaml
from conftest import ROLE_KEYS, TASK_ITEM, bake, read, run

OWNER = r"(?:@[\w.-]+(?:/[\w.-]+)*|[\w.%+-]+@[\w-]+(?:\.[\w-]+)+)"
CODEOWNERS_RULE = re.compile(rf"^(?P<pattern>[^\s!\[\]#]\S*)(?P<owners>(?: {OWNER})*)$")
GITLAB_SECTION = re.compile(rf"^\^?\[[^\]]+\](?:\[\d+\])?(?: {OWNER})*$")
CODEOWNERS = {"github": ".github/CODEOWNERS", "gitlab": ".gitlab/CODEOWNERS", "none": "CODEOWNERS"}

OWNERS = {
    "owner_sponsor": "@acme/leads",
    "owner_product_manager": "@pm-alice",
    "owner_data_analyst": "@ana ana@example.com",
    "owner_data_engineer": "@acme/data-eng",
    "owner_data_scientist": "ds@example.com",
}


def codeowners_rules(text, ci):
    """Check every line against the host's syntax; return {pattern: owners}."""
    rules = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if ci == "gitlab" and GITLAB_SECTION.match(line):
            continue
        match = CODEOWNERS_RULE.match(line)
        assert match, f"not a valid {ci} CODEOWNERS line: {line!r}"
        rules[match["pattern"]] = match["owners"].split()
    return rules


@pytest.mark.parametrize("ci", ["github", "gitlab", "none"])
def test_codeowners_maps_documents_and_stage_folders_to_their_owners(cookies, ci):
    root = bake(cookies, ci=ci, **OWNERS)
    rules = codeowners_rules(read(root, CODEOWNERS[ci]), ci)

    assert rules["/expense_classifier/analyze/"] == ["@ana", "ana@example.com"]
    assert rules["/expense_classifier/prepare/"] == ["@acme/data-eng"]
    assert rules["/expense_classifier/train/"] == ["ds@example.com"]
    assert rules["/docs/data-card.md"] == ["@acme/data-eng"]
    assert rules["/docs/roles.md"] == ["@acme/leads"]
    # The Test stage's ML Engineer is unassigned: the path falls to the default owner.
    if ci == "gitlab":
        assert "[Owner] @pm-alice" in read(root, CODEOWNERS[ci])
        assert rules["/expense_classifier/test/"] == []
    else:
        assert rules["*"] == ["@pm-alice"]
        assert "/expense_classifier/test/" not in rules
    for other in set(CODEOWNERS.values()) - {CODEOWNERS[ci]}:
        assert not (root / other).exists()


def test_without_a_default_owner_no_path_is_left_ownerless(cookies):
    root = bake(cookies, ci="gitlab", owner_data_scientist="@ds")
    rules = codeowners_rules(read(root, ".gitlab/CODEOWNERS"), "gitlab")
    assert rules == {"/expense_classifier/train/": ["@ds"], "/docs/model-card.md": ["@ds"]}


def test_owners_land_in_roles_page_checklists_and_stage_readmes(cookies):
    root = bake(cookies, **OWNERS)

    roles_page = read(root, "docs/roles.md")
    assert "| Sponsor | " in roles_page and "| @acme/leads |" in roles_page
    assert "No sponsor" not in roles_page
    assert "- Business Analyst (unassigned)" in roles_page

    data_checklist = read(root, "docs/checklists/data.md")
    engineer_items = [
        line
        for line in data_checklist.splitlines()
        if TASK_ITEM.match(line) and "— Data Engineer (@acme/data-eng) <!-- item:" in line
    ]
    assert engineer_items, "the data checklist has items owned by the Data Engineer"

    analyze = read(root, "expense_classifier/analyze/README.md")
    assert "Data Analyst (@ana ana@example.com)" in analyze
    assert "(unassigned)" in analyze, "roles left blank still show as unassigned"
    business = read(root, "docs/business-understanding.md")
    assert "Product Manager (@pm-alice)" in business


def test_a_missing_sponsor_is_called_out_first(default_project):
    roles_page = read(default_project, "docs/roles.md")
    unassigned = roles_page.split("## Unassigned roles", 1)[1].split("##", 1)[0]
    assert "No sponsor is named yet" in unassigned
    assert unassigned.index("- Sponsor (unassigned)") < unassigned.index("- Product Manager (unassigned)")


def test_japanese_projects_show_owners_with_japanese_titles(cookies):
    root = bake(cookies, language="ja", **OWNERS)
    assert "データアナリスト (@ana ana@example.com)" in read(root, "expense_classifier/analyze/README.md")
    assert "データサイエンティスト (未割り当て)" not in read(root, "docs/model-card.md")
    assert "スポンサーが決まっていません" not in read(root, "docs/roles.md")


def test_the_owners_command_carries_a_change_everywhere(cookies):
    root = bake(cookies, **OWNERS)
    params = yaml.safe_load(read(root, "params.yaml"))
    params["owners"]["data_engineer"] = "@new-team/etl"
    params["owners"]["sponsor"] = ""
    (root / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")

    stale = run(["-m", "expense_classifier", "owners", "--check"], root)
    assert stale.returncode == 1 and "docs/roles.md" in stale.stdout

    updated = run(["-m", "expense_classifier", "owners"], root)
    assert updated.returncode == 0, updated.stderr

    assert "Data Engineer (@new-team/etl)" in read(root, "docs/checklists/data.md")
    assert "@acme/data-eng" not in read(root, "docs/checklists/data.md")
    assert "Data Engineer (@new-team/etl)" in read(root, "expense_classifier/prepare/README.md")
    assert "/expense_classifier/prepare/ @new-team/etl" in read(root, ".github/CODEOWNERS")
    assert "No sponsor is named yet" in read(root, "docs/roles.md")
    assert run(["-m", "expense_classifier", "owners", "--check"], root).returncode == 0


def test_the_owners_command_rejects_a_malformed_owner_by_name(default_project, tmp_path):
    project = shutil.copytree(default_project, tmp_path / "project")
    params = yaml.safe_load(read(project, "params.yaml"))
    params["owners"]["domain_expert"] = "not an owner"
    (project / "params.yaml").write_text(yaml.safe_dump(params), encoding="utf-8")
    before = read(project, "docs/roles.md")

    result = run(["-m", "expense_classifier", "owners"], project)
    assert result.returncode == 2
    assert "owners.domain_expert: 'not' is not an owner" in result.stderr
    assert read(project, "docs/roles.md") == before


def test_every_role_has_an_owner_question():
    assert ROLE_KEYS[0] == "sponsor" and len(ROLE_KEYS) == 19
