"""The project's command line: `python -m <package> <command>`."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any, NoReturn

from .core import config, pipeline, spark, threads{% if cookiecutter.data_versioning == "dvc" %}, versioning{% endif %}
from .core.conflicts import UnmergedError
from .core.data import DataError
from .core.files import ProjectBusyError, exclusive
from .core.messages import messages_beside, messages_here
from .core.models import UntrustedModelError
from .core.pipeline import PACKAGE, STAGES, Project
from .core.records import RecordError
{%- if cookiecutter.tracking == "mlflow" %}
from .core.tracking import TrackingError
{%- endif %}
from .operations import benchmark, monitor, predict, releases
from .process import checklist, example_answers, owners, readiness, review, review_pack, value
from .reports.markdown import MissingBlockError

# Errors that are the user's to fix: one message, no traceback.
USER_ERRORS = (
    benchmark.BaselineError,
    config.ConfigError,
    DataError,
    MissingBlockError,
    ProjectBusyError,
    pipeline.StageOrderError,
    spark.EngineError,
{%- if cookiecutter.tracking == "mlflow" %}
    TrackingError,
{%- endif %}
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
        warning = checklist.before_run(project, stage)
        if warning:
            print(f"  {warning}", flush=True)
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
{% if cookiecutter.tracking == "mlflow" %}
    serve.serve(Project.load(), arguments.host, arguments.port, arguments.alias)
{%- else %}
    serve.serve(Project.load(), arguments.host, arguments.port)
{%- endif %}
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


def _raw_data(arguments: argparse.Namespace) -> int:
    project = Project.load()
    say = project.messages(__file__)
    if project.has_raw_data():
        print(say("raw_data.in_place", path=project.data.path))
    else:
        project.require_raw()  # writes the example and says so, or says where the team's file goes
    return 0
{% if cookiecutter.data_versioning == "dvc" %}

def _dvc(arguments: argparse.Namespace) -> int:
    project = Project.load()
    say = project.messages(__file__)
    if arguments.check:
        if not versioning.is_current(project):
            print(say("dvc.out_of_date", file=versioning.DVC_FILE))
            return 1
        print(say("dvc.up_to_date", file=versioning.DVC_FILE))
        return 0
    written = say("dvc.written", file=versioning.DVC_FILE)
    print(
        written
        if versioning.write_pipeline(project)
        else say("dvc.already_up_to_date", file=versioning.DVC_FILE)
    )
    return 0
{% endif %}

def _checklist(arguments: argparse.Namespace) -> int:
    project = Project.load()
    status = checklist.Status.read(project)
    if arguments.gate is None:
        report = checklist.report(status)
        print(checklist.REPORT_FORMATS[arguments.format](report, status.team, arguments.all), end="")
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


def _fill_example(arguments: argparse.Namespace) -> int:
    for line in example_answers.fill(Project.load()):
        print(line)
    return 0


def _review(arguments: argparse.Namespace) -> int:
    for line in review_pack.write(Project.load(), arguments.stage):
        print(line)
    return 0


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
WRITE_OUTPUTS = (
    "run",
    "raw-data",
    "value",
    "monitor",
    "benchmark",
    "promote",
    "rollback",
    "fill-example",
    "review",
)


class HelpFormatter(argparse.HelpFormatter):
    """argparse's help with "usage:" in the project's language: argparse takes its own words from
    gettext, which ships no Japanese for them."""

    def add_usage(self, usage, actions, groups, prefix=None):
        say = messages_here(__file__)
        super().add_usage(usage, actions, groups, say("help.usage") if prefix is None else prefix)


class CommandParser(argparse.ArgumentParser):
    """An argparse parser whose own words (usage, section titles, -h) are in the project's language,
    for the commands' parsers as well: argparse makes them of the same class."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options, add_help=False, formatter_class=HelpFormatter)
        say = messages_here(__file__)
        # argparse names its two default sections only here.
        self._positionals.title = say("help.positionals")
        self._optionals.title = say("help.options")
        self.add_argument("-h", "--help", action="help", help=say("help.help"))

    def error(self, message: str) -> NoReturn:
        """A mistyped command, said in the project's language; argparse's own detail stays as it is."""
        say = messages_here(__file__)
        self.print_usage(sys.stderr)
        self.exit(2, say("help.mistyped", prog=self.prog, detail=message) + "\n")


