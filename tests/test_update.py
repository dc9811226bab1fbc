"""A project made with cruft takes template updates and keeps the team's work.

These tests are slower than most: each makes a git repository of the template, creates a project
from it with `cruft create`, commits a change to the template and runs `cruft update`, which
renders the template twice. Each takes a few seconds.

What cruft does on an update: it renders the template at the commit recorded in `.cruft.json`
and at the newest commit, with the answers recorded there, and applies the difference to the
project. In a git repository it uses `git apply -3`; outside one, `git apply --reject`.
"""

import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from conftest import TEMPLATE, TOOLS, read, run
from test_ci import github_steps

SLUG_FOLDER = next(path for path in TEMPLATE.iterdir() if path.name.startswith("{{cookiecutter.project_slug"))
PACKAGE_FOLDER = SLUG_FOLDER / "{{cookiecutter.module_name}}"
MODULE = "expense_classifier"
CHECKLIST = "docs/checklists/data.md"
TRAIN_README = f"{MODULE}/train/README.md"
TRAIN_CODE = f"{MODULE}/train/stage.py"
PLACEHOLDER = re.compile(r"\[TODO: [^\]]*\]")
# Git starts a conflict with this at the start of a line; the README only quotes it mid-line.
CONFLICT_MARKER = re.compile(r"^<<<<<<< ", re.MULTILINE)
# A whole conflict: from its first marker line to its last.
CONFLICT = re.compile(r"^<{7} .*?^>{7} .*?\n", re.MULTILINE | re.DOTALL)

# The team's words and the template's change, per document language. The template adds a
# checklist item in the "Good quality" section and a line at the end of the Train README, far
# from the lines the team edits (the PR/FAQ, the first item of each checklist, the Train code).
TEXT = {
    "en": {
        "answer": "Sole proprietors who keep their own books and file their own tax return.",
        "before": "- [ ] Missing values, outliers and duplicates",
        "item": "- [ ] Every data source's licence allows this use. — Data Engineer (unassigned)",
        "output": "- `reports/train/candidates.csv`: the cross-validation score of every candidate.",
    },
    "ja": {
        "answer": "自分で帳簿をつけ、確定申告も自分でする個人事業主。",
        "before": "- [ ] 欠損値、外れ値、重複を",
        "item": "- [ ] データソースのライセンスがこの用途を認めています。 — データエンジニア (未割り当て)",
        "output": "- `reports/train/candidates.csv`: 候補ごとの交差検証のスコア。",
    },
}
TEAM_CODE = '''

def candidate_names():
    """The models the team compares next."""
    return ["logistic_regression", "gradient_boosting"]
'''
# A line both sides change: the team ticks it, the template rewords it.
SHARED_LINE = "- [ ] The data is easy to access: we know who grants access, and"
TEMPLATE_REWORDING = ("we know who grants access,", "we know who grants access and how long it takes,")


