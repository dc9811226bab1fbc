"""Prepare must cleanse as diagnosed and keep the holdout apart from training."""

import json

import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.kit.process.readiness import NOT_APPLICABLE


@pytest.fixture(scope="module")
def parts(prepared):
    return pd.read_parquet(prepared.path("train")), pd.read_parquet(prepared.path("holdout"))


def test_no_row_of_the_holdout_reaches_training(parts):
    train, holdout = parts
    train_rows = set(pd.util.hash_pandas_object(train, index=False))
    assert not train_rows & set(pd.util.hash_pandas_object(holdout, index=False))


def test_the_holdout_has_the_configured_share(prepared, parts):
    train, holdout = parts
    share = len(holdout) / (len(train) + len(holdout))
    assert share == pytest.approx(prepared.settings.split.holdout_size, abs=0.01)


def test_the_split_keeps_class_shares(prepared, parts):
    if prepared.problem_type != "classification":
        pytest.skip(f"{NOT_APPLICABLE}stratification applies to classes")
    train, holdout = parts
    target = prepared.data.target
    shares = train[target].value_counts(normalize=True), holdout[target].value_counts(normalize=True)
    # Whole rows: a class's share in each part can be off by up to one row of that part.
    assert (shares[0] - shares[1]).abs().max() <= 1 / len(train) + 1 / len(holdout)


def test_flagged_and_personal_columns_are_gone_and_rows_are_unique(prepared, parts):
    diagnosis = json.loads(prepared.path("diagnosis").read_text(encoding="utf-8"))
    cleaned = pd.read_parquet(prepared.path("cleaned"))
    dropped = set(diagnosis["drop_columns"]) | set(prepared.data.personal_data_columns)
    assert not dropped & set(cleaned.columns)
    assert not cleaned.duplicated().any()
    assert cleaned[prepared.data.target].notna().all()