def parser() -> argparse.ArgumentParser:
    say = messages_here(__file__)
    cli = CommandParser(prog=f"python -m {PACKAGE}", description=say("help.description"))
    commands = cli.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help=say("help.run.about"))
    run.add_argument("stage", choices=[*STAGES, "all"])
    run.set_defaults(handler=_run)

    value_command = commands.add_parser("value", help=say("help.value.about"))
    value_command.set_defaults(handler=_value)

    predict_command = commands.add_parser("predict", help=say("help.predict.about"))
    predict_command.add_argument("--input", type=Path, required=True, help=say("help.predict.input"))
    predict_command.add_argument("--output", type=Path, required=True, help=say("help.predict.output"))
    predict_command.set_defaults(handler=_predict)
    trace_command = commands.add_parser("trace", help=say("help.trace.about"))
    trace_command.add_argument("--input", type=Path, required=True, help=say("help.trace.input"))
    trace_command.add_argument("--row", type=int, required=True, help=say("help.trace.row"))
    trace_command.set_defaults(handler=_trace)
{% if cookiecutter.serving == "fastapi" %}
    serve_command = commands.add_parser("serve", help=say("serve.help.about"))
    serve_command.add_argument("--host", default="127.0.0.1", help=say("serve.help.host"))
    serve_command.add_argument("--port", type=int, default=8000)
{%- if cookiecutter.tracking == "mlflow" %}
    serve_command.add_argument("--alias", help=say("serve_alias.help"))
{%- endif %}
    serve_command.set_defaults(handler=_serve)
{% endif %}
    owners_command = commands.add_parser("owners", help=say("help.owners.about"))
    owners_command.add_argument("--check", action="store_true", help=say("help.owners.check"))
    owners_command.set_defaults(handler=_owners)
    schema_command = commands.add_parser("schema", help=say("help.schema.about", file=config.SCHEMA_FILE))
    schema_command.add_argument("--check", action="store_true", help=say("help.schema.check"))
    schema_command.set_defaults(handler=_schema)
    raw_data_command = commands.add_parser("raw-data", help=say("help.raw_data.about"))
    raw_data_command.set_defaults(handler=_raw_data)
{%- if cookiecutter.data_versioning == "dvc" %}
    dvc_command = commands.add_parser("dvc", help=say("dvc.help.about", file=versioning.DVC_FILE))
    dvc_command.add_argument("--check", action="store_true", help=say("dvc.help.check"))
    dvc_command.set_defaults(handler=_dvc)
{%- endif %}
    checklist_command = commands.add_parser("checklist", help=say("help.checklist.about"))
    checklist_command.add_argument("--gate", choices=STAGES, help=say("help.checklist.gate"))
    checklist_command.add_argument("--ci", action="store_true", help=say("help.checklist.ci"))
    checklist_command.add_argument("--all", action="store_true", help=say("help.checklist.all"))
    checklist_command.add_argument("--format", choices=checklist.REPORT_FORMATS, default="text")
    checklist_command.set_defaults(handler=_checklist)
    fill_command = commands.add_parser("fill-example", help=say("help.fill_example.about"))
    fill_command.set_defaults(handler=_fill_example)
    review_command = commands.add_parser("review", help=say("help.review.about"))
    review_command.add_argument("stage", choices=review.REVIEWS)
    review_command.set_defaults(handler=_review)
    readiness_command = commands.add_parser("readiness", help=say("help.readiness.about"))
    readiness_command.add_argument("--results", type=Path, help=say("help.readiness.results"))
    readiness_command.add_argument("--format", choices=readiness.FORMATS, default="text")
    readiness_command.set_defaults(handler=_readiness)
    monitor_command = commands.add_parser("monitor", help=say("help.monitor.about"))
    monitor_command.add_argument("--labelled", type=Path, required=True, help=say("help.monitor.labelled"))
    monitor_command.set_defaults(handler=_monitor)
    benchmark_command = commands.add_parser("benchmark", help=say("help.benchmark.about"))
    benchmark_command.add_argument(
        "--save", action="store_true", help=say("help.benchmark.save", baseline=benchmark.BASELINE)
    )
    benchmark_command.set_defaults(handler=_benchmark)
    promote_command = commands.add_parser("promote", help=say("help.promote.about"))
    promote_command.set_defaults(handler=_change_release, change=releases.promote)
    rollback_command = commands.add_parser("rollback", help=say("help.rollback.about"))
    rollback_command.set_defaults(handler=_change_release, change=releases.rollback)
    releases_command = commands.add_parser("releases", help=say("help.releases.about"))
    releases_command.add_argument("--check-age", action="store_true", help=say("help.releases.check_age"))
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
