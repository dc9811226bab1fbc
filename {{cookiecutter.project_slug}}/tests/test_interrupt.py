"""A stage that fails or is interrupted leaves the last good outputs, and a rerun gives a clean run's result."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import {{ cookiecutter.module_name }}
from {{ cookiecutter.module_name }}.kit import cli
from {{ cookiecutter.module_name }}.kit.cli import main
from {{ cookiecutter.module_name }}.kit.core.messages import messages_here
from {{ cookiecutter.module_name }}.prepare import stage as prepare_stage

interrupted = messages_here(cli.__file__)("error.interrupted")


def raising(error):
    """A stand-in for a stage's last step, failing as a stage can."""

    def fail(*arguments):
        raise error

    return fail


def test_an_interrupted_stage_keeps_every_previous_output_and_a_rerun_matches_a_clean_run(
    finished, monkeypatch, capsys, snapshot
):
    good = snapshot(finished)
    with monkeypatch.context() as patch:
        # Prepare's report is written last, after its three tables.
        patch.setattr(prepare_stage, "write_report", raising(KeyboardInterrupt()))
        assert main(["run", "prepare"]) == 130
    assert interrupted in capsys.readouterr().err
    assert snapshot(finished) == good

    assert main(["run", "prepare"]) == 0
    assert snapshot(finished) == good


def test_ctrl_c_during_training_leaves_the_last_good_model(finished, snapshot):
    good = snapshot(finished)
    package_root = Path({{ cookiecutter.module_name }}.__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(package_root)}
    process = subprocess.Popen(
        [sys.executable, "-m", "{{ cookiecutter.module_name }}", "run", "train"],
        cwd=finished,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in process.stdout:
        if line.startswith("  "):  # Train's first line, in any language: the search has begun
            process.send_signal(signal.SIGINT)
            break
    _, errors = process.communicate(timeout=120)
    assert process.returncode == 130, errors
    assert interrupted in errors
    assert snapshot(finished) == good
