"""A template update may leave a conflict for a person to resolve: no command may read past it.

`cruft update` exits 0 even then. In git it leaves both versions in the file between conflict
markers; outside git it writes the template's change to FILE.rej beside the file.
"""

import json
import re
import shutil

import pytest

from {{ cookiecutter.module_name }}.kit.cli import main
from {{ cookiecutter.module_name }}.kit.core import config, conflicts
from {{ cookiecutter.module_name }}.kit.core.messages import messages_here
from {{ cookiecutter.module_name }}.kit.process import checklist

# Built from parts, so that this file holds no line git or pre-commit would take for a conflict.
START, MIDDLE, END = "<" * 7, "=" * 7, ">" * 7
DOCUMENT = checklist.CHECKLISTS["data"]
say = messages_here(conflicts.__file__)


@pytest.fixture()
def scratch(tmp_path, monkeypatch):
    """A copy of this project's settings, documents and code, as the working folder."""
    ignore = shutil.ignore_patterns(".git", ".venv", "data", "models", "reports", "__pycache__", ".*cache")
    root = tmp_path / "project"
    shutil.copytree(config.find_root(), root, ignore=ignore)
    monkeypatch.chdir(root)
    return root


def checklist_counts(capsys):
    """Done and total checklist items over every stage, as `checklist --format json` reports them."""
    capsys.readouterr()
    assert main(["checklist", "--format", "json"]) == 0
    stages = json.loads(capsys.readouterr().out)["stages"]
    return sum(stage["done"] for stage in stages), sum(stage["total"] for stage in stages)


def leave_a_conflict(root):
    """Both versions of the document's first checklist item: the team's, and the template's rewording.

    Returns the line the conflict starts at, the conflict, and the template's version.
    """
    path = root / DOCUMENT
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(number for number, line in enumerate(lines) if checklist.TASK_ITEM.match(line))
    reworded = lines[index].replace("] ", "] Reworded: ", 1)
    conflict = f"{START} ours\n{lines[index]}{MIDDLE}\n{reworded}{END} theirs\n"
    path.write_text("".join(lines[:index]) + conflict + "".join(lines[index + 1 :]), encoding="utf-8")
    return index + 1, conflict, reworded


COMMANDS = [
    ["owners", "--check"],
    ["owners"],
    ["checklist"],
    ["checklist", "--format", "markdown"],
    ["checklist", "--gate", "train", "--ci"],
    ["readiness"],
    ["run", "analyze"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_document_with_conflict_markers_is_refused_by_name_and_line(scratch, refused, command):
    line, _, _ = leave_a_conflict(scratch)
    refused(scratch, command, say("conflicts.markers", file=DOCUMENT, line=line))


def test_once_the_conflict_is_resolved_the_commands_run_and_count_the_item_once(scratch, capsys):
    counts = checklist_counts(capsys)
    _, conflict, reworded = leave_a_conflict(scratch)
    assert main(["owners", "--check"]) == 2

    path = scratch / DOCUMENT
    path.write_text(path.read_text(encoding="utf-8").replace(conflict, reworded), encoding="utf-8")
    assert main(["owners", "--check"]) == 0
    assert checklist_counts(capsys) == counts


@pytest.mark.parametrize("rejected", ["docs/pr-faq.md.rej", f"{checklist.PACKAGE}/train/stage.py.rej"])
def test_a_template_change_left_in_a_rej_file_is_refused_by_name(scratch, refused, rejected):
    (scratch / rejected).write_text("@@ -1,1 +1,1 @@\n-old\n+new\n", encoding="utf-8")
    expected = say("conflicts.rejected", file=rejected, target=rejected.removesuffix(".rej"))
    refused(scratch, ["checklist"], expected)


@pytest.mark.parametrize("command", [["owners", "--check"], ["run", "all"]], ids=" ".join)
def test_params_yaml_with_conflict_markers_is_refused_by_name(scratch, refused, command):
    path = scratch / config.CONFIG_FILE
    text = path.read_text(encoding="utf-8")
    threshold = re.search(r"^ *threshold:.*\n", text, re.MULTILINE)[0]
    conflict = f"{START} ours\n{threshold}{MIDDLE}\n{threshold}{END} theirs\n"
    path.write_text(text.replace(threshold, conflict, 1), encoding="utf-8")
    line = text[: text.index(threshold)].count("\n") + 1
    refused(scratch, command, say("conflicts.markers", file=config.CONFIG_FILE, line=line))


def test_markdown_that_only_looks_like_a_marker_is_not_refused(scratch, capsys):
    lookalikes = [
        "Title",
        MIDDLE,  # a heading underlined with exactly seven = is no conflict without the lines around it
        "",
        "Subtitle",
        "=" * 12,
        "",
        "| Column | Value |",
        "| --- | --- |",
        "| a | b |",
        "",
        "---",
        "",
        f"Git marks a conflict with {START} and {END}, as quoted here mid-line.",
        f"{START * 2} is no marker either.",
        "",
    ]
    path = scratch / DOCUMENT
    path.write_text(path.read_text(encoding="utf-8") + "\n".join(lookalikes), encoding="utf-8")
    assert main(["owners", "--check"]) == 0
    assert checklist_counts(capsys)[1] > 0
