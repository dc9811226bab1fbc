"""MLflow tracking: each Train and Test run kept as an MLflow run, and the current release as the model
registry's `champion` alias.

Runs go to the server MLFLOW_TRACKING_URI names, or else into mlflow.db in the project folder with their
files under mlruns/, so nothing has to run beside the project. Train's run logs the model as a
python_function model whose code (logged_model.py) opens model.skops with models.load: MLflow keeps the
skops file and its record, never a pickle. `promote` registers the released model and points the alias
at it, `rollback` points it back, and `serve --alias champion` answers with the model the alias names.

MLflow is imported only here and only when it is used: importing it takes seconds.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import re
import subprocess
import tempfile
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import PACKAGE
from . import models
from .files import sha256
from .records import Evaluation, ModelCard

if TYPE_CHECKING:
    from .pipeline import Project

DATABASE = "mlflow.db"
ARTIFACTS = "mlruns"
CHAMPION = "champion"
TRACKED = ("train", "test")
MODEL_CODE = Path(__file__).with_name("logged_model.py")
# The logged model's name within a run.
LOGGED_MODEL = "model"
# Tags that tie a Test run, and a registered version, to the Train run of the same model file.
STAGE_TAG = "stage"
MODEL_TAG = "model_sha256"
DATA_TAG = "training_data_fingerprint"
LOGGED_MODEL_TAG = "logged_model_uri"
RELEASE_TAG = "release"
COMMIT_TAG = "mlflow.source.git.commit"  # MLflow's own name for it, which its UI shows
# Parts of Test's metrics.json logged as metrics; the rest (rows, time spans) are in the logged report.
TEST_METRICS = ("value", "holdout", "baseline", "candidates", "slices", "feature_contributions")
MAX_PARAM_LENGTH = 6000  # MLflow refuses a longer parameter value


# MLflow's HTTP settings for the first request to a server: one that does not answer is said within
# seconds, where MLflow's own retries take minutes. A setting the team made in the environment stays.
FIRST_CONTACT = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "1",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "20",
}


class TrackingError(RuntimeError):
    """MLflow could not keep a run or move an alias."""


def tracking_uri(root: Path) -> str:
    """The team's server from MLFLOW_TRACKING_URI, or else the SQLite file in the project folder."""
    return os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{(root / DATABASE).as_posix()}"


@dataclass(frozen=True)
class Store:
    """MLflow connected to this project's runs: the module, a client and the project's experiment."""

    mlflow: Any
    client: Any
    experiment_id: str


@contextlib.contextmanager
def connected(project: Project, doing: str) -> Iterator[Store]:
    """MLflow pointed at this project's runs; an error of MLflow's is said with what was being done."""
    import mlflow
    from mlflow.exceptions import MlflowException

    # MLflow's own notes (creating tables, no pip in a uv environment, no signature) and progress bars
    # are about its internals; what a person needs is said in the project's language.
    logging.getLogger("mlflow").setLevel(logging.ERROR)
    os.environ["MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"] = "false"
    uri = tracking_uri(project.root)
    before = os.environ.get("MLFLOW_TRACKING_URI")
    say = project.messages(__file__)
    try:
        mlflow.set_tracking_uri(uri)
        with first_contact():
            experiment = mlflow.get_experiment_by_name(PACKAGE)
        if experiment is None:
            local = uri.startswith("sqlite:")  # a server keeps the files where it is set up to
            location = (project.root / ARTIFACTS).as_uri() if local else None
            experiment_id = mlflow.create_experiment(PACKAGE, artifact_location=location)
        else:
            experiment_id = experiment.experiment_id
        yield Store(mlflow, mlflow.MlflowClient(uri), experiment_id)
    except MlflowException as error:
        raise TrackingError(say("tracking.failed", doing=doing, uri=uri, error=error.message)) from None
    finally:  # MLflow puts the URI in the environment: the next project must not find it there
        mlflow.set_tracking_uri(before)  # type: ignore[arg-type]  # None unsets it


@contextlib.contextmanager
def first_contact() -> Iterator[None]:
    """FIRST_CONTACT's settings in the environment, where MLflow reads them, for as long as this lasts."""
    unset = [name for name in FIRST_CONTACT if name not in os.environ]
    os.environ.update({name: FIRST_CONTACT[name] for name in unset})
    try:
        yield
    finally:
        for name in unset:
            del os.environ[name]


def record(project: Project, stage: str, settings: dict[str, Any]) -> str:
    """Keep a Train or Test run that has just written its outputs as an MLflow run; say where."""
    say = project.messages(__file__)
    card = project.read(ModelCard, "model_card")
    tags = {
        STAGE_TAG: stage,
        MODEL_TAG: sha256(project.path("model")),
        DATA_TAG: card.training_data_fingerprint,
        **commit_tag(project.root),
    }
    if stage == "train":
        metrics = dict(numbers({"cv": card.model_dump(mode="json")["cross_validation"]}))
        metrics |= {"training_rows": card.training_rows}
    else:
        results = project.read(Evaluation, "metrics").model_dump(mode="json")
        metrics = dict(numbers({part: results[part] for part in TEST_METRICS}))
    with (
        connected(project, say(f"tracking.doing.{stage}")) as store,
        store.mlflow.start_run(experiment_id=store.experiment_id, run_name=stage, tags=tags) as run,
    ):
        store.mlflow.log_params(dict(parameters(settings)))
        store.mlflow.log_metrics(metrics)
        store.mlflow.log_artifacts(str(project.report_dir(stage)), artifact_path=f"reports/{stage}")
        if stage == "train":
            logged = log_model(store, project.path("model"), project.path("model_card"))
            store.mlflow.set_tag(LOGGED_MODEL_TAG, logged)
        else:
            store.mlflow.log_artifact(str(project.card(stage)), artifact_path="docs")
    return say("tracking.kept", stage=stage, run=run.info.run_id, uri=shown_uri(project.root))


