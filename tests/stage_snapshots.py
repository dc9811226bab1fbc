"""A pytest plugin for the mutation tests: a stage the mutation cannot change is copied, not rerun.

Each stage reads only params.yaml and the files the stages before it wrote. So when a project
folder holds exactly what it held before a stage in an unmutated run, and the stage's code (with
everything it imports) is not mutated, the stage writes exactly what it wrote then. Loaded into a
baked project's pytest run with `-p stage_snapshots`, the plugin wraps the project's
`pipeline.run`:
- with SNAPSHOT_RECORD set, it saves each stage's folder before and after the stage;
- with SNAPSHOT_REUSE naming stages, it puts a saved "after" in place of running one of them,
  but only when the folder equals the saved "before" file for file; otherwise the stage runs.
  Each reused stage is written as a line to the file SNAPSHOT_LOG names.
"""

import hashlib
import importlib
import os
import shutil
from pathlib import Path


def state(root):
    """Every file under `root` with its digest."""
    return {
        path.relative_to(root): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def pytest_configure(config):
    folder = os.environ.get("SNAPSHOT_FOLDER")
    if not folder:
        return
    pipeline = importlib.import_module(f"{os.environ['SNAPSHOT_PACKAGE']}.kit.core.pipeline")
    record = bool(os.environ.get("SNAPSHOT_RECORD"))
    reusable = set(os.environ.get("SNAPSHOT_REUSE", "").split())
    run = pipeline.run

    def run_or_reuse(project, stage):
        saved = Path(folder) / stage
        if stage in reusable and (saved / "before").is_dir():
            before = state(saved / "before")
            if state(project.root) == before:
                for removed in before.keys() - state(saved / "after").keys():
                    (project.root / removed).unlink()
                shutil.copytree(saved / "after", project.root, dirs_exist_ok=True)
                with open(os.environ["SNAPSHOT_LOG"], "a", encoding="utf-8") as log:
                    log.write(f"{stage}\n")
                return [f"{stage}: the unmutated run's outputs, reused"]
        if record and not saved.exists():
            shutil.copytree(project.root, saved / "before")
            lines = run(project, stage)
            shutil.copytree(project.root, saved / "after")
            return lines
        return run(project, stage)

    pipeline.run = run_or_reuse
