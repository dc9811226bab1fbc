"""Every baked project installs exactly the packages its uv.lock pins, on every Python it supports.

The template ships one lock per Python floor, resolved with every optional part (`make lock`); the
post-generation hook keeps what the chosen options need. uv must accept each such lock as it is:
`uv sync --locked` fails when the lock does not match pyproject.toml (here as a dry run, offline,
so it installs nothing; tests/test_end_to_end.py installs for real).
"""

import itertools
import json
import re
import tomllib

import pytest
from conftest import CONTEXT, TEMPLATE, bake, locked_packages, read, tool

PROJECT_TEMPLATE = TEMPLATE / "{{cookiecutter.project_slug}}"
PYTHON_VERSIONS = CONTEXT["python_version"]
OPTIONS = list(itertools.product(("en", "ja"), ("fastapi", "none"), ("streamlit", "none")))
# The package each choice adds, and only that choice.
PART_PACKAGES = {
    ("language", "ja"): "matplotlib-fontja",
    ("serving", "fastapi"): "fastapi",
    ("demo", "streamlit"): "streamlit",
}


def test_one_lock_ships_for_each_python_version_a_project_may_choose():
    supported = re.search(r"set supported = (\[.*\])", read(TEMPLATE, "templates/python.j2"))[1]
    assert json.loads(supported) == PYTHON_VERSIONS, "templates/python.j2 and cookiecutter.json differ"
    shipped = sorted(path.name for path in (PROJECT_TEMPLATE / ".locks").iterdir())
    assert shipped == [f"python{version}.lock" for version in PYTHON_VERSIONS]


@pytest.mark.parametrize("python_version", PYTHON_VERSIONS)
@pytest.mark.parametrize(("language", "serving", "demo"), OPTIONS, ids=["-".join(o) for o in OPTIONS])
def test_uv_accepts_the_lock_of_every_option_combination(
    cookies_session, python_interpreter, python_version, language, serving, demo
):
    answers = {"language": language, "serving": serving, "demo": demo, "python_version": python_version}
    root = bake(cookies_session, **answers, project_slug="Lock_Check")
    assert not (root / ".locks").exists()

    interpreter = python_interpreter(python_version)
    checked = tool("uv", "sync", "--locked", "--dry-run", "--offline", "--python", interpreter, cwd=root)

    assert checked.returncode == 0, checked.stderr
    assert not (root / ".venv").exists()  # a dry run: checked, nothing installed
    packages = locked_packages(root)
    assert "lock-check" in packages  # the project itself, under its own name
    for (option, choice), package in PART_PACKAGES.items():
        assert (package in packages) == (answers[option] == choice), (
            f"{package} with {option}={answers[option]}"
        )
    requires_python = tomllib.loads(read(root, "uv.lock"))["requires-python"]
    assert requires_python == f">={python_version}"


def test_the_template_tests_the_versions_a_new_project_installs(default_project):
    """The template's own environment holds the versions a default bake locks, so its tests test those."""
    template = locked_packages(TEMPLATE)
    project = locked_packages(default_project)
    differing = {
        name: (template[name], versions)
        for name, versions in project.items()
        if name in template and len(versions) == 1 and template[name] != versions
    }
    assert not differing, (
        f"run `make lock`: the template and the projects lock different versions: {differing}"
    )
