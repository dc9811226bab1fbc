"""Shared fixtures: a scratch copy of this project, in which each stage runs once per session when a test needs it."""

import os
import shutil
from pathlib import Path

import pytest

# One thread per test process, set before numpy loads: with parallel processes (pytest -n) or a
# busy CI runner, threads fighting over the cores made training many times slower.
os.environ.setdefault("OMP_NUM_THREADS", "1")
{%- if cookiecutter.tracking == "mlflow" %}
# The tests' runs go to each scratch project's own mlflow.db, never to a team's server; MLflow sends
# no usage data from them.
os.environ.pop("MLFLOW_TRACKING_URI", None)
os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
{%- endif %}

from {{ cookiecutter.module_name }}.kit import cli  # noqa: E402
from {{ cookiecutter.module_name }}.kit.cli import main  # noqa: E402
from {{ cookiecutter.module_name }}.kit.core import example_data, pipeline  # noqa: E402
from {{ cookiecutter.module_name }}.kit.core.files import LOCK_FILE, sha256  # noqa: E402
from {{ cookiecutter.module_name }}.kit.core.messages import messages_here  # noqa: E402
from {{ cookiecutter.module_name }}.kit.core.pipeline import Project  # noqa: E402
from {{ cookiecutter.module_name }}.kit.process.readiness import skip_reason  # noqa: E402

# Rows of the expenses example the tests use: enough to meet the requirement, quick to train on.
TEST_ROWS = 8000


@pytest.fixture(scope="session")
def project(tmp_path_factory):
    """This project's settings, documents and data in a scratch folder, so tests never touch yours."""
    source = Project.load()
    root = tmp_path_factory.mktemp("project")
    shutil.copy(source.root / "params.yaml", root / "params.yaml")
    shutil.copytree(source.root / "docs", root / "docs")
    scratch = Project.load(root)
    if scratch.data.example == "expenses":
        # Generated at test size, not copied: quick enough for every stage job in CI.
        rows = example_data.expenses(rows=TEST_ROWS, language=scratch.settings.project.language)
        scratch.write_rows(rows, scratch.raw_data)
    elif source.raw_data.exists():
        scratch.raw_data.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source.raw_data, scratch.raw_data)
    elif scratch.data.example == "none":
        pytest.skip(skip_reason("no_data_yet", path=scratch.data.path))
    return scratch


def run_stage(project, stage):
    """Run one stage on the scratch project and hand the project on to the next fixture."""
    pipeline.run(project, stage)
    return project


# One fixture per stage, each after the one before, so a stage's tests run only the stages they need.
@pytest.fixture(scope="session")
def analyzed(project):
    return run_stage(project, "analyze")


@pytest.fixture(scope="session")
def prepared(analyzed):
    return run_stage(analyzed, "prepare")


@pytest.fixture(scope="session")
def preprocessed(prepared):
    return run_stage(prepared, "preprocess")


@pytest.fixture(scope="session")
def trained(preprocessed):
    return run_stage(preprocessed, "train")


@pytest.fixture(scope="session")
def evaluated(trained):
    return run_stage(trained, "test")


@pytest.fixture()
def snapshot():
    """Every file under a folder with its digest: equal snapshots mean no file changed or was left behind."""

    def files_under(root):
        # The lock is no output: it tells a second command that one is running, and is empty between them.
        files = [path for path in sorted(root.rglob("*")) if path.is_file() and path.name != LOCK_FILE]
        return {path.relative_to(root): sha256(path) for path in files}

    return files_under


@pytest.fixture()
def finished(evaluated, tmp_path, monkeypatch):
    """A copy of the test project after a clean run of every stage, as the working folder, to change freely."""
    root = tmp_path / "project"
    shutil.copytree(evaluated.root, root)
    monkeypatch.chdir(root)
    return root


@pytest.fixture()
def copy_readmes():
    """Copy the stage READMEs into a scratch project: the checklist reads them beside the documents."""

    def copy(root):
        source = Path(__file__).resolve().parent
        for stage in pipeline.STAGES:
            readme = f"{pipeline.PACKAGE}/{stage}/README.md"
            (root / readme).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source / readme, root / readme)

    return copy


@pytest.fixture()
def command(capsys):
    """Run a command in this process and return what it printed. Another exit code than `expected` fails
    with what the command said, so a failing check shows its cause, not only two numbers."""

    def run(arguments, expected=0):
        capsys.readouterr()
        code = main(arguments)
        printed = capsys.readouterr()
        said = printed.err.strip() or printed.out.strip()[-500:] or "-"
        assert code == expected, f"`{' '.join(arguments)}` exited {code}, not {expected}; it said: {said}"
        return printed

    return run


@pytest.fixture()
def error_prefix():
    """How the message of every refused command starts, in the project's language."""
    return messages_here(cli.__file__)("error.refused", error="")


@pytest.fixture()
def refused(capsys, snapshot, error_prefix):
    """Run a command that must be refused: exit code 2, one message naming `expected`, no file changed.

    The message is one line, or a line per problem under a heading when the data or params.yaml has
    `problems` of them. Returns the message.
    """

    def check(root, command, expected, problems=1):
        before = snapshot(root)
        capsys.readouterr()
        code = main(command)
        message = capsys.readouterr().err
        assert code == 2, f"`{' '.join(command)}` exited {code}, not 2 (refused); it said: {message or '-'}"
        assert expected in message, message
        assert message.startswith(error_prefix), message
        if problems == 1:
            assert message.count("\n") == 1, message
        else:
            assert message.count("\n- ") == problems and message.count("\n") == problems + 1, message
        assert snapshot(root) == before
        return message

    return check
