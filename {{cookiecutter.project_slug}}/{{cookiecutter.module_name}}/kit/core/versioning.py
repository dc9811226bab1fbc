"""The stage table of pipeline.py written as DVC's pipeline file, dvc.yaml.

`dvc repro` then runs a stage only when its code, a setting it reads or a file it reads changed
since its last run, and keeps each version of the data and models in DVC's cache. The file is
written from the same table the `run` command follows, so the two cannot disagree; the project's
tests check that it is current.
"""

from __future__ import annotations

import glob
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from .. import PACKAGE
from .files import write_text
from .models import record_of
from .pipeline import CARDS, INPUTS, OUTPUTS, PRODUCED_BY, RAW, SETTINGS_READ, SHOWN_ONLY, STAGES, Project

DVC_FILE = "dvc.yaml"
# The code every stage runs besides its own folder; .dvcignore leaves out tests, READMEs and caches.
SHARED_CODE = ("kit/core", "kit/reports", "modelling.py")
# The stages whose reports hold figures, which `dvc plots show` puts side by side.
FIGURE_STAGES = ("analyze", "train", "test")
# The comment at the top of dvc.yaml, a message per line.
HEADER = ("written_by", "rewrite", "repro")


def pipeline_text(project: Project) -> str:
    """dvc.yaml as the stage table and params.yaml give it, under a comment that says how it is made."""
    say = project.messages(__file__)
    comment = "".join(f"# {say(f'versioning.{line}', file=DVC_FILE)}\n" for line in HEADER)
    pipeline = {
        "stages": {stage: stage_entry(project, stage) for stage in STAGES},
        "metrics": [OUTPUTS["metrics"]],
        "plots": [f"{report_folder(project, stage)}/figures" for stage in FIGURE_STAGES],
    }
    return comment + yaml.safe_dump(pipeline, sort_keys=False, allow_unicode=True, width=120)


def write_pipeline(project: Project) -> bool:
    """Write dvc.yaml; return whether it changed."""
    return write_text(project.root / DVC_FILE, pipeline_text(project))


def is_current(project: Project) -> bool:
    path = project.root / DVC_FILE
    return path.is_file() and path.read_text(encoding="utf-8") == pipeline_text(project)


def stage_entry(project: Project, stage: str) -> dict[str, Any]:
    """One stage: the command, what it reads (files, code, settings) and what it writes."""
    report = report_folder(project, stage)
    deps = with_records([path for name in INPUTS[stage] for path in input_paths(project, name)])
    deps += [f"{PACKAGE}/{stage}", *(f"{PACKAGE}/{part}" for part in SHARED_CODE)]
    # Files the next stages read are cached; a report folder and a card stay in git, and a card is
    # never deleted before its stage runs, as people write most of it.
    outs: list[Any] = with_records(
        [
            path
            for name, path in OUTPUTS.items()
            if PRODUCED_BY[name] == stage and not path.startswith(f"{report}/")
        ]
    )
    outs.append({report: {"cache": False}})
    if stage in CARDS:
        outs.append({CARDS[stage]: {"cache": False, "persist": True}})
    return {
        "cmd": f"python -m {PACKAGE} run {stage}",
        "deps": deps,
        "params": [key for read in SETTINGS_READ[stage] for key in params_keys(project, read)],
        "outs": outs,
    }


def with_records(paths: list[str]) -> list[str]:
    """`paths` with the record beside each model file, without which the model file does not load."""
    records = [record_of(Path(path)).as_posix() for path in paths if path.endswith(".skops")]
    return paths + [record for record in records if record not in paths]


def report_folder(project: Project, stage: str) -> str:
    return project.report_dir(stage).relative_to(project.root).as_posix()


def input_paths(project: Project, name: str) -> list[str]:
    """Where an input lives for DVC: a stage output, or the raw data (a folder for a glob of files; none
    for a Spark table, whose versions DVC cannot see)."""
    if name != RAW:
        return [OUTPUTS[name]]
    if project.on_spark and project.settings.spark.table:
        return []
    parts = PurePosixPath(project.data.path).parts
    fixed = parts[: next((i for i, part in enumerate(parts) if glob.has_magic(part)), len(parts))]
    return [str(PurePosixPath(*fixed))] if fixed else []


def params_keys(project: Project, key: str) -> list[str]:
    """The params.yaml keys DVC watches for a setting a stage reads: the keys written in params.yaml (DVC
    refuses a key the file does not have), without those only people read (data.labels)."""
    section, _, part = key.partition(".")
    if section not in project.settings.model_fields_set:
        return []
    written = getattr(project.settings, section).model_fields_set
    if part:
        return [key] if part in written else []
    shown_only = {name for owner, name in SHOWN_ONLY if owner == section}
    if not shown_only:
        return [section]
    fields = type(getattr(project.settings, section)).model_fields
    return [f"{section}.{name}" for name in fields if name in written and name not in shown_only]
