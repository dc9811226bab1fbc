"""dvc.yaml follows the stage table: DVC runs the five stages in their order, each after the stages whose
files it reads, and every file a stage writes is one dvc.yaml declares, so `dvc repro` and `dvc checkout`
never leave a stage's outputs half from another version."""

from pathlib import Path

import pytest
import yaml
from dvc.repo import Repo
from dvc.stage import PipelineStage

from {{ cookiecutter.module_name }}.kit.core import versioning
from {{ cookiecutter.module_name }}.kit.core.pipeline import INPUTS, PRODUCED_BY, RAW, STAGES, Project

# DVC's own code warns of a call it deprecates; that is for DVC's maintainers, not this project.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_dvc_yaml_is_current(command):
    command(["dvc", "--check"])


def test_dvc_runs_each_stage_after_the_stages_whose_files_it_reads():
    # Read as DVC reads it, in a project that is not in git yet too.
    with Repo(str(Project.load().root), config={"core": {"no_scm": True}}) as repo:
        graph = repo.index.graph
        # dvc.yaml's stages; the raw data's .dvc file, once `dvc add` wrote it, is a stage without a name.
        stages = {stage.name: stage for stage in repo.index.stages if isinstance(stage, PipelineStage)}
        assert list(stages) == list(STAGES)
        for name, stage in stages.items():
            # DVC's graph points from a stage to the stages it depends on.
            after = {before.name for before in graph.successors(stage) if isinstance(before, PipelineStage)}
            assert after == {PRODUCED_BY[input] for input in INPUTS[name] if input != RAW}, name


def test_every_file_the_stages_write_is_declared_in_dvc_yaml(evaluated):
    declared = yaml.safe_load(versioning.pipeline_text(evaluated))["stages"]
    outs = [
        next(iter(out)) if isinstance(out, dict) else out
        for stage in declared.values()
        for out in stage["outs"]
    ]
    kept = [Path(path) for path in [*outs, *versioning.input_paths(evaluated, RAW)]]
    written = [
        path.relative_to(evaluated.root)
        for folder in ("data", "models", "reports")
        for path in (evaluated.root / folder).rglob("*")
        if path.is_file()
    ]
    undeclared = [
        str(path) for path in written if not any(path == out or out in path.parents for out in kept)
    ]
    assert not undeclared, undeclared
