"""Shared fixtures: a scratch copy of this project in which every stage runs once per session."""

import shutil

import pytest

from {{ cookiecutter.module_name }} import example_data, pipeline
from {{ cookiecutter.module_name }}.pipeline import STAGES, Project

# Rows of the expenses example the tests use: enough to meet the requirement, quick to train on.
TEST_ROWS = 8000


@pytest.fixture(scope="session")
def project(tmp_path_factory):
    """This project's settings, documents and data in a scratch folder, so tests never touch yours."""
    source = Project.load()
    root = tmp_path_factory.mktemp("project")
    shutil.copy(source.root / "params.yaml", root / "params.yaml")
    shutil.copytree(source.root / "docs", root / "docs")
    scratch = Project.load(root)
    if source.raw_data.exists():
        scratch.raw_data.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source.raw_data, scratch.raw_data)
    elif scratch.data["example"] == "expenses":
        pipeline.write_table_as(example_data.expenses(rows=TEST_ROWS), scratch.raw_data)
    elif scratch.data["example"] == "none":
        pytest.skip(
            f"No data yet: put your file at {scratch.data['path']} and name its columns in params.yaml."
        )
    return scratch


@pytest.fixture(scope="session")
def finished(project):
    """The scratch project after `run all`."""
    for stage in STAGES:
        pipeline.run(project, stage)
    return project
