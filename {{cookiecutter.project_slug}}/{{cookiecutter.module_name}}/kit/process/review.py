"""What a stage's review meeting looks at: whom to invite, what the stage found, and what is still open.

Each stage is reviewed with the people it asks, over a notebook in notebooks/. The notebooks call
only these functions, so everything a meeting sees is computed by tested package code from
params.yaml, the documents and the stage's outputs, and no logic lives only in a notebook where it
could drift from the pipeline.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import PACKAGE
from ..core import pipeline
from ..core.config import ValueSettings
from ..core.messages import messages_here
from ..core.pipeline import OUTPUTS, PRODUCED_BY, STAGES, Project
from ..reports.report import format_cell, markdown_table
from . import checklist, value
from .owners import Team
from .roles import STAGES as PROCESS
from .roles import Stage

# The meetings, in the order of the process: Business Understanding first, then every stage.
REVIEWS = tuple(stage.key for stage in PROCESS)
# Business Understanding has no stage code; its meeting reviews the value calculator's report.
VALUE = "value"
# The value inputs a what-if may change; currency and horizon only change how they are shown.
VALUE_INPUTS = (
    "users",
    "items_per_user",
    "effect_per_item",
    "cost_per_error",
    "development_cost",
    "operation_cost_per_month",
)

# A figure on a line of its own, as reports.Report writes it, and a link to a Markdown file beside
# the report (Prepare's data request), which the meeting reads with the report.
FIGURE = re.compile(r"^!\[(?P<caption>[^\]]*)\]\((?P<path>[^)\s]+)\)\s*$")
ATTACHMENT = re.compile(r"\[[^\]]*\]\((?P<name>[^)\s/:]+\.md)\)")


class Markdown(str):
    """Markdown that a notebook shows rendered, and that code and tests read as plain text."""

    def _repr_markdown_(self) -> str:
        return str(self)


@dataclass(frozen=True)
class Invitee:
    """A role to invite, named as the documents name it, with what the stage needs from it."""

    role: str
    tag: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Figure:
    """A figure of a report: the notebook shows the PNG itself, which a Markdown link cannot do."""

    path: Path
    caption: str


def process_stage(stage: str) -> Stage:
    """The stage of the process behind a meeting, refused by name if there is no such meeting."""
    for process in PROCESS:
        if process.key == stage:
            return process
    say = messages_here(__file__)
    raise ValueError(say("refused.not_a_review", stage=stage, stages=", ".join(REVIEWS)))


def report_name(stage: str) -> str:
    """The folder under reports/ that a meeting reviews."""
    process_stage(stage)
    return VALUE if stage == "business_understanding" else stage


# --- Whom to invite ----------------------------------------------------------------------------


def invitees(project: Project, stage: str) -> list[Invitee]:
    """The stage owner, then every role the stage asks something of, each once with all its asks.

    Read from roles.STAGES and the owners in params.yaml, so the invitation follows every change
    of owner without anyone editing a notebook.
    """
    process = process_stage(stage)
    team = Team(project.settings)
    reasons: dict[str, list[str]] = {process.owner: [team.say("review.owner_reason")]}
    for ask in process.asks:
        for role in ask.roles:
            reasons.setdefault(role, []).append(team.request(process, ask))
    return [Invitee(role, team.tag(role), tuple(why)) for role, why in reasons.items()]


def invitation(project: Project, stage: str) -> Markdown:
    """The invitation list under its title."""
    say = project.messages(__file__)
    title = f"**{say('review.invite')}** ({say('review.from_params')})"
    return Markdown(f"{title}\n\n{invitation_table(project, stage)}")


def invitation_table(project: Project, stage: str) -> Markdown:
    """The invitation list as a table, with a reminder when a role to invite has no owner yet."""
    say = project.messages(__file__)
    people = invitees(project, stage)
    lines = [
        markdown_table(
            [say("review.whom"), say("review.why")],
            [[person.tag, " ".join(person.reasons)] for person in people],
        )
    ]
    team = Team(project.settings)
    if any(not team.owners[person.role] for person in people):
        lines += ["", f"> {say('review.unassigned')}"]
    return Markdown("\n".join(lines) + "\n")


# --- The run under review ----------------------------------------------------------------------


def outputs(project: Project, step: str) -> list[Path]:
    """Every file a stage (or the value calculator) writes, its report included."""
    if step == VALUE:
        return [project.report_dir(VALUE) / "report.md", project.report_dir(VALUE) / "value.json"]
    names = [name for name, producer in PRODUCED_BY.items() if producer == step]
    return [project.root / OUTPUTS[name] for name in names] + [project.report_dir(step) / "report.md"]


def steps(stage: str) -> tuple[str, ...]:
    """What must have run for a meeting: the stage and every stage before it."""
    if report_name(stage) == VALUE:
        return (VALUE,)
    return STAGES[: STAGES.index(stage) + 1]


def run_step(project: Project, step: str) -> list[str]:
    return value.run(project) if step == VALUE else pipeline.run(project, step)


def command(step: str) -> str:
    return f"python -m {PACKAGE} value" if step == VALUE else f"python -m {PACKAGE} run {step}"


def ensure_run(project: Project, stage: str, rerun: bool = False) -> Markdown:
    """Run what the meeting needs if its outputs are missing; otherwise say which run it sees.

    A meeting usually reviews the run its owner made beforehand, so opening a notebook never
    retrains by surprise; a fresh clone gets the missing outputs made here, earlier stages first.
    Once one stage runs, the stages after it up to this one run too, since their inputs changed.
    `rerun=True` runs the stage under review again even when its outputs exist.
    """
    say = project.messages(__file__)
    lines: list[str] = []
    ran = False
    for step in steps(stage):
        due = rerun and step == report_name(stage)
        if ran or due or not all(path.is_file() for path in outputs(project, step)):
            ran = True
            lines.append(f"- {say('review.ran', command=command(step))}")
            lines += [f"    - {line}" for line in run_step(project, step)]
    if not ran:
        step = report_name(stage)
        report = project.report_dir(step) / "report.md"
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(report.stat().st_mtime))
        lines += [
            f"- {say('review.shown', when=when, report=report.relative_to(project.root).as_posix())}",
            f"- {say('review.rerun')} `{command(step)}`.",
        ]
    return Markdown("\n".join(lines) + "\n")


# --- The report --------------------------------------------------------------------------------


def report_parts(project: Project, stage: str) -> list[Markdown | Figure]:
    """The report of a meeting cut at its figures, with the Markdown files it links to appended.

    A notebook cannot show a report's relative image links, so each figure becomes a part of its
    own that show_report displays as an image.
    """
    folder = project.report_dir(report_name(stage))
    path = folder / "report.md"
    if not path.is_file():
        say = project.messages(__file__)
        report = path.relative_to(project.root).as_posix()
        raise pipeline.StageOrderError(
            say("refused.report_missing", report=report, stage=stage, command=command(report_name(stage)))
        )
    parts: list[Markdown | Figure] = []
    text: list[str] = []

    def flush() -> None:
        if "".join(text).strip():
            parts.append(Markdown("\n".join(text).strip("\n") + "\n"))
        text.clear()

    for line in path.read_text(encoding="utf-8").splitlines():
        figure = FIGURE.match(line)
        if figure:
            flush()
            parts.append(Figure(folder / figure["path"], figure["caption"]))
            continue
        text.append(line)
        attached = [folder / match["name"] for match in ATTACHMENT.finditer(line)]
        attached = [document for document in attached if document.is_file()]
        if attached:
            flush()
            parts += [Markdown(document.read_text(encoding="utf-8")) for document in attached]
    flush()
    return parts


def show_report(project: Project, stage: str) -> None:
    """Show the report in the notebook with its figures inline, each with its caption below it."""
    from IPython.display import Image, display  # only a notebook needs IPython

    for part in report_parts(project, stage):
        if isinstance(part, Figure):
            display(Image(filename=str(part.path)), Markdown(f"*{part.caption}*"))
        else:
            display(part)


# --- What is still open ------------------------------------------------------------------------


def open_items(project: Project, stage: str) -> Markdown:
    """The stage's open checklist items with their owners, read from the documents as they are now.

    The checklist command reads the same documents, so the meeting and CI's gates never disagree.
    """
    process_stage(stage)
    say = project.messages(__file__)
    result = next(
        found for found in checklist.report(checklist.Status.read(project)).stages if found.key == stage
    )
    lines = [
        f"**{result.title}: {result.done}/{result.total} {say('review.done')}** · "
        f"{say('review.owner')}: {result.owner}",
        "",
    ]
    lines += [f"- [ ] {action.text} — {action.owner} (`{action.where}`)" for action in result.open_items]
    if not result.open_items:
        lines.append(say("review.all_done"))
    left = checklist.placeholders_per_document(result.placeholders)
    if left:
        counts = "; ".join(f"`{document}` {count}" for document, count in left.items())
        lines += ["", f"{say('review.placeholders')}: {counts}"]
    return Markdown("\n".join(lines) + "\n")


# --- Business Understanding: the value formula and what-ifs ------------------------------------


def value_formula(project: Project) -> Markdown:
    """The formula of the value report, with every input as params.yaml sets it and where."""
    say = project.messages(__file__)
    settings = project.settings.value
    rows = [
        [say(f"review.value.inputs.{key}"), f"`{VALUE}.{key}`", _amount(settings, key)]
        for key in VALUE_INPUTS
    ]
    table = markdown_table(
        [say("review.value.input"), say("review.value.setting"), say("review.value.figure")], rows
    )
    return Markdown(f"{say('review.value.formula')}\n\n{table}\n")


def what_if(project: Project, share_correct: float = 1.0, **changes: float) -> Markdown:
    """Value per month and payback with some inputs changed, beside the plan in params.yaml.

    The meeting can try "what if half the users take it up" without editing params.yaml; the
    numbers come from value.monthly_value and value.payback_month, the value report's own formula.
    """
    say = project.messages(__file__)
    unknown = sorted(set(changes) - set(VALUE_INPUTS))
    if unknown:
        raise ValueError(
            say("refused.not_a_value_input", inputs=", ".join(unknown), choices=", ".join(VALUE_INPUTS))
        )
    if not 0 <= share_correct <= 1:
        raise ValueError(say("refused.share_correct", share_correct=share_correct))
    planned = project.settings.value
    changed = planned.model_copy(update=changes)
    rows: list[list[Any]] = [
        [say(f"review.value.inputs.{key}"), _amount(planned, key), _amount(changed, key)] for key in changes
    ]
    if share_correct != 1.0:
        rows.append([say("review.value.share_correct"), format_cell(1.0), format_cell(share_correct)])
    per_month = {
        "planned": value.monthly_value(planned),
        "changed": value.monthly_value(changed, share_correct),
    }
    rows.append(
        [say("review.value.per_month", currency=planned.currency), per_month["planned"], per_month["changed"]]
    )
    rows.append(
        [
            say("value.table.payback"),
            _payback(planned, per_month["planned"], project),
            _payback(changed, per_month["changed"], project),
        ]
    )
    return Markdown(markdown_table(["", say("value.case.planned"), say("review.value.what_if")], rows) + "\n")


def _amount(settings: ValueSettings, key: str) -> str:
    money = key not in ("users", "items_per_user")
    amount = format_cell(getattr(settings, key))
    return f"{amount} {settings.currency}" if money else amount


def _payback(settings: ValueSettings, per_month: float, project: Project) -> str:
    month = value.payback_month(settings, per_month)
    return value.payback_text(month, project.settings.project.language)
