"""When the data grows a column: a useful one becomes a feature with no code change, and personal
data, whether declared in params.yaml or only looking like it, never reaches an output."""

import json
import re
import shutil
import zipfile

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.kit.core import pipeline
from {{ cookiecutter.module_name }}.kit.core.pipeline import STAGES, Project

ROWS = 600
OUTPUT_FOLDERS = ("data/interim", "data/processed", "models", "reports", "docs")
# Shorter values could turn up inside unrelated numbers, such as a row count.
SHORTEST_SEARCHED_VALUE = 7
SEARCHED_VALUES_PER_COLUMN = 100


@pytest.fixture(scope="module")
def grown(project, tmp_path_factory):
    """The project on 600 rows of its data plus a new signal and undeclared emails, every stage run."""
    root = tmp_path_factory.mktemp("new-columns")
    shutil.copy(project.root / "params.yaml", root / "params.yaml")
    shutil.copytree(project.root / "docs", root / "docs")
    grown = Project.load(root)
    rows = project.read_raw().head(ROWS)
    target = rows[project.data.target]
    if project.problem_type == "classification":
        informative = pd.Series(pd.factorize(target)[0], index=rows.index, dtype=float)
    else:
        informative = (target - target.mean()) / target.std()
    noise = np.random.default_rng(0).normal(size=len(rows))
    rows = rows.assign(
        new_signal=informative + noise,
        contact_email=[f"user{number}@example.com" for number in range(len(rows))],
    )
    grown.write_rows(rows, grown.raw_data)
    for stage in STAGES:
        pipeline.run(grown, stage)
    return grown


def test_a_new_column_becomes_a_feature_with_no_code_change(grown):
    card = json.loads(grown.path("model_card").read_text(encoding="utf-8"))
    assert card["schema"]["new_signal"]["kind"] == "numbers"
    assert "numbers__new_signal" in pd.read_parquet(grown.path("features")).columns


def searchable(path):
    """A file's content as bytes in which stored values can be found: tables as CSV, archives unpacked."""
    if path.suffix == ".parquet":
        return pd.read_parquet(path).to_csv(index=False).encode("utf-8")
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return b"\n".join(archive.read(name) for name in archive.namelist())
    return path.read_bytes()


def test_personal_data_never_reaches_an_output(grown):
    personal = ["contact_email", *grown.data.personal_data_columns]
    raw = grown.read_raw()
    values = [
        value
        for column in personal
        for value in raw[column].dropna().astype(str).drop_duplicates().head(SEARCHED_VALUES_PER_COLUMN)
        if len(value) >= SHORTEST_SEARCHED_VALUE
    ]
    # Whole values only: not the digits of a longer number or of a decimal fraction.
    pattern = re.compile(
        rb"(?<![\d.])(?:" + b"|".join(re.escape(value.encode()) for value in values) + rb")(?!\d)"
    )
    assert pattern.search(searchable(grown.raw_data)), "the search must find the values in the raw data"
    outputs = [
        path for folder in OUTPUT_FOLDERS for path in (grown.root / folder).rglob("*") if path.is_file()
    ]
    assert grown.path("model") in outputs and grown.path("train") in outputs
    leaks = [str(path.relative_to(grown.root)) for path in outputs if pattern.search(searchable(path))]
    assert not leaks, f"personal data found in: {', '.join(leaks)}"

    diagnosis = json.loads(grown.path("diagnosis").read_text(encoding="utf-8"))
    flagged = {finding["column"] for finding in diagnosis["findings"] if finding["kind"] == "personal_data"}
    assert set(personal) <= flagged
    card = json.loads(grown.path("model_card").read_text(encoding="utf-8"))
    assert not flagged & set(card["schema"])
