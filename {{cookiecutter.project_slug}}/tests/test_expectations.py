"""The data's expectations, written down and enforced: raw data outside its expected ranges is
refused, and the model card records each column's type, range and known categories for serving."""

import json
import re
from copy import deepcopy as copy_of

import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.kit.core import data
from {{ cookiecutter.module_name }}.kit.core.config import shown
from {{ cookiecutter.module_name }}.kit.core.data import DataError, range_text
from {{ cookiecutter.module_name }}.kit.core.pipeline import Project
from {{ cookiecutter.module_name }}.kit.process.readiness import not_applicable
from {{ cookiecutter.module_name }}.train.stage import MAX_KNOWN_CATEGORIES


def test_raw_data_outside_an_expected_range_is_refused(project, tmp_path):
    rows = project.read_raw().head(300)
    copy = Project(tmp_path, copy_of(project.settings))
    ranges = copy.data.expected_ranges
    if not ranges:
        # None declared: give the first number column the range it has in these rows, as a team would.
        numbers = [column for column in project.feature_columns(rows) if is_number_column(rows[column])]
        if not numbers:
            pytest.skip(not_applicable("data_has_no_number_column_to_range"))
        ranges[numbers[0]] = [float(rows[numbers[0]].min()), float(rows[numbers[0]].max())]
    for column, bounds in ranges.items():
        for bound, beyond in zip(bounds, (-1, 1), strict=True):
            if bound is None:
                continue
            copy.write_rows(rows.assign(**{column: bound}), copy.raw_data)
            assert len(copy.read_raw()) == len(rows)
            broken = rows.astype({column: float})
            broken.loc[broken.index[7], column] = bound + beyond
            copy.write_rows(broken, copy.raw_data)
            with pytest.raises(DataError, match=re.escape(data.say("data.requirement.in_range"))) as refused:
                copy.read_raw()
            message = str(refused.value)
            said = data.say(
                "data.problem.outside_range",
                column=column,
                range=range_text(*bounds),
                rows=1,
                value=shown(bound + beyond),
            )
            assert said in message, message
            assert data.say("data.fix.outside_range") in message, message


def is_number_column(values):
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def test_the_model_card_records_each_columns_type_range_and_known_categories(trained):
    card = json.loads(trained.path("model_card").read_text(encoding="utf-8"))
    train = pd.read_parquet(trained.path("train"))
    schema = card["schema"]
    assert schema and set(schema) == set(trained.feature_columns(train))
    for column, entry in schema.items():
        assert entry["kind"] in ("numbers", "categories", "ordered", "text"), column
        assert entry["dtype"] == str(train[column].dtype), column
        if entry["kind"] == "numbers":
            assert pd.api.types.is_numeric_dtype(train[column]), column
        if entry["kind"] == "text":
            assert column in trained.data.text_columns, column
        known = sorted(train[column].dropna().astype(str).unique())
        if entry["kind"] in ("categories", "ordered") and len(known) <= MAX_KNOWN_CATEGORIES:
            assert entry["known_values"] == known, column
    recorded = {
        column: entry["expected_range"] for column, entry in schema.items() if "expected_range" in entry
    }
    ranged = {
        column: bounds
        for column, bounds in trained.data.expected_ranges.items()
        if schema.get(column, {}).get("kind") == "numbers"
    }
    assert recorded == ranged
