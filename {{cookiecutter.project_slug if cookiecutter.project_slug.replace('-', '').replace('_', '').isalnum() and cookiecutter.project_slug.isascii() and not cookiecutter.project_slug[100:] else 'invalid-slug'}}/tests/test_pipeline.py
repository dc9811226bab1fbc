"""`run all` must give what the stages give one by one: no stage leans on state another left in memory."""

import json
import shutil

import numpy as np
import pandas as pd

from {{ cookiecutter.module_name }} import metrics, models
from {{ cookiecutter.module_name }}.files import sha256
from {{ cookiecutter.module_name }}.pipeline import Project

DATA_FILES = ("cleaned", "train", "holdout", "features")


def test_run_all_gives_the_same_outputs_as_the_stages_one_by_one(evaluated, tmp_path, monkeypatch, command):
    root = tmp_path / "fresh"
    root.mkdir()
    shutil.copy(evaluated.root / "params.yaml", root / "params.yaml")
    shutil.copytree(evaluated.root / "docs", root / "docs")
    fresh = Project.load(root)
    fresh.raw_data.parent.mkdir(parents=True)
    shutil.copy(evaluated.raw_data, fresh.raw_data)

    monkeypatch.chdir(root)
    command(["run", "all"])

    for name in DATA_FILES:
        # Digests, not bytes: on a mismatch pytest would try to diff megabytes of Parquet.
        assert sha256(fresh.path(name)) == sha256(evaluated.path(name)), f"{name} differs"
    card = json.loads(evaluated.path("model_card").read_text(encoding="utf-8"))
    holdout = pd.read_parquet(evaluated.path("holdout"))[list(card["schema"])]
    by_run_all, one_by_one = (
        metrics.predict(models.load(project.path("model")), holdout, card["positive_label"])
        for project in (fresh, evaluated)
    )
    np.testing.assert_array_equal(by_run_all[0], one_by_one[0])
    np.testing.assert_array_equal(by_run_all[1], one_by_one[1])
    by_run_all, one_by_one = (
        json.loads(project.path("metrics").read_text(encoding="utf-8")) for project in (fresh, evaluated)
    )
    assert by_run_all["holdout"] == one_by_one["holdout"]
    assert by_run_all["slices"] == one_by_one["slices"]
