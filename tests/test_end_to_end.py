"""A baked project installs into a fresh virtual environment exactly as its README says."""

import re
import subprocess

import pytest
from conftest import bake, read


@pytest.mark.slow
def test_the_readme_commands_set_up_and_test_a_fresh_project(cookies):
    root = bake(cookies)
    readme = read(root, "README.md")
    quick_start = re.search(r"## Quick start\n\n```bash\n(.*?)```", readme, re.DOTALL)[1]
    commands = [line.split("#")[0].strip() for line in quick_start.splitlines()]
    assert commands == ["make run", "make test"]

    for command in commands:
        result = subprocess.run(command.split(), cwd=root, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert re.search(r"\d+ passed", result.stdout)
    assert (root / "reports" / "evaluate" / "metrics.json").is_file()
    assert (root / "reports" / "value" / "figures" / "payback.png").is_file()

    installed = subprocess.run(
        [root / ".venv/bin/python", "-m", "expense_classifier", "owners", "--check"],
        cwd=root / "docs",
        capture_output=True,
        text=True,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr
    assert "up to date" in installed.stdout
