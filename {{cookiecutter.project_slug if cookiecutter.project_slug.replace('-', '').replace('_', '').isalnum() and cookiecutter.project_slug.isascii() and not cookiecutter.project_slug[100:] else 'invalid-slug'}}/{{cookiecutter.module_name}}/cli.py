"""The project's command line: `python -m <package> <command>`."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from . import checklist, config, owners, pipeline, predict, value
from .data import DataError
from .markdown import MissingBlockError
from .models import UntrustedModelError
from .pipeline import STAGES, Project

# Errors that are the user's to fix: one message, no traceback.
USER_ERRORS = (
    config.ConfigError,
    DataError,
    MissingBlockError,
    pipeline.StageOrderError,
    UntrustedModelError,
)


def _run(arguments: argparse.Namespace) -> int:
    project = Project.load()
    stages = STAGES if arguments.stage == "all" else (arguments.stage,)
    for number, stage in enumerate(stages, start=1):
        print(f"[{number}/{len(stages)}] {stage}", flush=True)
        started = time.perf_counter()
        for line in pipeline.run(project, stage):
            print(f"  {line}")
        print(f"  done in {time.perf_counter() - started:.1f} s", flush=True)
    return 0


def _value(arguments: argparse.Namespace) -> int:
    for line in value.run(Project.load()):
        print(line)
    return 0


def _predict(arguments: argparse.Namespace) -> int:
    for line in predict.run(Project.load(), arguments.input, arguments.output):
        print(line)
    return 0
{% if cookiecutter.serving == "fastapi" %}

def _serve(arguments: argparse.Namespace) -> int:
    from . import serve  # imported here: the web stack is needed only by this command

    serve.serve(Project.load(), arguments.host, arguments.port)
    return 0
{% endif %}

def _owners(arguments: argparse.Namespace) -> int:
    root = config.find_root()
    changed = owners.update(root, check=arguments.check)
    names = ", ".join(str(path.relative_to(root)) for path in changed)
    if arguments.check:
        if changed:
            print(f"Out of date with params.yaml: {names}. Run: python -m {owners.PACKAGE} owners")
            return 1
        print("Owners are up to date everywhere.")
        return 0
    print(f"Updated: {names}." if changed else "Owners were already up to date everywhere.")
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
    if arguments.ci and not project.settings["gates"]["blocking"]:
        note = status.team.text(checklist.WORDS["warn_only"])
        if os.environ.get("GITHUB_ACTIONS") == "true":  # an annotation on the run's summary page
            print(f"::warning title=Gate {gate.stage}::{len(gate.unmet)} prerequisite(s) not met. {note}")
        else:
            print(f"warning: {note}", file=sys.stderr)
        return 0
    return 1


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(prog=f"python -m {__package__}", description=__doc__)
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
    return cli


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    try:
        return arguments.handler(arguments)
    except USER_ERRORS as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "interrupted: the stage that was running changed none of its outputs, and the stages before "
            "it finished; rerun to go on.",
            file=sys.stderr,
        )
        return 130
