"""Shared helpers: bake a project and look inside it."""

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

# The command-line tools installed beside this interpreter: pre-commit hooks, cruft, zizmor.
TOOLS = Path(sys.executable).parent
# Test processes run side by side (pytest-xdist); one thread each keeps them from fighting over cores.
os.environ.setdefault("OMP_NUM_THREADS", "1")

TEMPLATE = Path(__file__).resolve().parents[1]
CONTEXT = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))
ROLE_KEYS = [name.removeprefix("owner_") for name in CONTEXT if name.startswith("owner_")]

# A GitHub task-list item; the group holds " " (open) or "x"/"X" (done).
TASK_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[([ xX-])\]\s", re.MULTILINE)
CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def bake(cookies, **answers):
    """Bake with `answers` and fail the test with the hook's output if baking fails."""
    result = cookies.bake(extra_context=answers)
    assert result.exception is None, result.exception
    assert result.exit_code == 0
    return result.project_path


def files(root):
    """Every file of a baked project, as paths relative to its root."""
    return sorted(path.relative_to(root) for path in root.rglob("*") if path.is_file())


def read(root, relative):
    return (root / relative).read_text(encoding="utf-8")


def locked_packages(root):
    """{name: [versions]} of every package in the project's uv.lock."""
    packages = {}
    for package in tomllib.loads(read(root, "uv.lock"))["package"]:
        packages.setdefault(package["name"], []).append(package["version"])
    return packages


def parse_structured(path):
    """Parse a YAML, TOML or JSON file; raise if it is not valid."""
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yml", ".yaml"):
        return yaml.safe_load(text)
    if path.suffix == ".toml":
        return tomllib.loads(text)
    return json.loads(text)


def tool(name, *arguments, cwd):
    """Run a command-line tool installed beside this interpreter; return the finished process."""
    return subprocess.run(
        [str(TOOLS / name), *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )


def run(command, cwd, **environment):
    """Run a command in a baked project with this interpreter, `environment` added to this process's."""
    return subprocess.run(
        [sys.executable, *command],
        cwd=cwd,
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )


@pytest.fixture(scope="session")
def python_interpreter():
    """Find this machine's Python of a given version for uv, which never downloads one here.

    Without it the test skips on a developer's machine, but fails in CI, which must test every version.
    """

    def find(version):
        found = tool("uv", "python", "find", "--no-python-downloads", version, cwd=TEMPLATE)
        if found.returncode != 0:
            missing = pytest.fail if os.environ.get("CI") else pytest.skip
            missing(f"no Python {version} on this machine: {found.stderr.strip()}")
        return found.stdout.strip()

    return find


@pytest.fixture(scope="session")
def default_project(cookies_session):
    """The project `cookiecutter --no-input` gives, baked once per test process."""
    return bake(cookies_session)


# Debian's Chromium (apt-get install chromium), which Playwright drives instead of a browser of its own.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGUMENTS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium, driven by Playwright, for tests that look at a page as a person would.

    Without Chromium the test skips on a developer's machine (`apt-get install chromium`), but fails in
    CI, which installs it (.ci/run) and must run every browser test.
    """
    if not CHROMIUM.is_file():
        missing = pytest.fail if os.environ.get("CI") else pytest.skip
        missing(f"no Chromium at {CHROMIUM}: install Debian's package with `apt-get install -y chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGUMENTS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture()
def page(browser):
    """A fresh browser page (its own context: no cookies or storage from another test)."""
    context = browser.new_context(viewport={"width": 1280, "height": 2000})
    try:
        yield context.new_page()
    finally:
        context.close()
