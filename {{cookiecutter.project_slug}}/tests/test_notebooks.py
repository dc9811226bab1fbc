"""The review notebooks run top to bottom on the example data and show what their meeting needs.

A notebook only calls review.py, so the unit tests below pin down what a meeting sees; running
every notebook in order catches one that no longer runs, or shows nothing, after a change.
"""

import os
import shutil
from pathlib import Path

import jupytext
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbformat.v4 import new_code_cell, new_notebook

from {{ cookiecutter.module_name }}.kit.core import config
from {{ cookiecutter.module_name }}.kit.core.pipeline import STAGES, Project, StageOrderError
from {{ cookiecutter.module_name }}.kit.process import checklist, review, value
from {{ cookiecutter.module_name }}.kit.process.roles import ROLES
from {{ cookiecutter.module_name }}.kit.reports.report import format_cell

ROOT = config.find_root(Path(__file__).parent)
# Each notebook and the meeting it holds, in the order of the process.
NOTEBOOKS = {
    "1-business-understanding": "business_understanding",
    "2-analyze": "analyze",
    "3-prepare": "prepare",
    "4-preprocess": "preprocess",
    "5-train": "train",
    "6-test": "test",
}
# What every notebook shows, each from exactly one code cell.
INVITATION, RUN, REPORT, OPEN_ITEMS = (
    "review.invitation(",
    "review.ensure_run(",
    "review.show_report(",
    "review.open_items(",
)


@pytest.fixture()
def documents(tmp_path, copy_readmes):
    """This project's settings and documents in a scratch folder, before any stage has run."""
    shutil.copy(ROOT / "params.yaml", tmp_path / "params.yaml")
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    copy_readmes(tmp_path)
    return Project.load(tmp_path)


@pytest.fixture()
def reviewed(evaluated, tmp_path, monkeypatch, copy_readmes):
    """A scratch copy of the tested project in which every stage has run, but not the value report.

    Reusing the session's stage outputs keeps the notebooks quick: they show those runs, and the
    Business Understanding notebook makes the missing value report, as on a fresh clone.
    """
    root = tmp_path / "project"
    shutil.copytree(evaluated.root, root)
    copy_readmes(root)
    shutil.rmtree(root / "reports" / review.VALUE, ignore_errors=True)
    # The kernel imports this project's package, as an editable install lets it.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    return Project.load(root)


def execute_in_order(names, root):
    """Run the notebooks top to bottom, one after another, in one kernel started inside `root`.

    Each starts from an empty namespace (%reset), so none can lean on another's variables; one
    kernel for all saves starting a kernel and importing the package once per notebook.
    """
    notebooks = {name: jupytext.read(ROOT / "notebooks" / f"{name}.py") for name in names}
    cells = [
        cell for notebook in notebooks.values() for cell in [new_code_cell("%reset -f"), *notebook.cells]
    ]
    client = NotebookClient(
        new_notebook(cells=cells),
        kernel_name="python3",
        timeout=600,
        resources={"metadata": {"path": str(root)}},
    )
    try:
        client.execute()
    except CellExecutionError as error:
        failed = [name for name, notebook in notebooks.items() if errors(notebook)]
        raise AssertionError(f"notebooks/{failed[0]}.py stopped with an error") from error
    return notebooks


def errors(notebook):
    outputs = [output for cell in notebook.cells for output in cell.get("outputs", [])]
    return [output for output in outputs if output.output_type == "error"]


def outputs_of(notebook, call):
    cells = [cell for cell in notebook.cells if cell.cell_type == "code" and call in cell.source]
    assert len(cells) == 1, f"{call} is in {len(cells)} code cells, not one"
    return cells[0].outputs


def markdown_of(outputs):
    return "\n".join(output.get("data", {}).get("text/markdown", "") for output in outputs)


