"""`run all` must give what the stages give one by one: no stage leans on state another left in memory,
no stage reads outputs that no longer follow from the settings and data, and one command writes at a time."""

import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
import yaml
from threadpoolctl import threadpool_info

from {{ cookiecutter.module_name }}.kit.core import files, metrics, models, pipeline, threads
from {{ cookiecutter.module_name }}.kit.core.files import exclusive, sha256
from {{ cookiecutter.module_name }}.kit.core.messages import messages_here
from {{ cookiecutter.module_name }}.kit.core.pipeline import STAGES, Project
from {{ cookiecutter.module_name }}.kit.core.records import ModelCard
from {{ cookiecutter.module_name }}.kit.process.readiness import skip_reason

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
    card = evaluated.read(ModelCard, "model_card")
    holdout = pd.read_parquet(evaluated.path("holdout"))[list(card.columns)]
    by_run_all, one_by_one = (
        metrics.predict(models.load(project.path("model")), holdout, card.positive_label)
        for project in (fresh, evaluated)
    )
    np.testing.assert_array_equal(by_run_all[0], one_by_one[0])
    np.testing.assert_array_equal(by_run_all[1], one_by_one[1])
    by_run_all, one_by_one = (
        json.loads(project.path("metrics").read_text(encoding="utf-8")) for project in (fresh, evaluated)
    )
    assert by_run_all["holdout"] == one_by_one["holdout"]
    assert by_run_all["slices"] == one_by_one["slices"]


def changed_settings(root, section, key, value):
    path = root / "params.yaml"
    settings = yaml.safe_load(path.read_text(encoding="utf-8"))
    settings[section][key] = value
    path.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")


def test_after_a_new_seed_the_test_stage_and_promote_refuse_the_model_of_the_old_split(finished, refused):
    project = Project.load(finished)
    changed_settings(finished, "split", "seed", project.settings.split.seed + 1)
    say = project.messages(pipeline.__file__)
    reason = say("pipeline.settings_changed", settings="split.seed", file="params.yaml")
    expected = say("pipeline.out_of_date", stage="prepare", reason=reason)
    refused(finished, ["run", "test"], expected)
    refused(finished, ["run", "train"], expected)
    refused(finished, ["promote"], expected)


def test_a_stage_rerun_alone_makes_the_stages_after_it_out_of_date_until_they_run(finished, refused, command):
    project = Project.load(finished)
    before = project.path("train").read_bytes()
    share = project.settings.split.holdout_size
    changed_settings(finished, "split", "holdout_size", share + 0.05 if share <= 0.45 else share - 0.05)
    command(["run", "prepare"])
    assert project.path("train").read_bytes() != before
    say = project.messages(pipeline.__file__)
    reason = say("pipeline.files_changed", files=pipeline.OUTPUTS["train"])
    refused(finished, ["run", "test"], say("pipeline.out_of_date", stage="preprocess", reason=reason))
    for stage in ("preprocess", "train", "test"):
        command(["run", stage])
    Project.load(finished).require_current(*STAGES)


def test_a_second_command_is_refused_while_one_runs_and_leftovers_of_a_killed_one_are_removed(
    finished, refused, command
):
    leftover = finished / "models" / ".model.skops.k1ll3d_0.tmp"
    leftover.write_bytes(b"half a model")
    with exclusive(finished):
        refused(finished, ["run", "test"], messages_here(files.__file__)("files.busy", process=os.getpid()))
        assert not leftover.exists()
    leftover.write_bytes(b"half a model")
    unrelated = finished / "models" / "notes.tmp"
    unrelated.write_text("mine", encoding="utf-8")
    command(["run", "analyze"])
    assert not leftover.exists()
    assert unrelated.read_text(encoding="utf-8") == "mine"


@pytest.mark.skipif(not threads.CPU_TIMES.exists(), reason=skip_reason("no_proc_stat"))
def test_a_core_another_process_keeps_busy_is_counted():
    spinning = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)  # past the interpreter's start
        assert threads.busy_cores() >= 0.5
    finally:
        spinning.kill()
        spinning.wait()


@pytest.mark.skipif(not threads.CPU_TIMES.exists(), reason=skip_reason("no_proc_stat"))
def test_this_processs_own_work_is_not_counted_as_busy(monkeypatch):
    # Over the watch, the machine's two cores worked half their 20 ticks, all 10 of them this process's.
    ticks = iter([(1000, 2000), (1010, 2020)])
    own = iter([5.0, 5.0 + 10 / os.sysconf("SC_CLK_TCK")])
    monkeypatch.setattr(threads, "cpu_ticks", lambda: next(ticks))
    monkeypatch.setattr(threads, "own_cpu_seconds", lambda: next(own))
    monkeypatch.setattr(threads.os, "cpu_count", lambda: 2)
    assert threads.busy_cores() == pytest.approx(0.0, abs=0.05)


def test_numeric_threads_are_bounded_to_the_free_cores_unless_the_user_set_them(monkeypatch):
    monkeypatch.setattr(threads, "busy_cores", lambda: 64.0)
    assert threads.free_cores() == 1
    monkeypatch.setattr(threads, "busy_cores", lambda: 0.0)
    assert threads.free_cores() == threads.usable_cores()

    monkeypatch.setattr(threads, "busy_cores", lambda: 64.0)
    for name in threads.USER_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    assert threadpool_info(), "numpy and scikit-learn load their thread pools on import"
    with threads.bounded():
        assert {pool["num_threads"] for pool in threadpool_info()} == {1}
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    before = threadpool_info()
    with threads.bounded():
        assert threadpool_info() == before
