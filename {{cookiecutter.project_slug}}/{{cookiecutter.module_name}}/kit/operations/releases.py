"""Releases: the model the service answers with, promoted only through the Test stage's quality gate.

models/model.skops is the latest trained model. `promote` copies it with its card and its Test
results into models/releases/<version>/ once they pass the gate, and makes it the current release;
`rollback` points back to the release before, without retraining. Releases live under models/,
which git ignores like every model file: they are rebuilt from code and data, and kept where the
service runs.{% if cookiecutter.tracking == "mlflow" %} Both also move the MLflow model registry's `champion` alias (tracking.py).{% endif %}
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..core import models{% if cookiecutter.tracking == "mlflow" %}, tracking{% endif %}
from ..core.files import all_or_nothing, replacing, sha256, write_json
from ..core.messages import Messages, messages_beside
from ..core.pipeline import OUTPUTS, STAGES, Project
from ..core.records import Evaluation, ModelCard

RELEASES = "models/releases"
HISTORY = f"{RELEASES}/history.json"
# The stage outputs a release keeps: the model, what it takes to serve it, and what Test measured.
RELEASED = ("model", "model_card", "metrics")
VERSION_DIGITS = 12


class ReleaseError(RuntimeError):
    """A model may not be promoted, or there is no release to go back to."""


def model_version(path: Path) -> str:
    """The first hex digits of the model file's SHA-256: a new model is a new version."""
    return sha256(path)[:VERSION_DIGITS]


@dataclass(frozen=True)
class ModelFiles:
    """A model with its card, as trained or as released; `language` is the one a refused card is told in."""

    model: Path
    card: Path
    version: str
    release: bool
    language: str

    def read_card(self) -> ModelCard:
        return ModelCard.read(self.card, self.language)

    def load(self) -> tuple[Any, ModelCard, str]:
        """The model, checked against its card (see models.load), with the card and the version."""
        say = messages_beside(__file__, self.language)
        fix = say("refused.release_broken_fix", retrain=say("releases.retrain")) if self.release else None
        return models.load(self.model, fix), self.read_card(), self.version


def trained_files(project: Project) -> ModelFiles:
    """The latest trained model, released or not: the one the Test stage checks."""
    project.require("model", "model_card")
    model = project.path("model")
    language = project.settings.project.language
    return ModelFiles(
        model, project.path("model_card"), model_version(model), release=False, language=language
    )


def served_files(project: Project) -> ModelFiles:
    """The current release; before the first promotion, the trained model, so `run all` then `serve` works."""
    version = read_history(project)["current"]
    if version is None:
        return trained_files(project)
    folder = release_folder(project, version)
    if not folder.is_dir():
        say = project.messages(__file__)
        shown = folder.relative_to(project.root)
        raise ReleaseError(say("refused.release_missing", folder=shown, retrain=say("releases.retrain")))
    model, card = released(folder, "model"), released(folder, "model_card")
    return ModelFiles(model, card, version, release=True, language=project.settings.project.language)


def served(project: Project) -> tuple[Any, ModelCard, str]:
    """The model the service answers with, its card and its version."""
    return served_files(project).load()


def release_folder(project: Project, version: str) -> Path:
    return project.root / RELEASES / version


def released(folder: Path, name: str) -> Path:
    """Where a release keeps a stage output: under the output's own file name."""
    return folder / Path(OUTPUTS[name]).name


def read_history(project: Project) -> dict[str, Any]:
    """The current release and every promoted one, oldest first."""
    path = project.root / HISTORY
    if not path.is_file():
        return {"current": None, "releases": []}
    return json.loads(path.read_text(encoding="utf-8"))


def gate_failures(results: Evaluation, say: Messages) -> list[str]:
    """Why the Test stage's results keep the model from serving."""
    verdict = results.value
    checks = [
        (
            verdict.meets_requirement,
            say(
                "refused.gate.misses_requirement",
                requirement=results.requirement,
                metric=results.metric,
                primary=verdict.primary,
            ),
        ),
        (verdict.beats_baseline, say("refused.gate.below_baseline")),
        (verdict.no_simpler_model_is_better, say("refused.gate.simpler_is_better")),
    ]
    return [reason for passed, reason in checks if not passed]