def test_every_notebook_runs_top_to_bottom_and_shows_its_meeting(reviewed):
    folder = ROOT / "notebooks"
    assert sorted(path.stem for path in folder.glob("*.py")) == list(NOTEBOOKS)
    made = [path for stage in STAGES for path in review.outputs(reviewed, stage)]
    before = {path: path.stat().st_mtime_ns for path in made}

    notebooks = execute_in_order(NOTEBOOKS, reviewed.root)
    for name, stage in NOTEBOOKS.items():
        notebook = notebooks[name]
        assert not errors(notebook), name

        invited = markdown_of(outputs_of(notebook, INVITATION))
        for person in review.invitees(reviewed, stage):
            assert person.tag in invited, f"{name}: {person.tag} is not invited"

        assert markdown_of(outputs_of(notebook, RUN)), f"{name} does not say which run it shows"
        report = reviewed.report_dir(review.report_name(stage)) / "report.md"
        lines = report.read_text(encoding="utf-8").splitlines()
        shown = outputs_of(notebook, REPORT)
        images = [output for output in shown if "image/png" in output.get("data", {})]
        assert lines[0] in markdown_of(shown), f"{name} does not show {report}"
        assert len(images) == len([line for line in lines if line.startswith("![")]), name
        assert images or name in ("3-prepare", "4-preprocess"), f"{name} shows no figure"

        still_open = markdown_of(outputs_of(notebook, OPEN_ITEMS))
        status = checklist.report(checklist.Status.read(reviewed))
        items = next(found for found in status.stages if found.key == stage).open_items
        assert items, f"{name}: the template's documents have open items for every stage"
        for item in items:
            assert f"{item.text} — {item.owner}" in still_open, f"{name}: {item.text}"

        if stage == "business_understanding":
            users = format_cell(reviewed.settings.value.users)
            assert users in markdown_of(outputs_of(notebook, "review.value_formula("))
            assert "|" in markdown_of(outputs_of(notebook, "review.what_if("))

    # What had run was shown, not run again; what was missing was made by its notebook.
    assert {path: path.stat().st_mtime_ns for path in made} == before
    assert (reviewed.report_dir(review.VALUE) / "figures" / "payback.png").is_file()


# --- review.py -----------------------------------------------------------------------------------


def with_owners(project, **owners):
    unassigned = dict.fromkeys(type(project.settings.owners).model_fields, "")
    everyone = project.settings.owners.model_copy(update=unassigned | owners)
    return Project(project.root, project.settings.model_copy(update={"owners": everyone}))


def test_the_stage_owner_is_invited_first_then_every_role_the_stage_asks(documents):
    project = with_owners(documents, data_analyst="@ana", domain_expert="expert@example.com")
    people = review.invitees(project, "analyze")
    asked = [role for ask in review.process_stage("analyze").asks for role in ask.roles]
    assert [person.role for person in people] == ["data_analyst", *dict.fromkeys(asked)]
    invitation = review.invitation(project, "analyze")
    assert "(@ana)" in people[0].tag and "(@ana)" in invitation
    assert "(expert@example.com)" in invitation


def test_a_role_asked_twice_is_invited_once_with_every_reason(documents):
    people = review.invitees(documents, "business_understanding")
    roles = [person.role for person in people]
    assert len(roles) == len(set(roles))
    assert people[0].role == "product_manager" and len(people[0].reasons) == 2


def test_the_invitation_asks_for_owners_only_while_a_role_has_none(documents):
    everyone = with_owners(documents, **dict.fromkeys(ROLES, "@someone"))
    reminder = documents.messages(review.__file__)("review.unassigned")
    assert reminder in review.invitation(with_owners(documents), "train")
    assert reminder not in review.invitation(everyone, "train")


def test_a_meeting_that_does_not_exist_is_refused_by_name(documents):
    with pytest.raises(ValueError, match="deploy"):
        review.invitation(documents, "deploy")


