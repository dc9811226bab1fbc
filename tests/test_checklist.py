"""The checklist command reads what the team writes: ticking items and filling sections opens the gates."""

import json
import re

import pytest
import yaml
from conftest import TASK_ITEM, bake, read, run

PLACEHOLDER = re.compile(r"\[TODO:[^\]]*\]")
ITEM_ID = re.compile(r"<!-- item:([\w-]+) -->$", re.MULTILINE)


def checklist(root, *arguments):
    return run(["-m", "expense_classifier", "checklist", *arguments], root)


def gate_is_open(root, stage):
    result = checklist(root, "--gate", stage)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode == 0


def tick_all(root, document):
    path = root / document
    path.write_text(read(root, document).replace("- [ ]", "- [x]"), encoding="utf-8")


def fill_section(root, document, number):
    """Replace the placeholders of the numbered section `## <number>.` as a team would."""
    text = read(root, document)
    start = text.index(f"\n## {number}.")
    end = text.index(f"\n## {number + 1}.")
    filled = PLACEHOLDER.sub("written by the team", text[start:end])
    (root / document).write_text(text[:start] + filled + text[end:], encoding="utf-8")


@pytest.mark.parametrize("language", ["en", "ja"])
def test_gates_open_one_by_one_as_the_team_does_its_part(cookies, language):
    """Gates build on each other, so an open gate means every gate before it is open too."""
    root = bake(cookies, language=language, owner_product_manager="@pm")
    blocked = checklist(root, "--gate", "analyze")
    assert blocked.returncode == 1
    assert "docs/pr-faq.md" in blocked.stdout and "(@pm)" in blocked.stdout

    fill_section(root, "docs/pr-faq.md", 1)
    assert not gate_is_open(root, "analyze"), "the model requirement and ML fit are still open"
    fill_section(root, "docs/business-understanding.md", 6)
    tick_all(root, "docs/checklists/ml-fit.md")
    assert gate_is_open(root, "analyze") and not gate_is_open(root, "prepare")

    tick_all(root, "docs/checklists/data.md")
    assert gate_is_open(root, "prepare") and not gate_is_open(root, "preprocess")

    for stage in ("analyze", "prepare"):
        assert run(["-m", "expense_classifier", "run", stage], root).returncode == 0
    assert gate_is_open(root, "train") and not gate_is_open(root, "test")

    tick_all(root, "docs/checklists/timeline.md")
    assert gate_is_open(root, "test")


def test_the_report_counts_ticked_items_and_names_unassigned_roles_sponsor_first(cookies):
    root = bake(cookies, owner_data_analyst="@ana")
    before = json.loads(checklist(root, "--format", "json").stdout)
    assert before["unassigned"][0] == "Sponsor" and before["sponsor_missing"]
    assert "Data Analyst" not in before["unassigned"]
    analyze = next(stage for stage in before["stages"] if stage["key"] == "analyze")
    assert analyze["done"] == 0 and analyze["owner"] == "Data Analyst (@ana)"
    assert {item["owner"] for item in analyze["open_items"]} >= {"Data Analyst (@ana)"}

    tick_all(root, "expense_classifier/analyze/README.md")
    after = json.loads(checklist(root, "--format", "json").stdout)
    analyze = next(stage for stage in after["stages"] if stage["key"] == "analyze")
    assert analyze["done"] == analyze["total"] > 0 and analyze["open_items"] == []
    assert after["requirement"] == "f1 ≥ 0.8"
    assert "F1 ≥ 0.8" in after["requirement_stated"]


def test_the_text_report_is_in_the_projects_language(cookies):
    root = bake(cookies, language="ja")
    result = checklist(root)
    assert result.returncode == 0, result.stderr
    assert "未割り当てのロール" in result.stdout and "スポンサー" in result.stdout
    assert "Unassigned" not in result.stdout


@pytest.mark.parametrize("language", ["en", "ja"])
def test_every_item_the_template_writes_has_the_id_the_kit_expects(cookies, language):
    """The kit tells a deleted item by its id, so each document's ids must be the kit's list, in order."""
    root = bake(cookies, language=language)
    expected = yaml.safe_load(read(root, "expense_classifier/kit/process/checklist_items.yaml"))
    listed = {path.format(module="expense_classifier"): ids for path, ids in expected.items()}
    with_items = {
        str(path.relative_to(root))
        for path in [*root.glob("docs/**/*.md"), *root.glob("expense_classifier/*/README.md")]
        if TASK_ITEM.search(path.read_text(encoding="utf-8"))
    }
    assert with_items == set(listed)
    for path, ids in listed.items():
        text = read(root, path)
        assert ITEM_ID.findall(text) == ids, path
        assert len(TASK_ITEM.findall(text)) == len(ids), f"{path}: an item without an id"
