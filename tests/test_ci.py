"""The generated CI files are valid for their host, and their steps pass when run in order."""

import os
import re
import subprocess

import pytest
import yaml
from conftest import TOOLS, bake, parse_structured, read, tool

STAGES = ["analyze", "prepare", "preprocess", "train", "test"]
WORKFLOW = ".github/workflows/ci.yml"
PINNED_ACTION = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")
# The one kind of file test the workflow uses: "is this one file in the repository?"
HAS_FILE = re.compile(r"hashFiles\('([^'*?\[\]]+)'\) != ''")
# A project linked to its template with cruft has this file; a plain bake does not.
CRUFT_FILE = ".cruft.json"


def in_needs_order(jobs):
    """Job names so that every job comes after the jobs it needs."""
    ordered = []
    while len(ordered) < len(jobs):
        ready = [
            name
            for name, job in jobs.items()
            if name not in ordered and set(job.get("needs", [])) <= set(ordered)
        ]
        assert ready, f"the jobs' needs form a cycle: {jobs.keys() - set(ordered)}"
        ordered += ready
    return ordered


def github_condition(expression, root, *, job_level=False):
    """Whether an `if:` of the workflow holds for the project at `root`.

    Only the conditions the workflow uses are known; any other fails the test, so that a new one
    is never taken for true by mistake.
    """
    expression = expression.strip()
    if expression == "always()":
        return True
    file_test = HAS_FILE.fullmatch(expression)
    assert file_test, f"the test cannot evaluate `if: {expression}`; teach github_condition"
    # GitHub rejects the whole workflow when a job's `if:` calls hashFiles; only steps may.
    assert not job_level, f"hashFiles in a job's `if:` is not allowed on GitHub: {expression}"
    return (root / file_test.group(1)).is_file()


def github_steps(root):
    """(job, step name, shell script) for every run step of the workflow, in the order CI runs them.

    Jobs and steps whose `if:` is false for this project are left out, as GitHub skips them. A job
    whose run steps repeat an earlier job's is left out too: the per-version test jobs differ only
    in the Python that setup-uv installs, and this environment has one.
    """
    jobs = yaml.safe_load(read(root, WORKFLOW))["jobs"]
    steps = []
    seen = []
    for name in in_needs_order(jobs):
        if not github_condition(jobs[name].get("if", "always()"), root, job_level=True):
            continue
        runs = [
            step
            for step in jobs[name]["steps"]
            if github_condition(step.get("if", "always()"), root)
            and "run" in step
            and "uv sync" not in step["run"]  # this environment has the dependencies
        ]
        if runs in seen:
            continue
        seen.append(runs)
        steps += [(name, step.get("name", step["run"]), step["run"]) for step in runs]
    return steps


def gitlab_job_runs(job, root):
    """Whether GitLab adds the job to a pipeline of the project at `root`.

    Of GitLab's `rules`, only `exists` with plain file names is known; any other fails the test.
    """
    if "rules" not in job:
        return True
    for rule in job["rules"]:
        assert set(rule) == {"exists"}, f"the test cannot evaluate the rule {rule}; teach gitlab_job_runs"
        names = rule["exists"]
        assert isinstance(names, list), f"`exists` should list file names: {rule}"
        assert not [name for name in names if set(name) & set("*?[{")], f"globs are not supported: {rule}"
        if any((root / name).is_file() for name in names):
            return True
    return False


def gitlab_steps(root):
    """(job, line, line) for every script line of the jobs GitLab would run, in stage order."""
    config = yaml.safe_load(read(root, ".gitlab-ci.yml"))
    jobs = {name: job for name, job in config.items() if isinstance(job, dict) and "script" in job}
    by_stage = sorted(jobs, key=lambda name: config["stages"].index(jobs[name]["stage"]))
    return [
        (name, line, line)
        for name in by_stage
        if gitlab_job_runs(jobs[name], root)
        for line in jobs[name]["script"]
    ]