def promote(project: Project) -> list[str]:
    """Make the trained model the current release if the Test stage passed it; write all or nothing."""
    project.require(*RELEASED)
    models.load(project.path("model"))  # only a model file the train stage wrote, which loads, is released
    project.read(ModelCard, "model_card")  # with a card that serving can read
    version = model_version(project.path("model"))
    results = project.read(Evaluation, "metrics")
    say = project.messages(__file__)
    if results.model_version != version:
        raise ReleaseError(
            say("refused.not_tested", metrics=OUTPUTS["metrics"], model=OUTPUTS["model"], version=version)
        )
    project.require_current(*STAGES)  # the Test stage's verdict holds for the data and settings it was given
    failures = gate_failures(results, say)
    if failures:
        reasons = say("refused.gate.separator").join(failures)
        raise ReleaseError(say("refused.not_promoted", version=version, failures=reasons))
    history = read_history(project)
    folder = release_folder(project, version)
    if history["current"] == version and holds_the_trained_files(project, folder):
{%- if cookiecutter.tracking == "mlflow" %}
        return [say("releases.already_current", version=version), champion(project, version, folder)]
{%- else %}
        return [say("releases.already_current", version=version)]
{%- endif %}
    entry = {
        "version": version,
        "promoted_at": now().isoformat(timespec="seconds"),
        "metric": results.metric,
        "primary": results.value.primary,
    }
    others = [release for release in history["releases"] if release["version"] != version]
    with all_or_nothing():
        for name in RELEASED:
            with replacing(released(folder, name)) as temporary:
                shutil.copyfile(project.path(name), temporary)
        write_json(project.root / HISTORY, {"current": version, "releases": [*others, entry]})
    return [
        say(
            "releases.promoted",
            version=version,
            metric=entry["metric"],
            primary=entry["primary"],
            folder=f"{RELEASES}/{version}/",
        ),
{%- if cookiecutter.tracking == "mlflow" %}
        champion(project, version, folder),
{%- endif %}
        say("releases.served_from_next_start"),
    ]
{%- if cookiecutter.tracking == "mlflow" %}


def champion(project: Project, version: str, folder: Path, action: str = "promote") -> str:
    """Point the registry's `champion` alias at a release, from the files in its folder."""
    model, card = released(folder, "model"), released(folder, "model_card")
    return tracking.point_alias(project, version, model, card, action)
{%- endif %}


def holds_the_trained_files(project: Project, folder: Path) -> bool:
    """Whether a release folder holds the trained files as they are: if one changed, promoting copies them again."""
    return all(
        released(folder, name).is_file() and sha256(released(folder, name)) == sha256(project.path(name))
        for name in RELEASED
    )


def rollback(project: Project) -> list[str]:
    """Make the release promoted before the current one current again: no retraining, only the pointer."""
    history = read_history(project)
    current = history["current"]
    say = project.messages(__file__)
    if current is None:
        raise ReleaseError(say("refused.nothing_to_roll_back"))
    versions = [release["version"] for release in history["releases"]]
    position = versions.index(current)
    if position == 0:
        raise ReleaseError(say("refused.first_release", version=current))
    previous = versions[position - 1]
{%- if cookiecutter.tracking == "mlflow" %}
    # The alias first: if MLflow cannot move it, the release stays as it was.
    moved = champion(project, previous, release_folder(project, previous), "rollback")
{%- endif %}
    write_json(project.root / HISTORY, {**history, "current": previous})
    return [
        say("releases.rolled_back", current=current, previous=previous),
{%- if cookiecutter.tracking == "mlflow" %}
        moved,
{%- endif %}
        say("releases.served_from_next_start"),
    ]


def now() -> datetime:
    return datetime.now(UTC)


def age_days(card: ModelCard) -> float | None:
    """Days since the model was trained, from its card; None when the card does not say."""
    if card.trained_at is None:
        return None
    trained_at = datetime.fromisoformat(card.trained_at)
    if trained_at.tzinfo is None:
        trained_at = trained_at.replace(tzinfo=UTC)
    return (now() - trained_at).total_seconds() / 86400


def check_age(project: Project) -> tuple[bool, str]:
    """Whether the served model is within monitoring.max_model_age_days, and a line that says so."""
    files = served_files(project)
    limit = project.settings.monitoring.max_model_age_days
    age = age_days(files.read_card())
    say = project.messages(__file__)
    retrain = say("releases.retrain")
    if age is None:
        return False, say("releases.age.unknown", version=files.version, retrain=retrain)
    if age > limit:
        return False, say(
            "releases.age.over_limit", version=files.version, age=age, limit=limit, retrain=retrain
        )
    return True, say("releases.age.within_limit", version=files.version, age=age, limit=limit)


def listing(project: Project) -> list[str]:
    """Every release, oldest first: when it was promoted, its primary metric, its age, which is current."""
    history = read_history(project)
    say = project.messages(__file__)
    if not history["releases"]:
        return [say("releases.listing.none")]
    lines = [say("releases.listing.header")]
    for release in history["releases"]:
        card = released(release_folder(project, release["version"]), "model_card")
        age = age_days(ModelCard.read(card, project.settings.project.language)) if card.is_file() else None
        marker = "*" if release["version"] == history["current"] else " "
        score = f"{release['metric']} {release['primary']:.3f}"
        shown_age = say("releases.listing.unknown_age") if age is None else f"{age:.1f}"
        lines.append(f"{marker} {release['version']}  {release['promoted_at']:<25}  {score:<14}  {shown_age}")
    return [*lines, say("releases.listing.current")]
