"""With data_versioning=dvc, DVC runs the stages from dvc.yaml as a team would: the first `dvc repro`
runs all five, a second runs none, a changed Prepare setting reruns Prepare and what follows, and
`dvc metrics diff` compares the Test stage's metrics with the last commit's."""

import json
import os
import re
import subprocess

import pytest
import yaml
from conftest import TOOLS, bake, read, run

STAGES = ["analyze", "prepare", "preprocess", "train", "test"]

# Git's identity and settings for the commits DVC records versions in, the same on every machine.
GIT = ["git", "-c", "user.name=Team", "-c", "user.email=team@example.com", "-c", "init.defaultBranch=main"]


def git(root, *arguments):
    result = subprocess.run([*GIT, *arguments], cwd=root, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def dvc(root, *arguments):
    # As `uv run dvc` runs it: the stages' commands find this environment's python first.
    result = run(["-m", "dvc", *arguments], root, PATH=f"{TOOLS}{os.pathsep}{os.environ['PATH']}")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def stages_run(output):
    return re.findall(r"Running stage '(\w+)'", output)


@pytest.mark.slow
def test_dvc_repro_reruns_only_what_changed_and_diffs_the_metrics(cookies):
    root = bake(cookies, data_versioning="dvc")
    git(root, "init", "-q")
    blank_card = read(root, "docs/model-card.md")
    made = run(["-m", "expense_classifier", "raw-data"], root)
    assert made.returncode == 0, made.stderr
    dvc(root, "add", "-q", "data/raw/expenses.csv")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "New project and its raw data")
    assert (root / "data/raw/expenses.csv.dvc").is_file()

    assert stages_run(dvc(root, "repro")) == STAGES
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "First run")
    assert stages_run(dvc(root, "repro")) == []
    # The project's own DVC checks hold in git, with the raw data's .dvc file beside dvc.yaml.
    checked = run(["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_dvc.py"], root)
    assert checked.returncode == 0, checked.stdout[-3000:]

    params = read(root, "params.yaml")
    assert params.count("  drop_duplicates: true") == 1
    (root / "params.yaml").write_text(params.replace("  drop_duplicates: true", "  drop_duplicates: false"))
    assert stages_run(dvc(root, "repro")) == STAGES[1:]

    diff = json.loads(dvc(root, "metrics", "diff", "--json"))["reports/test/metrics.json"]
    # The example has duplicate rows: keeping them changes the holdout, and so its size.
    assert diff["holdout_rows"]["diff"] > 0
    assert {"old", "new"} <= diff["holdout.f1"].keys()
    # The model card stays in git, filled by the Test stage; DVC keeps every model in its cache.
    assert read(root, "docs/model-card.md") != blank_card
    lock = yaml.safe_load(read(root, "dvc.lock"))
    (model,) = [out for out in lock["stages"]["train"]["outs"] if out["path"] == "models/model.skops"]
    assert (root / ".dvc/cache/files/md5" / model["md5"][:2] / model["md5"][2:]).is_file()