def test_a_stage_runs_only_when_outputs_are_missing_and_the_stages_after_it_follow(documents, monkeypatch):
    ran = []

    def run(project, stage):
        ran.append(stage)
        for path in review.outputs(project, stage):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(stage, encoding="utf-8")
        return [f"{stage} done"]

    monkeypatch.setattr(review.pipeline, "run", run)
    assert "prepare done" in review.ensure_run(documents, "preprocess")
    assert ran == ["analyze", "prepare", "preprocess"]

    ran.clear()
    shown = review.ensure_run(documents, "preprocess")
    assert ran == [] and "reports/preprocess/report.md" in shown and "rerun=True" in shown
    review.ensure_run(documents, "preprocess", rerun=True)
    assert ran == ["preprocess"]

    ran.clear()
    documents.path("holdout").unlink()
    review.ensure_run(documents, "preprocess")
    assert ran == ["prepare", "preprocess"]


def test_business_understanding_shows_the_value_report_with_its_payback_chart(documents, monkeypatch):
    review.ensure_run(documents, "business_understanding")
    chart = documents.report_dir(review.VALUE) / "figures" / "payback.png"
    made = chart.stat().st_mtime_ns
    review.ensure_run(documents, "business_understanding")
    assert chart.stat().st_mtime_ns == made

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *parts: shown.extend(parts))
    review.show_report(documents, "business_understanding")
    images = [part for part in shown if type(part).__name__ == "Image"]
    assert [image.data for image in images] == [chart.read_bytes()]
    assert str(shown[0]).startswith("# ")


def test_a_report_is_cut_at_its_figures_and_brings_the_documents_it_links(documents):
    folder = documents.report_dir("prepare")
    folder.mkdir(parents=True)
    (folder / "report.md").write_text(
        "# Prepare\n\nBefore.\n\n![Rows per part](figures/rows.png)\n\nDraft: [request](data-request.md)\n",
        encoding="utf-8",
    )
    (folder / "data-request.md").write_text("# Data request\n", encoding="utf-8")
    assert review.report_parts(documents, "prepare") == [
        "# Prepare\n\nBefore.\n",
        review.Figure(folder / "figures" / "rows.png", "Rows per part"),
        "Draft: [request](data-request.md)\n",
        "# Data request\n",
    ]


def test_a_missing_report_says_how_to_make_it(documents):
    with pytest.raises(StageOrderError, match="ensure_run"):
        review.report_parts(documents, "train")


def test_open_items_follow_the_readme_as_the_team_ticks_them(documents):
    readme = documents.root / review.PACKAGE / "train" / "README.md"
    lines = readme.read_text(encoding="utf-8").splitlines()
    items = [item["text"] for item in map(checklist.TASK_ITEM.match, lines) if item and item["mark"] == " "]
    shown = review.open_items(documents, "train")
    assert items and all(f"- [ ] {item} (`" in shown for item in items)

    readme.write_text(readme.read_text(encoding="utf-8").replace("- [ ] ", "- [x] ", 1), encoding="utf-8")
    shown = review.open_items(documents, "train")
    assert f"{items[0]} (`" not in shown and f"1/{len(items)}" in shown


def test_what_if_uses_the_value_formula_and_refuses_unknown_inputs(documents):
    planned = documents.settings.value
    per_month = value.monthly_value(planned)
    assert f"| {format_cell(per_month)} | {format_cell(per_month)} |" in review.what_if(documents)
    doubled = review.what_if(documents, users=planned.users * 2)
    assert f"| {format_cell(per_month)} | {format_cell(2 * per_month)} |" in doubled
    never = value.payback_text(None, documents.settings.project.language)
    assert never in review.what_if(documents, effect_per_item=0)
    with pytest.raises(ValueError, match="user"):
        review.what_if(documents, user=10)


def test_the_value_formula_shows_every_input_where_params_yaml_sets_it(documents):
    formula = review.value_formula(documents)
    for key in review.VALUE_INPUTS:
        assert f"`value.{key}`" in formula and format_cell(getattr(documents.settings.value, key)) in formula