def run_steps(root, steps, **environment):
    """Run CI's shell steps one after another in the project; fail on the first that fails."""
    env = {**os.environ, "PATH": f"{TOOLS}{os.pathsep}{os.environ['PATH']}", **environment}
    outputs = {}
    for job, name, script in steps:
        result = subprocess.run(
            ["bash", "-eo", "pipefail", "-c", script],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, (
            f"{job} › {name} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
        outputs[job, name] = result.stdout + result.stderr
    return outputs


@pytest.fixture(scope="module")
def github_project(cookies_session):
    return bake(cookies_session, ci="github")


def test_the_github_workflow_passes_its_schema_and_zizmor(github_project):
    schema = tool(
        "check-jsonschema", "--builtin-schema", "vendor.github-workflows", WORKFLOW, cwd=github_project
    )
    assert schema.returncode == 0, schema.stdout + schema.stderr
    audit = tool("zizmor", "--offline", "--no-progress", ".", cwd=github_project)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "No findings" in audit.stdout


def test_the_github_workflow_is_read_only_pinned_and_runs_stages_in_order(github_project):
    workflow = yaml.safe_load(read(github_project, WORKFLOW))
    assert workflow["permissions"] == {"contents": "read"}
    jobs = workflow["jobs"]
    assert [job for job in in_needs_order(jobs) if job in STAGES] == STAGES
    for before, stage in zip(["lint", *STAGES], STAGES, strict=False):
        assert jobs[stage]["needs"] == [before]
    text = read(github_project, WORKFLOW)
    for job in jobs.values():
        for step in job["steps"]:
            if "uses" in step:
                assert PINNED_ACTION.match(step["uses"]), step["uses"]
                assert re.search(re.escape(step["uses"]) + r"\s+# v\d+\.\d+\.\d+", text), "no version comment"


def test_the_github_template_update_job_never_blocks_and_runs_only_with_cruft(github_project, tmp_path):
    job = yaml.safe_load(read(github_project, WORKFLOW))["jobs"]["template-update"]
    assert job["continue-on-error"] is True
    checkout, *rest = job["steps"]
    assert "checkout" in checkout["uses"] and "if" not in checkout
    assert {step.get("if") for step in rest} == {f"hashFiles('{CRUFT_FILE}') != ''"}
    # A bake has no .cruft.json, so the job's run steps are skipped.
    assert not (github_project / CRUFT_FILE).exists()
    assert not [step for step in github_steps(github_project) if step[0] == "template-update"]
    # The same workflow in a project linked with cruft runs `cruft check`.
    linked = tmp_path / "linked"
    (linked / WORKFLOW).parent.mkdir(parents=True)
    (linked / WORKFLOW).write_text(read(github_project, WORKFLOW), encoding="utf-8")
    (linked / CRUFT_FILE).write_text("{}\n", encoding="utf-8")
    assert [step for step in github_steps(linked) if step[0] == "template-update"] == [
        ("template-update", "Compare with the template", 'uvx --from "cruft>=2.15" cruft check')
    ]


def test_the_gitlab_file_passes_its_schema_and_runs_stages_in_order(cookies):
    root = bake(cookies, ci="gitlab")
    schema = tool("check-jsonschema", "--builtin-schema", "vendor.gitlab-ci", ".gitlab-ci.yml", cwd=root)
    assert schema.returncode == 0, schema.stdout + schema.stderr
    config = yaml.safe_load(read(root, ".gitlab-ci.yml"))
    assert config["stages"] == ["lint", *STAGES, "readiness"]
    for before, stage in zip(["lint", *STAGES], STAGES, strict=False):
        assert config[stage]["needs"] == [before]
        assert "reports/" in config[stage]["artifacts"]["paths"]
    readiness = config["readiness"]
    assert readiness["needs"] == [STAGES[-1]]
    assert readiness["artifacts"]["reports"]["junit"] == "test-results.xml"
    assert readiness["script"][-1].endswith("readiness --results test-results.xml")  # the gate, last
    update = config["template-update"]
    assert update["stage"] == "lint" and update["allow_failure"] is True
    assert update["rules"] == [{"exists": [CRUFT_FILE]}]
    assert update["script"] == ['uvx --from "cruft>=2.15" cruft check']
    assert not gitlab_job_runs(update, root)
    (root / CRUFT_FILE).write_text("{}\n", encoding="utf-8")
    assert gitlab_job_runs(update, root)


# Dependency updates come from the host's own bot: the config file, its schema, and what it watches.
DEPENDENCY_UPDATES = [
    ("github", ".github/dependabot.yml", "vendor.dependabot"),
    ("gitlab", "renovate.json", "vendor.renovate"),
]


@pytest.mark.parametrize(
    ("ci", "path", "schema"), DEPENDENCY_UPDATES, ids=[row[0] for row in DEPENDENCY_UPDATES]
)
def test_dependency_updates_watch_the_packages_and_the_ci_file(cookies_session, ci, path, schema):
    root = bake(cookies_session, ci=ci)
    result = tool("check-jsonschema", "--builtin-schema", schema, path, cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    config = parse_structured(root / path)
    if ci == "github":
        watched = {update["package-ecosystem"]: update["directory"] for update in config["updates"]}
        assert watched == {"uv": "/", "github-actions": "/"}
        assert (root / "uv.lock").is_file() and (root / WORKFLOW).is_file()
    else:
        assert set(config["enabledManagers"]) == {"pep621", "gitlabci"}  # pyproject.toml, .gitlab-ci.yml
        assert config["lockFileMaintenance"]["enabled"] is True  # uv.lock, refreshed as a whole
        assert (root / "uv.lock").is_file() and (root / ".gitlab-ci.yml").is_file()


@pytest.mark.slow
def test_the_github_steps_pass_in_order_and_leave_reports_and_a_job_summary(github_project, tmp_path):
    summary = tmp_path / "summary.md"
    outputs = run_steps(
        github_project, github_steps(github_project), GITHUB_STEP_SUMMARY=str(summary), GITHUB_ACTIONS="true"
    )
    assert "| Analyze | 0/9 |" in summary.read_text(encoding="utf-8")
    assert "## ML Test Score: 5 / 7" in summary.read_text(encoding="utf-8")
    gate = outputs["analyze", "Gate"]
    assert "::warning title=Gate analyze::" in gate and "gates.blocking" in gate
    for stage in STAGES:
        assert (github_project / "reports" / stage / "report.md").is_file()
    assert (github_project / "reports" / "value" / "figures" / "payback.png").is_file()


@pytest.mark.slow
def test_the_gitlab_steps_pass_in_order_on_the_regression_example_with_dvc(cookies):
    root = bake(cookies, ci="gitlab", problem_type="regression", data_versioning="dvc")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)  # CI runs in the project's checkout
    run_steps(root, gitlab_steps(root))
    assert (root / "reports" / "test" / "metrics.json").is_file()
    assert "| Analyze |" in read(root, "checklist.md")
    # Each job ran its stage with DVC and handed dvc.lock on: the last one holds every stage.
    assert list(yaml.safe_load(read(root, "dvc.lock"))["stages"]) == STAGES


def test_with_blocking_gates_the_first_stage_job_stops_at_its_gate(cookies):
    root = bake(cookies, ci="github")
    params = root / "params.yaml"
    params.write_text(
        read(root, "params.yaml").replace("blocking: false", "blocking: true"), encoding="utf-8"
    )
    gate = [step for step in github_steps(root) if step[:2] == ("analyze", "Gate")]
    with pytest.raises(AssertionError, match="analyze › Gate failed"):
        run_steps(root, gate)


def test_without_example_data_ci_runs_no_stage_but_its_tests(cookies):
    root = bake(cookies, ci="github", example_data="none")
    scripts = [script for _, _, script in github_steps(root)]
    assert not [script for script in scripts if " run " in script]
    assert "fetches it to the path in params.yaml" in read(root, WORKFLOW)


# pre-commit cannot fetch its hook repositories here, so each hook's own tool runs instead,
# on the files pre-commit would give it.
HOOK_COMMANDS = {
    "trailing-whitespace": (["trailing-whitespace-fixer"], None),
    "end-of-file-fixer": (["end-of-file-fixer"], None),
    "check-yaml": (["check-yaml"], (".yaml", ".yml")),
    "check-toml": (["check-toml"], (".toml",)),
    "check-json": (["check-json"], (".json",)),
    "detect-private-key": (["detect-private-key"], None),
    "check-added-large-files": (["check-added-large-files", "--enforce-all"], None),
    "check-merge-conflict": (["check-merge-conflict"], None),
    # A `language: fail` hook fails on any file it gets; a baked project has none it takes.
    "no-rejected-template-change": (None, (".rej",)),
    "ruff-check": (["ruff", "check"], (".py",)),
    "ruff-format": (["ruff", "format", "--check"], (".py",)),
    "jupytext": (["jupytext", "--pre-commit-mode"], (".ipynb",)),
    "nbstripout": (["nbstripout"], (".ipynb",)),
}


def tracked_files(root):
    """The files a first commit would hold: what pre-commit --all-files looks at."""
    for command in (["init", "-q"], ["add", "-A"]):
        subprocess.run(["git", *command], cwd=root, check=True)
    listed = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True)
    return listed.stdout.splitlines()


@pytest.mark.parametrize("ci", ["github", "gitlab"])
def test_pre_commit_config_is_valid_and_every_hook_passes_as_baked(cookies, ci):
    root = bake(cookies, ci=ci, language="ja" if ci == "gitlab" else "en")
    valid = tool("pre-commit", "validate-config", ".pre-commit-config.yaml", cwd=root)
    assert valid.returncode == 0, valid.stdout + valid.stderr

    config = yaml.safe_load(read(root, ".pre-commit-config.yaml"))
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    assert {hook["id"] for hook in hooks} == set(HOOK_COMMANDS)
    files = tracked_files(root)
    for hook in hooks:
        command, suffixes = HOOK_COMMANDS[hook["id"]]
        chosen = [name for name in files if suffixes is None or name.endswith(suffixes)]
        if not chosen:  # pre-commit skips a hook that matches no file, as a new project's notebook hooks
            continue
        arguments = [*command, *[arg for arg in hook.get("args", []) if arg != "--fix"]]
        result = tool(arguments[0], *arguments[1:], *chosen, cwd=root)
        assert result.returncode == 0, f"{hook['id']}: {result.stdout}{result.stderr}"


@pytest.mark.parametrize("ci", ["github", "gitlab"])
def test_every_test_runs_on_each_python_from_the_projects_oldest_up(cookies_session, ci):
    root = bake(cookies_session, ci=ci, python_version="3.12")
    if ci == "github":
        jobs = yaml.safe_load(read(root, WORKFLOW))["jobs"]
        versions = {}
        for name, job in jobs.items():
            if any(step.get("run") == "python -m pytest" for step in job["steps"]):
                (setup,) = [step for step in job["steps"] if "setup-uv" in step.get("uses", "")]
                versions[name] = setup["with"]["python-version"]
        assert versions == {"tests-python312": "3.12", "tests-python313": "3.13"}
    else:
        config = yaml.safe_load(read(root, ".gitlab-ci.yml"))
        assert config["tests"]["parallel"]["matrix"] == [{"PYTHON_VERSION": ["3.12", "3.13"]}]
        assert config["tests"]["image"] == "python:${PYTHON_VERSION}-slim"
