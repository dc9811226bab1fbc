"""The generated CI files are valid for their host, and their steps pass when run in order."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import bake, read

TOOLS = Path(sys.executable).parent
STAGES = ["analyze", "prepare", "preprocess", "train", "evaluate"]
WORKFLOW = ".github/workflows/ci.yml"
PINNED_ACTION = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")


def tool(name, *arguments, cwd):
    """Run a command-line tool installed beside this interpreter."""
    return subprocess.run(
        [str(TOOLS / name), *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )


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


def github_steps(root):
    """(job, step name, shell script) for every run step of the workflow, in the order CI runs them."""
    jobs = yaml.safe_load(read(root, WORKFLOW))["jobs"]
    return [
        (name, step.get("name", step["run"]), step["run"])
        for name in in_needs_order(jobs)
        for step in jobs[name]["steps"]
        if "run" in step and "pip install" not in step["run"]  # this environment has the dependencies
    ]


def gitlab_steps(root):
    config = yaml.safe_load(read(root, ".gitlab-ci.yml"))
    jobs = {name: job for name, job in config.items() if isinstance(job, dict) and "script" in job}
    by_stage = sorted(jobs, key=lambda name: config["stages"].index(jobs[name]["stage"]))
    return [(name, line, line) for name in by_stage for line in jobs[name]["script"]]


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


def test_the_gitlab_file_passes_its_schema_and_runs_stages_in_order(cookies):
    root = bake(cookies, ci="gitlab")
    schema = tool("check-jsonschema", "--builtin-schema", "vendor.gitlab-ci", ".gitlab-ci.yml", cwd=root)
    assert schema.returncode == 0, schema.stdout + schema.stderr
    config = yaml.safe_load(read(root, ".gitlab-ci.yml"))
    assert config["stages"] == ["lint", *STAGES]
    for before, stage in zip(["lint", *STAGES], STAGES, strict=False):
        assert config[stage]["needs"] == [before]
        assert "reports/" in config[stage]["artifacts"]["paths"]


def test_the_github_steps_pass_in_order_and_leave_reports_and_a_job_summary(github_project, tmp_path):
    summary = tmp_path / "summary.md"
    outputs = run_steps(
        github_project, github_steps(github_project), GITHUB_STEP_SUMMARY=str(summary), GITHUB_ACTIONS="true"
    )
    assert "| Analyze | 0/9 |" in summary.read_text(encoding="utf-8")
    gate = outputs["analyze", "Gate"]
    assert "::warning title=Gate analyze::" in gate and "gates.blocking" in gate
    for stage in STAGES:
        assert (github_project / "reports" / stage / "report.md").is_file()
    assert (github_project / "reports" / "value" / "figures" / "payback.png").is_file()


def test_the_gitlab_steps_pass_in_order_on_the_regression_example(cookies):
    root = bake(cookies, ci="gitlab", problem_type="regression")
    run_steps(root, gitlab_steps(root))
    assert (root / "reports" / "evaluate" / "metrics.json").is_file()
    assert "| Analyze |" in read(root, "checklist.md")


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
    "ruff-check": (["ruff", "check"], (".py",)),
    "ruff-format": (["ruff", "format", "--check"], (".py",)),
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
        arguments = [*command, *[arg for arg in hook.get("args", []) if arg != "--fix"]]
        chosen = [name for name in files if suffixes is None or name.endswith(suffixes)]
        result = tool(arguments[0], *arguments[1:], *chosen, cwd=root)
        assert result.returncode == 0, f"{hook['id']}: {result.stdout}{result.stderr}"
