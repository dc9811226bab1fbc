"""The project's command line: `python -m <package> <command>`."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from .core import config, pipeline, threads
from .core.conflicts import UnmergedError
from .core.data import DataError
from .core.files import ProjectBusyError, exclusive
from .core.messages import messages_beside, messages_here
from .core.models import UntrustedModelError
from .core.pipeline import PACKAGE, STAGES, Project
from .core.records import RecordError
from .operations import benchmark, monitor, predict, releases
from .process import checklist, owners, readiness, value
from .reports.markdown import MissingBlockError

# Errors that are the user's to fix: one message, no traceback.
USER_ERRORS = (
    benchmark.BaselineError,
    config.ConfigError,
    DataError,
    MissingBlockError,
    ProjectBusyError,
    pipeline.StageOrderError,
    readiness.ReadinessError,
    RecordError,
    releases.ReleaseError,
    UnmergedError,
    UntrustedModelError,
)


def _run(arguments: argparse.Namespace) -> int:
    project = Project.load()
    say = project.messages(__file__)
    stages = STAGES if arguments.stage == "all" else (arguments.stage,)
    for number, stage in enumerate(stages, start=1):
        print(say("run.stage", number=number, count=len(stages), stage=stage), flush=True)
        started = time.perf_counter()
        for line in pipeline.run(project, stage):
            print(f"  {line}")
        print(say("run.done", seconds=time.perf_counter() - started), flush=True)
    return 0


def _value(arguments: argparse.Namespace) -> int:
    for line in value.run(Project.load()):
        print(line)
    return 0


def _predict(arguments: argparse.Namespace) -> int:
    for line in predict.run(Project.load(), arguments.input, arguments.output):
        print(line)
    return 0


def _trace(arguments: argparse.Namespace) -> int:
    for line in predict.run_trace(Project.load(), arguments.input, arguments.row):
        print(line)
    return 0
{% if cookiecutter.serving == "fastapi" %}

def _serve(arguments: argparse.Namespace) -> int:
    from .operations import serve  # imported here: the web stack is needed only by this command

    serve.serve(Project.load(), arguments.host, arguments.port)
    return 0
{% endif %}

def _owners(arguments: argparse.Namespace) -> int:
    root = config.find_root()
    say = messages_beside(__file__, config.load(root).project.language)
    changed = owners.update(root, check=arguments.check)
    names = ", ".join(str(path.relative_to(root)) for path in changed)
    if arguments.check:
        if changed:
            print(say("owners.out_of_date", files=names))
            return 1
        print(say("owners.up_to_date"))
        return 0
    print(say("owners.updated", files=names) if changed else say("owners.already_up_to_date"))
    return 0


def _schema(arguments: argparse.Namespace) -> int:
    root = config.find_root()
    say = messages_here(__file__)  # not params.yaml's: editors show what is wrong in it by the schema
    if arguments.check:
        if (root / config.SCHEMA_FILE).read_text(encoding="utf-8") != config.schema_text():
            print(say("schema.out_of_date", file=config.SCHEMA_FILE))
            return 1
        print(say("schema.up_to_date", file=config.SCHEMA_FILE))
        return 0
    changed = config.write_schema(root)
    written = say("schema.written", file=config.SCHEMA_FILE)
    print(written if changed else say("schema.already_up_to_date", file=config.SCHEMA_FILE))
    return 0


def _checklist(arguments: argparse.Namespace) -> int:
    project = Project.load()
    status = checklist.Status.read(project)
    if arguments.gate is None:
        print(checklist.REPORT_FORMATS[arguments.format](checklist.report(status), status.team), end="")
        return 0
    gate = checklist.gate(status, arguments.gate)
    print(checklist.GATE_FORMATS[arguments.format](gate, status.team), end="")
    if gate.met:
        return 0
    if arguments.ci and not project.settings.gates.blocking:
        say = project.messages(__file__)
        note = say("gate.warn_only")
        if os.environ.get("GITHUB_ACTIONS") == "true":  # an annotation on the run's summary page
            title = say("gate.title", stage=gate.stage)
            print(f"::warning title={title}::{say('gate.not_met', count=len(gate.unmet), note=note)}")
        else:
            print(say("gate.warning", note=note), file=sys.stderr)
        return 0
    return 1


def _readiness(arguments: argparse.Namespace) -> int:
    project = Project.load()
    result = readiness.score(project, readiness.read_or_run(project, arguments.results))
    print(readiness.FORMATS[arguments.format](result, project.settings.project.language), end="")
    return 0 if result.met else 1


def _monitor(arguments: argparse.Namespace) -> int:
    project = Project.load()
    record = monitor.run(project, arguments.labelled)
    for line in monitor.summary(record, project):
        print(line)
    return 0 if record["meets_requirement"] else 1


def _benchmark(arguments: argparse.Namespace) -> int:
    lines, held = benchmark.run(Project.load(), save=arguments.save)
    for line in lines:
        print(line)
    return 0 if held else 1


def _change_release(arguments: argparse.Namespace) -> int:
    for line in arguments.change(Project.load()):
        print(line)
    return 0


def _releases(arguments: argparse.Namespace) -> int:
    project = Project.load()
    if arguments.check_age:
        young_enough, line = releases.check_age(project)
        print(line)
        return 0 if young_enough else 1
    for line in releases.listing(project):
        print(line)
    return 0


# Commands that write stage outputs, reports or releases: one at a time per project.
WRITE_OUTPUTS = ("run", "value", "monitor", "benchmark", "promote", "rollback")


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(prog=f"python -m {PACKAGE}", description=__doc__)
    commands = cli.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run one stage, or all of them in order")
    run.add_argument("stage", choices=[*STAGES, "all"])
    run.set_defaults(handler=_run)

    value_command = commands.add_parser("value", help="compute the value of ML and its payback period")
    value_command.set_defaults(handler=_value)

    predict_command = commands.add_parser("predict", help="predict for the rows of a CSV or Parquet file")
    predict_command.add_argument("--input", type=Path, required=True, help="rows to predict for")
    predict_command.add_argument("--output", type=Path, required=True, help="where to write the predictions")
    predict_command.set_defaults(handler=_predict)
    trace_command = commands.add_parser(
        "trace", help="show one row's way through the input checks, the preprocessing and the model"
    )
    trace_command.add_argument("--input", type=Path, required=True, help="a CSV or Parquet file of rows")
    trace_command.add_argument("--row", type=int, required=True, help="the row to trace, counting from 0")
    trace_command.set_defaults(handler=_trace)
{% if cookiecutter.serving == "fastapi" %}
    serve_command = commands.add_parser("serve", help="serve predictions over HTTP until stopped with Ctrl+C")
    serve_command.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: this machine only)"
    )
    serve_command.add_argument("--port", type=int, default=8000)
    serve_command.set_defaults(handler=_serve)
{% endif %}
    owners_command = commands.add_parser(
        "owners", help="write the owners from params.yaml into the roles page, CODEOWNERS and every document"
    )
    owners_command.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if a file is out of date"
    )
    owners_command.set_defaults(handler=_owners)
    schema_command = commands.add_parser(
        "schema", help=f"write {config.SCHEMA_FILE}, by which editors complete and check params.yaml"
    )
    schema_command.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if the file is out of date"
    )
    schema_command.set_defaults(handler=_schema)
    checklist_command = commands.add_parser(
        "checklist",
        help="show checklist progress, open items and their owners per stage; check a stage's gate",
    )
    checklist_command.add_argument(
        "--gate",
        choices=STAGES,
        help="exit 1 unless the prerequisites of this stage (and the ones before) are met",
    )
    checklist_command.add_argument(
        "--ci",
        action="store_true",
        help="with --gate: exit 1 only when gates.blocking is true in params.yaml, otherwise warn",
    )
    checklist_command.add_argument("--format", choices=checklist.REPORT_FORMATS, default="text")
    checklist_command.set_defaults(handler=_checklist)
    readiness_command = commands.add_parser(
        "readiness",
        help="score the ML Test Score from a run of the mapped tests; exit 1 if the readiness gate fails",
    )
    readiness_command.add_argument(
        "--results", type=Path, help="read a pytest --junitxml file instead of running the tests"
    )
    readiness_command.add_argument("--format", choices=readiness.FORMATS, default="text")
    readiness_command.set_defaults(handler=_readiness)
    monitor_command = commands.add_parser(
        "monitor", help="score the model on newly labelled rows; exit 1 if it falls below the requirement"
    )
    monitor_command.add_argument(
        "--labelled",
        type=Path,
        required=True,
        help="CSV or Parquet rows with the model's columns and the target",
    )
    monitor_command.set_defaults(handler=_monitor)
    benchmark_command = commands.add_parser(
        "benchmark",
        help="compare training time, memory and prediction speed with the stored baseline; exit 1 if worse",
    )
    benchmark_command.add_argument(
        "--save", action="store_true", help=f"store this run's figures as the baseline, {benchmark.BASELINE}"
    )
    benchmark_command.set_defaults(handler=_benchmark)
    promote_command = commands.add_parser(
        "promote", help="make the trained model the served release, if the Test stage passed it"
    )
    promote_command.set_defaults(handler=_change_release, change=releases.promote)
    rollback_command = commands.add_parser("rollback", help="serve the release promoted before this one")
    rollback_command.set_defaults(handler=_change_release, change=releases.rollback)
    releases_command = commands.add_parser("releases", help="list the releases and which one is served")
    releases_command.add_argument(
        "--check-age",
        action="store_true",
        help="exit 1 if the served model is older than monitoring.max_model_age_days",
    )
    releases_command.set_defaults(handler=_releases)
    return cli


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    say = messages_here(__file__)
    try:
        with threads.bounded():
            if arguments.command not in WRITE_OUTPUTS:
                return arguments.handler(arguments)
            with exclusive(config.find_root()):
                return arguments.handler(arguments)
    except USER_ERRORS as error:
        print(say("error.refused", error=error), file=sys.stderr)
        return 2
    except OSError as error:
        if error.filename is None:  # not about a file the user can fix
            raise
        known = f"error.reason.{type(error).__name__}"  # the system's own words are English everywhere
        reason = say(known) if known in say.keys("error.reason.") else error.strerror
        problem = say("error.file", file=error.filename, reason=reason)
        print(say("error.refused", error=problem), file=sys.stderr)
        return 2
    except predict.UnstableModelError as error:  # the model's fault, not the input's: not a usage error
        print(say("error.refused", error=error), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(say("error.interrupted"), file=sys.stderr)
        return 130