def log_model(store: Store, model: Path, card: Path) -> str:
    """Log a model file with its card as a python_function model in the active run; return its URI.

    MLflow keeps each file under its own name, the names models.load reads (a release keeps them too).
    The package goes with it (its model types live there), and the project's dependencies are its
    requirements.
    """
    info = store.mlflow.pyfunc.log_model(
        name=LOGGED_MODEL,
        python_model=str(MODEL_CODE),
        artifacts={"model": str(model), "model_card": str(card)},
        code_paths=[str(Path(__file__).parents[2])],
        pip_requirements=requirements(),
    )
    return str(info.model_uri)


def point_alias(project: Project, version: str, model: Path, card: Path, action: str) -> str:
    """Point the `champion` alias at the registered model of a release, registering it first if needed:
    the model its Train run logged, or else the release's own files, logged now. `action` is the
    command that moves it: promote or rollback."""
    say = project.messages(__file__)
    with connected(project, say(f"tracking.doing.{action}")) as store:
        registered = registered_version(store, version)
        if registered is None:
            logged = logged_model_of(store, sha256(model))
            if logged is None:
                with store.mlflow.start_run(experiment_id=store.experiment_id, run_name="promote"):
                    logged = log_model(store, model, card)
            with contextlib.redirect_stderr(io.StringIO()):  # MLflow prints its own English lines here
                registered = store.mlflow.register_model(logged, PACKAGE, tags={RELEASE_TAG: version})
        store.client.set_registered_model_alias(PACKAGE, CHAMPION, registered.version)
    number = registered.version
    return say("tracking.alias_moved", alias=CHAMPION, name=PACKAGE, number=number, version=version)


def registered_version(store: Store, version: str) -> Any:
    """The registered model version of a release, if it was registered before."""
    found = store.client.search_model_versions(f"name = '{PACKAGE}'")
    return next((entry for entry in found if entry.tags.get(RELEASE_TAG) == version), None)


def logged_model_of(store: Store, digest: str) -> str | None:
    """The URI of the model the newest Train run of a model file logged; None if no Train run did."""
    runs = store.client.search_runs(
        [store.experiment_id],
        f"tags.{STAGE_TAG} = 'train' and tags.{MODEL_TAG} = '{digest}'",
        order_by=["attributes.start_time DESC"],
        max_results=1,
    )
    return runs[0].data.tags.get(LOGGED_MODEL_TAG) if runs else None


def load_alias(project: Project, alias: str) -> tuple[Any, ModelCard, str]:
    """The model a registry alias names, checked as models.load checks every model, with its card and
    release version."""
    say = project.messages(__file__)
    doing = say("tracking.doing.serve", alias=alias)
    with connected(project, doing) as store, tempfile.TemporaryDirectory() as folder:
        registered = store.client.get_model_version_by_alias(PACKAGE, alias)
        uri = f"models:/{PACKAGE}@{alias}"
        files = Path(store.mlflow.artifacts.download_artifacts(uri, dst_path=folder)) / "artifacts"
        model = models.load(files / project.path("model").name)
        card = ModelCard.read(files / project.path("model_card").name, project.settings.project.language)
    return model, card, registered.tags.get(RELEASE_TAG, registered.version)


def dotted(prefix: str, key: Any) -> str:
    """A metric's or parameter's name one level down, as MLflow allows names: a class, segment or column
    may be named anything, and other characters than letters, digits, `_`, `-` and spaces become `_`."""
    name = re.sub(r"[^\w\- ]", "_", str(key)) or "_"
    return f"{prefix}.{name}" if prefix else name


def named(mapping: dict[Any, Any], prefix: str) -> Iterator[tuple[str, Any]]:
    """Each entry with its dotted name; two keys that become the same name (`a/b`, `a_b`) are told apart by
    a number (`a_b`, `a_b_2`), so that neither value is lost."""
    taken: set[str] = set()
    for key, value in mapping.items():
        name = first = dotted(prefix, key)
        number = 1
        while name in taken:
            number += 1
            name = f"{first}_{number}"
        taken.add(name)
        yield name, value


def numbers(value: Any, prefix: str = "") -> Iterator[tuple[str, float]]:
    """Every number in nested mappings, by its dotted path; lists are left out. A true or false check
    counts as 1 or 0."""
    if isinstance(value, dict):
        for name, inner in named(value, prefix):
            yield from numbers(inner, name)
    elif isinstance(value, bool | int | float) and prefix:
        yield prefix, float(value)


def parameters(settings: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    """The settings a stage read, one parameter per setting, named as in params.yaml (`split.seed`)."""
    for name, value in named(settings, prefix):
        if isinstance(value, dict) and value:
            yield from parameters(value, name)
        else:
            yield name, json.dumps(value, ensure_ascii=False)[:MAX_PARAM_LENGTH]


def commit_tag(root: Path) -> dict[str, str]:
    """The git commit the project is at, when it is a git repository."""
    try:
        found = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=False
        )
    except OSError:  # no git on this machine
        return {}
    return {COMMIT_TAG: found.stdout.strip()} if found.returncode == 0 else {}


def requirements() -> list[str]:
    """The project's own dependencies, which the logged model needs to load: from the pyproject.toml
    beside the package's folder."""
    with (Path(__file__).parents[3] / "pyproject.toml").open("rb") as file:
        return list(tomllib.load(file)["project"]["dependencies"])


def shown_uri(root: Path) -> str:
    """Where the runs are, as a person reads it: the server's address, or the database file's name."""
    return os.environ.get("MLFLOW_TRACKING_URI") or DATABASE
