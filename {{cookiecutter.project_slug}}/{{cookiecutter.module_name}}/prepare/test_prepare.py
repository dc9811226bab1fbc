"""Prepare must cleanse as diagnosed and keep the holdout apart from training."""

import json
import shutil

import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.kit.core import records
from {{ cookiecutter.module_name }}.kit.core.pipeline import Project
from {{ cookiecutter.module_name }}.kit.process.readiness import not_applicable


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
        pytest.skip(not_applicable("stratification_needs_classes"))
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


def test_a_diagnosis_that_lost_a_field_is_refused_naming_its_key(prepared, tmp_path, monkeypatch, refused):
    """Prepare follows the diagnosis: one that lost the columns to drop must stop it, not let them through."""
    root = tmp_path / "project"
    shutil.copytree(prepared.root, root)
    monkeypatch.chdir(root)
    project = Project.load(root)
    path = project.path("diagnosis")
    diagnosis = json.loads(path.read_text(encoding="utf-8"))
    del diagnosis["drop_columns"]
    path.write_text(json.dumps(diagnosis), encoding="utf-8")
    # Not named `say`: the message checks would look for these keys in Prepare's own message file.
    sentences = project.messages(records.__file__)
    message = refused(root, ["run", "prepare"], sentences("records.missing", key="drop_columns"))
    assert sentences("records.fix", stage="analyze") in message
