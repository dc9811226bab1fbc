"""The checklist command reads the documents the team writes, so its report must follow every edit."""

import shutil

import pytest
import yaml

from {{ cookiecutter.module_name }}.kit.core.messages import messages_here
from {{ cookiecutter.module_name }}.kit.core.pipeline import STAGES, Project
from {{ cookiecutter.module_name }}.kit.process import checklist, example_answers
from {{ cookiecutter.module_name }}.kit.process.owners import Team
from {{ cookiecutter.module_name }}.kit.process.readiness import skip_reason

say = messages_here(checklist.__file__)
# A document of the tests' own, so that what they check holds whatever the team wrote in theirs.
SCRATCH = "docs/scratch.md"


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
    assert any("## 1." in action.text for action in gate.actions())


def scratch_document(project, text):
    (project.root / SCRATCH).write_text(text, encoding="utf-8")
    return checklist.Document.read(project.root, SCRATCH, Team(project.settings))


def test_an_item_marked_not_applicable_counts_only_with_a_reason_on_the_next_line(project):
    document = scratch_document(project, "- [-] first\n- [-] second\n  it does not apply\n- [x] third\n")
    assert [(item.state, item.settled) for item in document.items] == [
        (checklist.NOT_APPLICABLE, False),
        (checklist.NOT_APPLICABLE, True),
        (checklist.DONE, True),
    ]
    assert document.items[1].reason == "it does not apply"
    actions = document.actions(checklist.Status.read(project))
    assert [(action.text, action.where) for action in actions] == [
        (say("checklist.action.reason_missing", item="first"), f"{SCRATCH}:1")
    ]


def test_a_group_needs_one_ticked_item_not_all(project):
    status = checklist.Status.read(project)
    group = "<!-- at-least-one -->\n- [ ] one\n- [ ] two\n- [ ] three\n\n- [ ] after\n"
    document = scratch_document(project, group)
    choose = say("checklist.action.at_least_one", items="one; two; three")
    assert [action.text for action in document.actions(status)] == [choose, "after"]

    document = scratch_document(project, group.replace("- [ ] two", "- [x] two"))
    assert [action.text for action in document.actions(status)] == ["after"]
    assert [document.optional(item) for item in document.items if not item.done] == [True, True, False]


def test_the_ml_fit_gate_passes_with_one_use_case_ticked_and_the_others_not_applicable(project):
    path = checklist.CHECKLISTS["ml_fit"]
    document = checklist.Status.read(project).documents[path]
    grouped = [item for item in document.items if item.group is not None]
    if not grouped:
        pytest.skip(skip_reason("no_item_group", document=path))
    lines = (project.root / path).read_text(encoding="utf-8").split("\n")
    for item in reversed(document.items):  # from the end, so the inserted reasons move no line still to do
        mark = "[-]" if item.group is not None and item is not grouped[0] else "[x]"
        lines[item.line - 1] = lines[item.line - 1].replace(f"[{item_mark(item)}]", mark, 1)
        if mark == "[-]" and not item.reason:
            lines.insert(item.line, "  a reason the team wrote")
    (project.root / path).write_text("\n".join(lines), encoding="utf-8")

    status = checklist.Status.read(project)
    ml_fit = say("checklist.prerequisite.ml_fit", document=path)
    unmet = [unmet for unmet in checklist.gate(status, "analyze").unmet if unmet.requirement == ml_fit]
    removed = [say("checklist.action.removed", id=id) for id in status.documents[path].removed]
    assert [action.text for found in unmet for action in found.missing] == removed
    assert stage_report(project, "business_understanding").not_applicable >= len(grouped) - 1


def item_mark(item):
    return {checklist.DONE: "x", checklist.NOT_APPLICABLE: "-", checklist.OPEN: " "}[item.state]


def test_a_deleted_template_item_is_reported_as_removed_never_as_done(project):
    path = checklist.CHECKLISTS["data"]
    document = checklist.Status.read(project).documents[path]
    kept = [item for item in document.items if item.id]
    if not kept:
        pytest.skip(skip_reason("no_template_items", document=path))
    before = stage_report(project, "prepare")
    lines = (project.root / path).read_text(encoding="utf-8").split("\n")
    del lines[kept[0].line - 1]
    (project.root / path).write_text("\n".join(lines), encoding="utf-8")

    after = stage_report(project, "prepare")
    assert (after.removed, after.done) == (before.removed + 1, before.done - kept[0].done)
    removed = say("checklist.action.removed", id=kept[0].id)
    assert removed in [action.text for action in after.open_items]
    assert removed in [action.text for action in after.gate.actions()]


def test_the_summary_names_the_next_actions_and_all_names_every_open_item(project):
    status = checklist.Status.read(project)
    report = checklist.report(status)
    summary = checklist.as_text(report, status.team)
    every = checklist.as_text(report, status.team, every=True)
    open_items = [action for stage in report.stages for action in stage.open_items]
    assert len(report.next_actions) <= checklist.NEXT_ACTIONS
    assert all(str(action) in summary for action in report.next_actions)
    assert all(str(action) in every for action in open_items)
    if len(open_items) > checklist.NEXT_ACTIONS:
        assert len(report.next_actions) == checklist.NEXT_ACTIONS
        assert not all(str(action) in summary for action in open_items)


def test_run_warns_before_a_stage_whose_gate_is_not_met_and_stops_when_gates_block(
    project, monkeypatch, refused
):
    document = project.root / checklist.PR_FAQ
    text = document.read_text(encoding="utf-8")
    document.write_text(text[: text.index("\n## 1.")] + text[text.index("\n## 2.") :], encoding="utf-8")
    warning = checklist.before_run(project, "analyze")
    assert warning and "\n" not in warning
    assert say("checklist.prerequisite.customer_questions", document=checklist.PR_FAQ) in warning

    params = project.root / "params.yaml"
    settings = yaml.safe_load(params.read_text(encoding="utf-8"))
    settings["gates"]["blocking"] = True
    params.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    monkeypatch.chdir(project.root)
    refused(project.root, ["run", "analyze"], say("checklist.gate.blocking"))


def test_fill_example_opens_the_gates_says_where_it_wrote_and_keeps_the_teams_words(project):
    if project.settings.data.example == "none":
        pytest.skip(skip_reason("no_example_answers"))
    path = project.root / checklist.PR_FAQ
    text = path.read_text(encoding="utf-8")
    first = checklist.PLACEHOLDER.search(text)
    if first:  # the team's own answer to one question stays as it is
        path.write_text(text.replace(first[0], "our own answer", 1), encoding="utf-8")

    said = example_answers.fill(project)
    assert said[-1] == say("example_answers.replace_them")
    status = checklist.Status.read(project)
    for stage in ("analyze", "prepare"):  # later gates also need the stages' outputs
        gate = checklist.gate(status, stage)
        assert gate.met, checklist.gate_as_text(gate, status.team)
    assert checklist.before_run(project, "analyze") is None
    assert "our own answer" in path.read_text(encoding="utf-8") or not first
    assert example_answers.fill(project) == [say("example_answers.nothing_left")]