def environment(home, ceiling):
    """No user or system settings for git and cookiecutter, a fixed commit author, this venv's tools.

    Git looks for a repository no higher than `ceiling`, so a project outside git stays outside,
    and speaks English, so its messages can be checked.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GIT_", "COOKIECUTTER"))}
    env.update(
        HOME=str(home),
        PATH=f"{TOOLS}{os.pathsep}{os.environ['PATH']}",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CEILING_DIRECTORIES=str(ceiling),
        LC_ALL="C",
        GIT_AUTHOR_NAME="Template Test",
        GIT_AUTHOR_EMAIL="test@example.com",
        GIT_COMMITTER_NAME="Template Test",
        GIT_COMMITTER_EMAIL="test@example.com",
    )
    return env


def command(arguments, cwd, env):
    return subprocess.run(
        arguments, cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", check=False
    )


def git(*arguments, cwd, env):
    result = command(["git", *arguments], cwd, env)
    assert result.returncode == 0, f"git {' '.join(arguments)}: {result.stderr}"
    return result.stdout


def cruft(*arguments, cwd, env):
    return command([sys.executable, "-m", "cruft", *arguments], cwd, env)


@pytest.fixture(scope="module")
def template_source(tmp_path_factory):
    """A git repository of the template as it is in the work tree, committed once per module.

    It holds the tracked files and the new files git does not ignore, so uncommitted work is tested.
    """
    base = tmp_path_factory.mktemp("template-source")
    env = environment(base, base)
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=TEMPLATE,
        capture_output=True,
        check=True,
    )
    source = base / "template"
    for name in listed.stdout.decode("utf-8").split("\0"):
        if name and (TEMPLATE / name).is_file():  # a tracked file deleted in the work tree is skipped
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(TEMPLATE / name, source / name)
    git("init", "-q", "-b", "main", cwd=source, env=env)
    git("add", "-A", cwd=source, env=env)
    git("commit", "-q", "-m", "Template", cwd=source, env=env)
    return source


@pytest.fixture
def env(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    return environment(home, tmp_path)


@pytest.fixture
def template(template_source, tmp_path, env):
    """A clone of the template repository that this test may commit to."""
    git("clone", "-q", str(template_source), str(tmp_path / "template"), cwd=tmp_path, env=env)
    return tmp_path / "template"


def head(repository, env):
    return git("rev-parse", "HEAD", cwd=repository, env=env).strip()


def recorded_commit(root):
    return json.loads(read(root, ".cruft.json"))["commit"]


def create(template, tmp_path, env, *, in_git=True, **answers):
    """`cruft create` a project, then commit it as the project's README says."""
    arguments = ["create", str(template), "--no-input", "--output-dir", str(tmp_path / "projects")]
    if answers:
        arguments += ["--extra-context", json.dumps(answers)]
    created = cruft(*arguments, cwd=tmp_path, env=env)
    assert created.returncode == 0, created.stdout + created.stderr
    root = tmp_path / "projects" / "expense-classifier"
    assert recorded_commit(root) == head(template, env)
    if in_git:
        git("init", "-q", "-b", "main", cwd=root, env=env)
        git("add", "-A", cwd=root, env=env)
        git("commit", "-q", "-m", "Start from the template", cwd=root, env=env)
    return root


