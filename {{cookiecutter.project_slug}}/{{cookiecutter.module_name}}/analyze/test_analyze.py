"""Analyze must measure the data against the data requirements and leave the raw data as it was."""

import copy
import hashlib
import json

import numpy as np
import pandas as pd

from {{ cookiecutter.module_name }}.analyze.stage import diagnose
from {{ cookiecutter.module_name }}.kit.core import pipeline
from {{ cookiecutter.module_name }}.kit.core.data import IDENTIFYING_ROWS, personal_data_kind
from {{ cookiecutter.module_name }}.kit.core.pipeline import Project
from {{ cookiecutter.module_name }}.kit.core.tables import FrameTable, iqr_bounds
from {{ cookiecutter.module_name }}.kit.reports import analysis


def test_the_diagnosis_covers_every_column(analyzed):
    diagnosis = json.loads(analyzed.path("diagnosis").read_text(encoding="utf-8"))
    raw = analyzed.read_raw()
    assert diagnosis["rows"] == len(raw)
    assert list(diagnosis["columns"]) == list(raw.columns)
    assert sum(diagnosis["target_counts"].values()) == raw[analyzed.data.target].notna().sum()


def test_mostly_missing_and_personal_data_columns_are_flagged_to_drop(analyzed):
    diagnosis = json.loads(analyzed.path("diagnosis").read_text(encoding="utf-8"))
    limit = analyzed.settings.analyze.max_missing_share
    mostly_missing = {
        name
        for name, column in diagnosis["columns"].items()
        if column["missing_share"] > limit and name in analyzed.feature_columns(analyzed.read_raw())
    }
    assert mostly_missing <= set(diagnosis["drop_columns"])
    assert set(analyzed.data.personal_data_columns) <= set(diagnosis["drop_columns"])


def test_personal_data_is_found_by_its_values_and_dropped_unless_listed_as_not_personal(project):
    frame = project.read_raw()
    rows = range(len(frame))
    frame = frame.assign(
        phone_text=[f"0{90 + row % 9}-{1000 + row % 9000:04d}-{(7 * row) % 10000:04d}" for row in rows],
        phone_number=[9_012_345_678 + 7919 * row for row in rows],
        mail=[f"person{row}@example.jp" for row in rows],
        member=[f"M{row:07d}" for row in rows],
        row_number=np.random.default_rng(0).permutation(len(frame)) + 10_001,
        amount=np.random.default_rng(0).integers(500, 80_001, len(frame)),
    )
    added = ["phone_text", "phone_number", "mail"]
    if len(frame) >= IDENTIFYING_ROWS:
        added += ["member", "row_number"]
    found = {
        f["column"]: f
        for f in diagnose(FrameTable(frame), project)["findings"]
        if f["kind"] == "personal_data"
    }
    assert set(added) <= set(found) and all(found[column]["drop"] for column in added), found
    assert "amount" not in found

    listed = copy.deepcopy(project.settings)
    listed.data.not_personal_columns = ["mail"]
    columns = [f["column"] for f in diagnose(FrameTable(frame), Project(project.root, listed))["findings"]]
    assert "mail" not in columns


def test_whole_numbers_are_personal_when_they_number_the_rows_or_dial_a_phone_not_when_they_count_yen():
    random = np.random.default_rng(0)
    rows = 320
    amounts = pd.Series(random.integers(500, 80_001, rows))  # yen: nearly every row its own amount
    assert amounts.nunique() > 0.95 * rows and personal_data_kind(amounts) is None
    assert personal_data_kind(amounts.head(IDENTIFYING_ROWS)) is None
    assert personal_data_kind(pd.Series(random.integers(1990, 2025, rows))) is None  # years: dense, repeating
    shuffled_ids = pd.Series(random.permutation(rows) + 10_001)
    assert personal_data_kind(shuffled_ids) == "row_numbers"
    assert personal_data_kind(pd.Series(range(1, rows + 1), dtype=float)) == "row_numbers"
    phones = pd.Series(9_012_345_678 + 7919 * np.arange(rows))
    assert personal_data_kind(phones) == "stored_as_numbers"


def test_a_column_that_copies_the_target_is_flagged_as_leakage(project):
    frame = project.read_raw()
    frame["answer_copy"] = frame[project.data.target]
    leaks = [
        f["column"] for f in diagnose(FrameTable(frame), project)["findings"] if f["kind"] == "likely_leakage"
    ]
    assert "answer_copy" in leaks


def test_a_constant_column_is_flagged_to_drop(project):
    frame = project.read_raw()
    frame["always_the_same"] = "same"
    found = [f for f in diagnose(FrameTable(frame), project)["findings"] if f["column"] == "always_the_same"]
    assert [finding["kind"] for finding in found] == ["constant"]
    assert found[0]["drop"] == project.settings.prepare.drop_flagged_columns


def test_outliers_follow_the_iqr_rule(analyzed):
    diagnosis = json.loads(analyzed.path("diagnosis").read_text(encoding="utf-8"))
    raw = analyzed.read_raw()
    factor = analyzed.settings.analyze.outlier_iqr_factor
    for column, count in diagnosis["outliers"].items():
        low, high = iqr_bounds(raw[column], factor)
        assert count == ((raw[column] < low) | (raw[column] > high)).sum()


def test_report_figures_and_data_card_are_written(analyzed):
    folder = analyzed.report_dir("analyze")
    report = (folder / "report.md").read_text(encoding="utf-8")
    for figure in ("target", "missing"):
        assert (folder / "figures" / f"{figure}.png").stat().st_size > 0
        assert f"figures/{figure}.png" in report
    card = (analyzed.root / "docs" / "data-card.md").read_text(encoding="utf-8")
    statistics = card.split("<!-- begin:statistics -->", 1)[1].split("<!-- end:statistics -->", 1)[0]
    duplicates = json.loads(analyzed.path("diagnosis").read_text(encoding="utf-8"))["duplicate_rows"]
    reports = analyzed.messages(analysis.__file__)
    assert reports("analysis.card.rows", rows=len(analyzed.read_raw()), duplicates=duplicates) in statistics


def test_the_raw_data_is_never_modified(project):
    before = hashlib.sha256(project.raw_data.read_bytes()).hexdigest()
    pipeline.run(project, "analyze")
    assert hashlib.sha256(project.raw_data.read_bytes()).hexdigest() == before
