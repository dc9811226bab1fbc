"""The checklist command reads the documents the team writes, so its report must follow every edit."""

import shutil

import pytest

from {{ cookiecutter.module_name }}.kit.core.pipeline import STAGES, Project
from {{ cookiecutter.module_name }}.kit.process import checklist
from {{ cookiecutter.module_name }}.kit.process.owners import Team


@pytest.fixture()
def project(tmp_path):
    """This project's settings and documents in a scratch folder, so tests never touch yours."""
    source = Project.load()
    shutil.copy(source.root / "params.yaml", tmp_path / "params.yaml")
    shutil.copytree(source.root / "docs", tmp_path / "docs")
    for stage in STAGES:
        readme = f"{checklist.PACKAGE}/{stage}/README.md"
        (tmp_path / readme).parent.mkdir(parents=True)
        shutil.copy(source.root / readme, tmp_path / readme)
    return Project.load(tmp_path)


def edit(project, document, old, new):
    path = project.root / document
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def stage_report(project, key):
    report = checklist.report(checklist.Status.read(project))
    return next(stage for stage in report.stages if stage.key == key)


def test_every_stage_of_the_process_has_items_an_owner_and_a_gate(project):
    report = checklist.report(checklist.Status.read(project))
    assert [stage.key for stage in report.stages] == ["business_understanding", *STAGES]
    for stage in report.stages:
        assert stage.total > 0 and stage.owner
        assert (stage.gate is None) == (stage.key == "business_understanding")
    if report.sponsor_missing:
        sponsor = Team(project.settings).title("sponsor")
        assert report.unassigned[0] == sponsor


def test_ticking_an_item_counts_it_as_done_in_either_case(project):
    readme = f"{checklist.PACKAGE}/train/README.md"
    before = stage_report(project, "train")
    edit(project, readme, "- [ ]", "- [X]")
    after = stage_report(project, "train")
    assert (before.done, after.done) == (0, after.total)
    assert after.open_items == []


def test_the_ml_fit_prerequisite_closes_when_its_checklist_is_done(project):
    def unmet():
        gate = checklist.gate(checklist.Status.read(project), "analyze")
        return [item.requirement for item in gate.unmet]

    assert len(unmet()) == 3
    edit(project, checklist.CHECKLISTS["ml_fit"], "- [ ]", "- [x]")
    assert len(unmet()) == 2
    assert not [text for text in unmet() if checklist.CHECKLISTS["ml_fit"] in text]


def test_task_items_inside_code_blocks_are_not_counted(project):
    before = stage_report(project, "train").total
    readme = project.root / checklist.PACKAGE / "train" / "README.md"
    example = "```markdown\n- [ ] an example\n```\n"
    readme.write_text(example + readme.read_text(encoding="utf-8"), encoding="utf-8")
    assert stage_report(project, "train").total == before


def test_a_deleted_section_keeps_its_gate_closed(project):
    document = project.root / checklist.PR_FAQ
    text = document.read_text(encoding="utf-8")
    start, end = text.index("\n## 1."), text.index("\n## 2.")
    document.write_text(text[:start] + text[end:], encoding="utf-8")
    gate = checklist.gate(checklist.Status.read(project), "analyze")
    assert any("## 1." in line for unmet in gate.unmet for line in unmet.missing)