def edit(path, old, new):
    """Replace the first `old` in a file; fail if it is not there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def do_team_work(root, language):
    """The team answers a PR/FAQ question, ticks two checklist items and adds code.

    Returns the text each edited file must still hold after an update.
    """
    pr_faq = root / "docs/pr-faq.md"
    edit(pr_faq, PLACEHOLDER.search(read(root, "docs/pr-faq.md")).group(), TEXT[language]["answer"])
    kept = {"docs/pr-faq.md": TEXT[language]["answer"]}
    for path in (CHECKLIST, TRAIN_README):
        first_open = next(line for line in read(root, path).splitlines() if line.startswith("- [ ] "))
        ticked = first_open.replace("- [ ] ", "- [x] ", 1)
        edit(root / path, first_open, ticked)
        kept[path] = ticked
    with (root / TRAIN_CODE).open("a", encoding="utf-8") as code:
        code.write(TEAM_CODE)
    kept[TRAIN_CODE] = TEAM_CODE.strip()
    return kept


def change_template(template, language, env, *, reword_shared_line=False):
    """Commit a template change: a new checklist item and a new line in the Train README."""
    source = template / SLUG_FOLDER.name
    text = TEXT[language]
    checklist = source / f"docs/checklists/data.{language}.md"
    edit(checklist, text["before"], f"{text['item']}\n{text['before']}")
    if reword_shared_line:
        edit(checklist, *TEMPLATE_REWORDING)
    with (source / PACKAGE_FOLDER.name / f"train/README.{language}.md").open("a", encoding="utf-8") as readme:
        readme.write(text["output"] + "\n")
    git("commit", "-q", "-am", "Template change", cwd=template, env=env)
    return head(template, env)


def changed_paths(root, env):
    """Paths `git status` lists, with their two-letter status."""
    status = git("status", "--porcelain", cwd=root, env=env)
    return {line[3:]: line[:2] for line in status.splitlines()}


def conflicts(root):
    """Files with conflict markers, and the `*.rej` files of rejected changes."""
    marked, rejected = [], []
    for path in sorted(root.rglob("*")):
        if ".git" in path.parts or not path.is_file():
            continue
        name = path.relative_to(root).as_posix()
        if path.suffix == ".rej":
            rejected.append(name)
        elif CONFLICT_MARKER.search(path.read_text(encoding="utf-8", errors="replace")):
            marked.append(name)
    return marked, rejected


def ci_template_check(root, env):
    """Run the GitHub workflow's `cruft check` step in the project, as CI would."""
    steps = [script for job, _, script in github_steps(root) if job == "template-update"]
    assert steps == ['uvx --from "cruft>=2.15" cruft check'], steps
    return command(["bash", "-eo", "pipefail", "-c", steps[0]], root, env)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_an_update_brings_the_template_change_and_keeps_the_teams_work(template, tmp_path, env, language):
    root = create(template, tmp_path, env, language=language)
    assert cruft("check", cwd=root, env=env).returncode == 0
    kept = do_team_work(root, language)
    new_commit = change_template(template, language, env)

    # Out of date: `cruft check` and the CI step fail.
    assert cruft("check", cwd=root, env=env).returncode != 0
    assert ci_template_check(root, env).returncode != 0
    # cruft refuses to update while the team's edits are not committed.
    refused = cruft("update", "--skip-apply-ask", cwd=root, env=env)
    assert refused.returncode != 0 and "unclean" in refused.stdout + refused.stderr
    assert recorded_commit(root) != new_commit
    git("commit", "-q", "-am", "Team work", cwd=root, env=env)

    updated = cruft("update", "--skip-apply-ask", cwd=root, env=env)
    assert updated.returncode == 0, updated.stdout + updated.stderr
    for path, text in kept.items():
        assert text in read(root, path), f"the team's edit of {path} was lost"
    checklist = read(root, CHECKLIST)
    assert TEXT[language]["item"] + "\n" + TEXT[language]["before"] in checklist
    assert read(root, TRAIN_README).endswith(TEXT[language]["output"] + "\n")
    assert conflicts(root) == ([], [])
    assert recorded_commit(root) == new_commit
    assert cruft("check", cwd=root, env=env).returncode == 0
    assert ci_template_check(root, env).returncode == 0
    changed = changed_paths(root, env)
    assert set(changed) == {".cruft.json", CHECKLIST, TRAIN_README}
    assert not [path for path, status in changed.items() if "U" in status]


