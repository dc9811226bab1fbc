"""A baked project installs from its lock into its own environment, as its README says, and passes.

These tests install packages (from uv's cache once it is warm) and run every stage, so they are
marked slow: `make test-slow` runs them, and so does CI. The drift test is the one that looks
ahead: it moves a new project's lock to the newest releases and runs the project's own tests, so a
release that breaks a fresh bake fails here before a team meets it.
"""

import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import CONTEXT, TOOLS, bake, locked_packages, read

PACKAGE = "expense_classifier"
# What differs between any two runs: timings, and the model file's digest (skops names the arrays
# in the file after their memory addresses). Every computed result must be the same.
NOT_COMPUTED = ("service_level", "model_version")


def in_project(root, *command, check=True):
    """Run a command in the project as a user would, with uv on PATH and no other environment active."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT")
    }
    env["PATH"] = f"{TOOLS}{os.pathsep}{env['PATH']}"
    result = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=False)
    if check:
        assert result.returncode == 0, (
            f"{' '.join(command)}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return result


@pytest.mark.slow
def test_the_readme_commands_install_from_the_lock_run_and_test_a_fresh_project(cookies):
    root = bake(cookies)
    quick_start = re.search(r"## Quick start\n\n```bash\n(.*?)```", read(root, "README.md"), re.DOTALL)[1]
    commands = [line.split("#")[0].strip() for line in quick_start.splitlines()]
    assert commands == ["uv sync --locked", f"uv run python -m {PACKAGE} run all", "uv run pytest"]

    for command in commands:
        result = in_project(root, *command.split())
    assert re.search(r"\d+ passed", result.stdout)
    assert (root / "reports" / "test" / "metrics.json").is_file()
    assert not (root / ".locks").exists()

    # The environment is the lock: the project's own check says so, and the lock did not move.
    lock = read(root, "uv.lock")
    in_project(root, "uv", "run", "--locked", "python", "-m", "pytest", "tests/test_environment.py")
    assert read(root, "uv.lock") == lock
    installed = in_project(root / "docs", "uv", "run", "python", "-m", PACKAGE, "owners", "--check")
    assert "up to date" in installed.stdout

    # A wheel holds the code the project runs, the stages and the kit, not the tests beside them.
    in_project(root, "uv", "build", "--wheel", "--out-dir", "dist")
    names = zipfile.ZipFile(next((root / "dist").glob("*.whl"))).namelist()
    assert {f"{PACKAGE}/test/stage.py", f"{PACKAGE}/kit/cli.py"} <= set(names)
    assert [name for name in names if Path(name).name.startswith("test_")] == []


@pytest.mark.slow
@pytest.mark.parametrize("python_version", CONTEXT["python_version"][1:])
def test_each_shipped_lock_installs_and_trains_on_its_python(cookies, python_interpreter, python_version):
    """The lock of a project whose oldest Python is `python_version` installs and trains on that version.

    The default project's lock (3.11) is installed by the README test above; CI's matrix in a project
    runs every version from its oldest up.
    """
    root = bake(cookies, python_version=python_version)
    interpreter = python_interpreter(python_version)
    in_project(root, "uv", "sync", "--locked", "--python", interpreter)
    version = in_project(root, "uv", "run", "--locked", "python", "-c", "import sys; print(sys.version)")
    assert version.stdout.startswith(python_version)
    tests = in_project(
        root, "uv", "run", "--locked", "pytest", "-q", "tests/test_environment.py", f"{PACKAGE}/train"
    )
    assert re.search(r"\d+ passed", tests.stdout)


@pytest.mark.slow
def test_two_fresh_installs_from_the_lock_give_the_same_results(cookies, tmp_path):
    baked = bake(cookies)
    results = []
    for name in ("first", "second"):
        root = tmp_path / name
        shutil.copytree(baked, root)
        in_project(root, "uv", "sync", "--locked")
        in_project(root, "uv", "run", "--locked", "python", "-m", PACKAGE, "run", "all")
        in_project(
            root, "uv", "run", "--locked", "python", "-m", PACKAGE, "predict",
            "--input", "data/raw/expenses.csv", "--output", "predictions.csv",
        )  # fmt: skip
        metrics = json.loads(read(root, "reports/test/metrics.json"))
        results.append(
            (
                {key: value for key, value in metrics.items() if key not in NOT_COMPUTED},
                read(root, "predictions.csv"),
            )
        )

    (first_metrics, first_predictions), (second_metrics, second_predictions) = results
    assert first_metrics == second_metrics
    assert first_predictions == second_predictions
    assert len(first_predictions.splitlines()) > 1000


@pytest.mark.slow
def test_the_newest_releases_pass_a_new_projects_own_tests(cookies):
    """The drift watch: if this fails and the locked test passes, a new release broke a fresh bake."""
    root = bake(cookies)
    shipped = locked_packages(root)
    in_project(root, "uv", "lock", "--upgrade")
    newest = locked_packages(root)
    moved = {
        name: f"{shipped[name]} -> {version}"
        for name, version in newest.items()
        if shipped.get(name) != version
    }

    in_project(root, "uv", "sync", "--locked")
    result = in_project(root, "uv", "run", "--locked", "pytest", "-q", "-p", "no:cacheprovider", check=False)

    assert result.returncode == 0, (
        f"A fresh bake fails on the newest releases. Moved since `make lock`: {moved or 'nothing'}\n"
        f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    )