@pytest.mark.parametrize("in_git", [True, False], ids=["git", "no-git"])
def test_a_line_both_sides_changed_is_left_for_a_person_to_merge(template, tmp_path, env, in_git):
    """cruft exits 0 even so: the project's commands refuse to read past the conflict until it is resolved."""
    root = create(template, tmp_path, env, in_git=in_git)
    shared = next(line for line in read(root, CHECKLIST).splitlines() if line.startswith(SHARED_LINE))
    ticked = shared.replace("- [ ] ", "- [x] ", 1)
    reworded = shared.replace(*TEMPLATE_REWORDING)
    edit(root / CHECKLIST, shared, ticked)
    if in_git:
        git("commit", "-q", "-am", "Tick an item", cwd=root, env=env)
    new_commit = change_template(template, "en", env, reword_shared_line=True)

    updated = cruft("update", "--skip-apply-ask", cwd=root, env=env)
    output = updated.stdout + updated.stderr
    assert updated.returncode == 0, output
    # The change that does not touch the team's line arrives; cruft counts the update as done.
    assert read(root, TRAIN_README).endswith(TEXT["en"]["output"] + "\n")
    assert recorded_commit(root) == new_commit
    assert cruft("check", cwd=root, env=env).returncode == 0

    checklist = read(root, CHECKLIST)
    marked, rejected = conflicts(root)
    if in_git:
        # `git apply -3` writes both versions between markers and leaves the file unmerged.
        assert "with conflicts" in output
        assert marked == [CHECKLIST] and rejected == []
        assert changed_paths(root, env)[CHECKLIST] == "UU"
        ours, theirs = checklist.split("<<<<<<< ours\n")[1].split(">>>>>>> theirs\n")[0].split("=======\n")
        assert ticked in ours and reworded in theirs
    else:
        # `git apply --reject` keeps the team's line and writes the template's hunk to a .rej file.
        assert "*.rej" in output
        assert marked == [] and rejected == [CHECKLIST + ".rej"]
        assert ticked in checklist and reworded not in checklist
        assert "+" + reworded in read(root, CHECKLIST + ".rej")

    # The checklist would count the item twice, `owners --check` would pass: both refuse, by name.
    unresolved = f"{CHECKLIST} has unresolved merge conflict markers" if in_git else f"{CHECKLIST}.rej holds"
    for command in (["owners", "--check"], ["checklist"]):
        refused = run(["-m", MODULE, *command], root)
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert unresolved in refused.stderr and "Traceback" not in refused.stderr, refused.stderr
    # The team keeps its ticked line and drops the template's rewording.
    if in_git:
        resolved = checklist.replace(CONFLICT.search(checklist)[0], ticked + "\n")
        (root / CHECKLIST).write_text(resolved, encoding="utf-8")
        git("add", CHECKLIST, cwd=root, env=env)
    else:
        (root / f"{CHECKLIST}.rej").unlink()
    assert conflicts(root) == ([], [])
    for command in (["owners", "--check"], ["checklist"]):
        passed = run(["-m", MODULE, *command], root)
        assert passed.returncode == 0, passed.stdout + passed.stderr


def test_owners_set_in_params_yaml_stay_and_the_owners_command_fills_new_lines(template, tmp_path, env):
    root = create(template, tmp_path, env)
    edit(root / "params.yaml", 'data_engineer: ""', 'data_engineer: "@acme/data"')
    owners = run(["-m", MODULE, "owners"], root)
    assert owners.returncode == 0, owners.stdout + owners.stderr
    assert "Data Engineer (@acme/data)" in read(root, CHECKLIST)
    git("commit", "-q", "-am", "Name the data engineer", cwd=root, env=env)
    change_template(template, "en", env)

    updated = cruft("update", "--skip-apply-ask", cwd=root, env=env)
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert conflicts(root) == ([], [])
    assert 'data_engineer: "@acme/data"' in read(root, "params.yaml")
    # The template is rendered with the answers in .cruft.json, so a new line names the owner
    # given at creation; the owners command writes the one in params.yaml.
    new_item = TEXT["en"]["item"]
    assert new_item in read(root, CHECKLIST)
    owners = run(["-m", MODULE, "owners"], root)
    assert owners.returncode == 0, owners.stdout + owners.stderr
    assert new_item.replace("(unassigned)", "(@acme/data)") in read(root, CHECKLIST)
    git("commit", "-q", "-am", "Owners in the new lines", cwd=root, env=env)

    # A line the template adds right next to an owner tag the team changed is a conflict.
    neighbour = "- [ ] Personal data the model does not need"
    another = "- [ ] Data leaves its source only by an approved route. — Data Engineer (unassigned)"
    edit(template / SLUG_FOLDER.name / "docs/checklists/data.en.md", neighbour, f"{another}\n{neighbour}")
    git("commit", "-q", "-am", "Another checklist item", cwd=template, env=env)
    updated = cruft("update", "--skip-apply-ask", cwd=root, env=env)
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert conflicts(root) == ([CHECKLIST], [])
