"""Where the project stands: checklist progress per stage, open items with their owners, and gates.

The documents the team fills in are the record of the project's decisions, so this module reads
them instead of keeping a second list. `python -m <package> checklist` prints the summary and the
next actions, `--all` every item; `--gate STAGE` checks that stage's prerequisites, which `run`
also checks before each stage, so work that starts before the decisions it depends on is seen.

An item is ticked (`[x]`), open (`[ ]`) or not applicable (`[-]`, with the reason on the next line,
indented). The items after a `<!-- at-least-one -->` line need one of them ticked, not all. The
template's items end with an id (`<!-- item:scale -->`), so an item deleted from its document is
reported as removed, never counted as done.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from .. import PACKAGE
from ..core import config
from ..core.messages import messages_beside
from ..core.pipeline import OUTPUTS, PRODUCED_BY, STAGES, Project
from ..core.records import Diagnosis
from .owners import Team
from .roles import STAGES as PROCESS

# A GitHub task-list item: "- [ ] text" (open), "- [x] text" (done) or "- [-] text" (not applicable),
# ending with the template's id comment where the template wrote it.
TASK_ITEM = re.compile(
    r"^\s*(?:[-*+]|\d+[.)])\s+\[(?P<mark>[ xX-])\]\s+(?P<text>.*?)"
    r"(?:\s*<!--\s*item:(?P<id>[\w-]+)\s*-->)?\s*$"
)
AT_LEAST_ONE = re.compile(r"^\s*<!--\s*at-least-one\s*-->\s*$")
# A line that continues the item above it: the reason of a not-applicable item.
CONTINUATION = re.compile(r"^\s{2,}(?P<text>\S.*?)\s*$")
PLACEHOLDER = re.compile(r"\[TODO:[^\]]*\]")
HEADING = re.compile(r"^(?P<level>#{1,6})\s+(?P<title>.+?)\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")

DONE, NOT_APPLICABLE, OPEN = "done", "not_applicable", "open"
STATES = {" ": OPEN, "x": DONE, "X": DONE, "-": NOT_APPLICABLE}
# How many open items the summary names as the next things to do.
NEXT_ACTIONS = 3

PR_FAQ = "docs/pr-faq.md"
BUSINESS_UNDERSTANDING = "docs/business-understanding.md"
CHECKLISTS = {
    "ml_fit": "docs/checklists/ml-fit.md",
    "data": "docs/checklists/data.md",
    "timeline": "docs/checklists/timeline.md",
}
# Sections are found by their number, which both languages share: "## 1. Five customer questions".
CUSTOMER_QUESTIONS_SECTION = 1
MODEL_REQUIREMENT_SECTION = 6

# The documents a stage is judged by besides its own (its README, or business-understanding.md).
MORE_DOCUMENTS: dict[str, tuple[str, ...]] = {
    "business_understanding": (PR_FAQ, CHECKLISTS["ml_fit"]),
    "analyze": ("docs/data-card.md",),
    "prepare": (CHECKLISTS["data"],),
    "test": (CHECKLISTS["timeline"], "docs/model-card.md"),
}

# The ids of the items the template gives each document.
TEMPLATE_ITEMS: dict[str, list[str]] = {
    path.format(module=PACKAGE): ids
    for path, ids in yaml.safe_load(
        Path(__file__).with_name("checklist_items.yaml").read_text(encoding="utf-8")
    ).items()
}


@dataclass(frozen=True)
class Item:
    """One checklist item of a document."""

    document: str
    line: int
    text: str
    state: str
    role: str | None
    id: str | None = None
    reason: str = ""  # why a not-applicable item does not apply
    group: int | None = None  # the at-least-one group it belongs to, numbered within its document

    @property
    def done(self) -> bool:
        return self.state == DONE

    @property
    def settled(self) -> bool:
        """Done, or not applicable for a written reason."""
        written = bool(self.reason) and not PLACEHOLDER.search(self.reason)
        return self.done or (self.state == NOT_APPLICABLE and written)


@dataclass(frozen=True)
class Action:
    """Something still to do, who owns it and where: an open item, a section to write, a stage to run."""

    text: str
    owner: str
    where: str = ""

    def __str__(self) -> str:
        return f"{self.text} — {self.owner}" + (f" ({self.where})" if self.where else "")


@dataclass(frozen=True)
class Placeholder:
    """Template text the team has not replaced yet, counted per section."""

    document: str
    number: int  # of the numbered top-level section it lies in; 0 before the first one
    section: str
    count: int


@dataclass
class Document:
    """A Markdown document read for its checklist items, placeholders and numbered sections."""

    path: str
    owner: str | None = None  # the role named before its first section, as the document's owner
    items: list[Item] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # ids of template items no longer in it
    placeholders: list[Placeholder] = field(default_factory=list)
    sections: dict[int, list[str]] = field(default_factory=dict)

    @classmethod
    def read(cls, root: Path, path: str, team: Team) -> Document:
        try:
            lines = (root / path).read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            raise config.ConfigError(team.say("refused.document_missing", path=path)) from None
        document = cls(path)
        tags = team.tag_pattern()
        number, section, in_code, preamble = 0, "", False, True
        groups, in_group, reason_of = 0, False, None
        counts: dict[tuple[int, str], int] = {}
        for line_number, line in enumerate(lines, start=1):
            if FENCE.match(line):
                in_code = not in_code
                continue
            if in_code:
                continue
            item, continued = TASK_ITEM.match(line), CONTINUATION.match(line)
            if reason_of is not None and continued and not item:
                last = document.items[reason_of]
                reason = f"{last.reason} {continued['text']}".strip()
                document.items[reason_of] = dataclasses.replace(last, reason=reason)
                continue
            reason_of = None
            in_group = in_group and bool(item)
            heading = HEADING.match(line)
            if heading:
                section = heading["title"]
                preamble = preamble and len(heading["level"]) == 1
                if len(heading["level"]) == 2:
                    numbered = re.match(r"(\d+)\.", section)
                    number = int(numbered[1]) if numbered else 0
                continue
            if AT_LEAST_ONE.match(line):
                groups, in_group = groups + 1, True
                continue
            document.sections.setdefault(number, []).append(line)
            found = len(PLACEHOLDER.findall(line))
            if found:
                counts[number, section] = counts.get((number, section), 0) + found
            if preamble and document.owner is None:
                named = tags.search(line)
                document.owner = team.role_by_title[named["title"]] if named else None
            if item:
                text, role = item["text"], None
                tagged = list(tags.finditer(text))
                if tagged:
                    role = team.role_by_title[tagged[-1]["title"]]
                    text = text[: tagged[-1].start()].rstrip(" —-")
                state, group = STATES[item["mark"]], groups if in_group else None
                document.items.append(Item(path, line_number, text, state, role, item["id"], group=group))
                if state == NOT_APPLICABLE:
                    reason_of = len(document.items) - 1
        present = {item.id for item in document.items}
        document.removed = [id for id in TEMPLATE_ITEMS.get(path, []) if id not in present]
        document.placeholders = [
            Placeholder(path, number, section, count) for (number, section), count in counts.items()
        ]
        return document

    def statement(self, number: int) -> str:
        """The first line of prose in a numbered section: what the team wrote there."""
        for line in self.sections.get(number, []):
            if line.strip() and not line.lstrip().startswith(">"):
                return line.strip()
        return ""

    def optional(self, item: Item) -> bool:
        """An item left open in a group of which another item is ticked: the group needs only one."""
        return item.group is not None and any(other.done for other in self.items if other.group == item.group)

    def actions(self, status: Status) -> list[Action]:
        """What is left to do before every item of this document counts as settled, in its order."""
        say = messages_beside(__file__, status.team.language)
        actions, groups_named = [], set()
        for item in self.items:
            if item.settled or self.optional(item):
                continue
            where = f"{self.path}:{item.line}"
            if item.group is not None:
                if item.group not in groups_named:
                    groups_named.add(item.group)
                    choices = "; ".join(
                        short(other.text) for other in self.items if other.group == item.group
                    )
                    text = say("checklist.action.at_least_one", items=choices)
                    actions.append(Action(text, status.owner_tag(self.owner), where))
                continue
            text = item.text
            if item.state == NOT_APPLICABLE:
                text = say("checklist.action.reason_missing", item=item.text)
            actions.append(Action(text, status.owner_tag(item.role), where))
        actions += [
            Action(say("checklist.action.removed", id=id), status.owner_tag(self.owner), self.path)
            for id in self.removed
        ]
        return actions


def short(text: str) -> str:
    """An item's name: the words before its first colon, where it has such a name."""
    name, colon, _ = text.partition(":")
    return name if colon and len(name) <= 40 else text


def stage_paths(stage: str) -> list[str]:
    own = next(process.document for process in PROCESS if process.key == stage)
    return [own.format(module=PACKAGE), *MORE_DOCUMENTS.get(stage, ())]


@dataclass
class Status:
    """Everything the report and the gates need, read once."""

    project: Project
    team: Team
    documents: dict[str, Document]

    @classmethod
    def read(cls, project: Project) -> Status:
        team = Team(project.settings)
        paths = {path for stage in PROCESS for path in stage_paths(stage.key)}
        documents = {path: Document.read(project.root, path, team) for path in sorted(paths)}
        return cls(project, team, documents)

    def stage_documents(self, stage: str) -> list[Document]:
        return [self.documents[path] for path in stage_paths(stage)]

    def owner_tag(self, role: str | None) -> str:
        say = messages_beside(__file__, self.team.language)
        return self.team.tag(role) if role else say("checklist.no_owner")


# --- Gates -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prerequisite:
    """Something that must hold before a stage starts; `missing` lists what is still to do.

    It reads as the message `checklist.prerequisite.<key>`, which may name the `document` it is about;
    an action with no owner of its own is the prerequisite's owner's.
    """

    key: str
    owner: str
    missing: Callable[[Status], list[Action]]
    document: str = ""


def checklist_done(path: str) -> Callable[[Status], list[Action]]:
    def missing(status: Status) -> list[Action]:
        return status.documents[path].actions(status)

    return missing


def section_filled(path: str, number: int) -> Callable[[Status], list[Action]]:
    def missing(status: Status) -> list[Action]:
        document = status.documents[path]
        say = messages_beside(__file__, status.team.language)
        if number not in document.sections:
            return [Action(say("checklist.gate.section_missing", document=path, number=number), "")]
        return [
            Action(
                say("checklist.action.write", section=placeholder.section, count=placeholder.count), "", path
            )
            for placeholder in document.placeholders
            if placeholder.number == number
        ]

    return missing


def outputs_exist(*names: str) -> Callable[[Status], list[Action]]:
    def missing(status: Status) -> list[Action]:
        absent: dict[str, list[str]] = {}
        for name in names:
            if not status.project.path(name).exists():
                absent.setdefault(PRODUCED_BY[name], []).append(OUTPUTS[name])
        return [run_action(status, stage, outputs) for stage, outputs in absent.items()]

    return missing


def run_action(status: Status, stage: str, outputs: list[str]) -> Action:
    say = messages_beside(__file__, status.team.language)
    text = say("checklist.action.run", stage=stage, outputs=", ".join(outputs))
    return Action(text, "", f"python -m {PACKAGE} run {stage}")


def diagnosis_clear(status: Status) -> list[Action]:
    if not status.project.path("diagnosis").exists():
        return [run_action(status, "analyze", [OUTPUTS["diagnosis"]])]
    findings = status.project.read(Diagnosis, "diagnosis").findings
    return [
        Action(f"{finding.kind} ({finding.column or '-'}): {finding.detail}", "", OUTPUTS["diagnosis"])
        for finding in findings
        if finding.blocking
    ]


# Each stage's own prerequisites; a gate also needs those of every stage before it.
PREREQUISITES: dict[str, tuple[Prerequisite, ...]] = {
    "analyze": (
        Prerequisite(
            "customer_questions",
            "product_manager",
            section_filled(PR_FAQ, CUSTOMER_QUESTIONS_SECTION),
            PR_FAQ,
        ),
        Prerequisite(
            "model_requirement",
            "product_manager",
            section_filled(BUSINESS_UNDERSTANDING, MODEL_REQUIREMENT_SECTION),
            BUSINESS_UNDERSTANDING,
        ),
        Prerequisite("ml_fit", "product_manager", checklist_done(CHECKLISTS["ml_fit"]), CHECKLISTS["ml_fit"]),
    ),
    "prepare": (
        Prerequisite("data", "data_engineer", checklist_done(CHECKLISTS["data"]), CHECKLISTS["data"]),
    ),
    "preprocess": (
        Prerequisite(
            "prepare_outputs", "data_engineer", outputs_exist("diagnosis", "cleaned", "train", "holdout")
        ),
    ),
    "train": (Prerequisite("diagnosis_clear", "data_analyst", diagnosis_clear),),
    "test": (
        Prerequisite(
            "timeline", "ml_engineer", checklist_done(CHECKLISTS["timeline"]), CHECKLISTS["timeline"]
        ),
    ),
}


@dataclass
class Unmet:
    requirement: str
    stage: str
    owner: str
    missing: list[Action]


@dataclass
class Gate:
    stage: str
    met: bool
    unmet: list[Unmet]

    def actions(self) -> list[Action]:
        return [action for unmet in self.unmet for action in unmet.missing]


class GateError(config.ConfigError):
    """A stage's gate is not met and params.yaml's gates.blocking says to stop there."""


def gate(status: Status, stage: str) -> Gate:
    """Check the prerequisites of `stage` and of every stage before it."""
    say = messages_beside(__file__, status.team.language)
    unmet = []
    for earlier in STAGES[: STAGES.index(stage) + 1]:
        for prerequisite in PREREQUISITES[earlier]:
            owner = status.team.tag(prerequisite.owner)
            missing = [
                action if action.owner else dataclasses.replace(action, owner=owner)
                for action in prerequisite.missing(status)
            ]
            if missing:
                text = say(f"checklist.prerequisite.{prerequisite.key}", document=prerequisite.document)
                unmet.append(Unmet(text, earlier, owner, missing))
    return Gate(stage, not unmet, unmet)


def before_run(project: Project, stage: str) -> str | None:
    """Check the gate of `stage` before it runs: a one-line warning when it is not met, or, when
    params.yaml's gates.blocking is true, GateError. The line names the stage's own prerequisites and
    counts those of earlier stages, which `run all` has already named. A document that cannot be read
    leaves the gate unmet in the same way."""
    say = messages_beside(__file__, project.settings.project.language)
    try:
        result = gate(Status.read(project), stage)
        if result.met:
            return None
        parts = [f"{unmet.requirement} — {unmet.owner}" for unmet in result.unmet if unmet.stage == stage]
        earlier = sum(unmet.stage != stage for unmet in result.unmet)
        if earlier:
            parts.append(say("checklist.gate.earlier", count=earlier))
        missing = "; ".join(parts)
    except config.ConfigError as error:
        missing = str(error)
    line = say("checklist.gate.before_run", stage=stage, missing=missing)
    if project.settings.gates.blocking:
        raise GateError(f"{line} {say('checklist.gate.blocking')}")
    return line


# --- The report --------------------------------------------------------------------------------


@dataclass
class StageReport:
    key: str
    title: str
    owner: str
    done: int
    not_applicable: int  # with a written reason, or left open beside a ticked item of its group
    removed: int
    total: int
    open_items: list[Action]
    not_applicable_items: list[Item]
    placeholders: list[Placeholder]
    gate: Gate | None


@dataclass
class Report:
    project: str
    requirement: str
    requirement_stated: str
    unassigned: list[str]
    sponsor_missing: bool
    stages: list[StageReport]
    next_actions: list[Action]


def report(status: Status) -> Report:
    team = status.team
    stages = []
    for stage in PROCESS:
        documents = status.stage_documents(stage.key)
        not_applicable = [
            item
            for document in documents
            for item in document.items
            if not item.done and (item.settled or document.optional(item))
        ]
        stages.append(
            StageReport(
                stage.key,
                team.stage_title(stage),
                team.tag(stage.owner),
                sum(item.done for document in documents for item in document.items),
                len(not_applicable),
                sum(len(document.removed) for document in documents),
                sum(len(document.items) for document in documents),
                [action for document in documents for action in document.actions(status)],
                not_applicable,
                [placeholder for document in documents for placeholder in document.placeholders],
                gate(status, stage.key) if stage.key in PREREQUISITES else None,
            )
        )
    unassigned = team.unassigned()
    return Report(
        status.project.settings.project.name,
        config.requirement_text(status.project.settings.model),
        status.documents[BUSINESS_UNDERSTANDING].statement(MODEL_REQUIREMENT_SECTION),
        [team.title(role) for role in unassigned],
        "sponsor" in unassigned,
        stages,
        next_actions(stages),
    )


def next_actions(stages: list[StageReport]) -> list[Action]:
    """The first things to do: what the earliest unmet gate lacks, then the open items in process order."""
    last_gate = next(stage.gate for stage in reversed(stages) if stage.gate is not None)
    first: dict[tuple[str, str], Action] = {}
    for action in [*last_gate.actions(), *(action for stage in stages for action in stage.open_items)]:
        first.setdefault((action.text, action.where), action)  # two gates may need the same stage run
    return list(first.values())[:NEXT_ACTIONS]


def as_json(result: Report | Gate, team: Team, every: bool = True) -> str:
    return json.dumps(asdict(result), ensure_ascii=False, indent=2) + "\n"


def progress(stage: StageReport, team: Team) -> str:
    """`4/12`, with the items not applicable and removed when there are any."""
    say = messages_beside(__file__, team.language)
    parts = [f"{stage.done}/{stage.total}"]
    if stage.not_applicable:
        parts.append(say("checklist.count.not_applicable", count=stage.not_applicable))
    if stage.removed:
        parts.append(say("checklist.count.removed", count=stage.removed))
    return " · ".join(parts)


def as_text(result: Report, team: Team, every: bool = False) -> str:
    say = messages_beside(__file__, team.language)
    stated = say("checklist.as_stated", document=BUSINESS_UNDERSTANDING, statement=result.requirement_stated)
    lines = [
        say("checklist.title", project=result.project),
        "",
        f"{say('checklist.requirement')} ({say('checklist.in_config')}): {result.requirement}",
        f"  {stated}",
        f"{say('owners.page.unassigned')} ({len(result.unassigned)}): {unassigned_text(result, team)}",
    ]
    if result.sponsor_missing:
        lines.append(f"  {say('owners.sponsor_missing')}")
    gate, owner = say("checklist.label.gate"), say("checklist.label.owner")
    lines.append("")
    for stage in result.stages:
        gate_text = "" if stage.gate is None else f" · {gate}: {_gate_word(stage.gate, team)}"
        lines.append(f"{stage.title}: {progress(stage, team)} · {owner}: {stage.owner}{gate_text}")
        if every:
            lines += [f"  [ ] {action}" for action in stage.open_items]
            reasons = [item.reason or say("checklist.group_satisfied") for item in stage.not_applicable_items]
            lines += [
                f"  [-] {item.text} — {reason}"
                for item, reason in zip(stage.not_applicable_items, reasons, strict=True)
            ]
            left = placeholders_per_document(stage.placeholders)
            if left:
                counts = "; ".join(f"{document} {count}" for document, count in left.items())
                lines.append(f"  {say('checklist.placeholders_left')}: {counts}")
            lines.append("")
    if not every:
        lines.append("")
    if result.next_actions:
        lines.append(say("checklist.next_actions"))
        lines += [f"  {number}. {action}" for number, action in enumerate(result.next_actions, start=1)]
        lines.append("")
    if not every:
        lines.append(say("checklist.every_item"))
    return "\n".join(lines).rstrip("\n") + "\n"


def as_markdown(result: Report, team: Team, every: bool = False) -> str:
    say = messages_beside(__file__, team.language)
    labels = [say(key) for key in say.keys("checklist.label.")]
    lines = [
        f"## {say('checklist.title', project=result.project)}",
        "",
        f"**{say('checklist.requirement')}:** `{result.requirement}` ({say('checklist.in_config')}) — "
        f"{BUSINESS_UNDERSTANDING}: {result.requirement_stated}",
        "",
        f"**{say('owners.page.unassigned')} ({len(result.unassigned)}):** {unassigned_text(result, team)}",
    ]
    if result.sponsor_missing:
        lines += ["", f"> [!WARNING]\n> {say('owners.sponsor_missing')}"]
    lines += ["", "| " + " | ".join(labels) + " |", "| --- | ---: | ---: | ---: | --- | ---: | --- |"]
    for stage in result.stages:
        placeholders = sum(placeholder.count for placeholder in stage.placeholders)
        gate_text = "-" if stage.gate is None else _gate_word(stage.gate, team)
        cells = [stage.title, f"{stage.done}/{stage.total}", stage.not_applicable, stage.removed]
        cells += [stage.owner, placeholders, gate_text]
        lines.append("| " + " | ".join(map(str, cells)) + " |")
    if result.next_actions:
        lines += ["", f"**{say('checklist.next_actions')}**", ""]
        lines += [f"{number}. {action}" for number, action in enumerate(result.next_actions, start=1)]
    for stage in result.stages if every else []:
        if not stage.open_items and not (stage.gate and stage.gate.unmet):
            continue
        open_items = say("checklist.open_items", count=len(stage.open_items))
        lines += ["", f"<details><summary>{stage.title}: {open_items}</summary>", ""]
        lines += [f"- [ ] {action}" for action in stage.open_items]
        if stage.gate and stage.gate.unmet:
            heading = f"{say('checklist.label.gate')} `{stage.key}` — {say('checklist.gate.missing')}"
            lines += ["", f"**{heading}:**", ""]
            lines += [f"- {unmet.requirement} — {unmet.owner}" for unmet in stage.gate.unmet]
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def gate_as_text(result: Gate, team: Team) -> str:
    say = messages_beside(__file__, team.language)
    lines = [f"{say('checklist.label.gate')} {result.stage}: {_gate_word(result, team)}"]
    for unmet in result.unmet:
        lines.append(f"- {unmet.requirement} — {unmet.owner}")
        lines += [f"    {action}" for action in unmet.missing]
    return "\n".join(lines) + "\n"


def gate_as_markdown(result: Gate, team: Team) -> str:
    say = messages_beside(__file__, team.language)
    lines = [f"### {say('checklist.label.gate')} `{result.stage}`: {_gate_word(result, team)}", ""]
    for unmet in result.unmet:
        lines.append(f"- **{unmet.requirement}** — {unmet.owner}")
        lines += [f"  - {action}" for action in unmet.missing]
    return "\n".join(lines) + "\n"


def placeholders_per_document(placeholders: list[Placeholder]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for placeholder in placeholders:
        counts[placeholder.document] = counts.get(placeholder.document, 0) + placeholder.count
    return counts


def unassigned_text(result: Report, team: Team) -> str:
    say = messages_beside(__file__, team.language)
    return ", ".join(result.unassigned) or say("checklist.none_unassigned")


def _gate_word(result: Gate, team: Team) -> str:
    say = messages_beside(__file__, team.language)
    if result.met:
        return f"✅ {say('checklist.gate.met')}"
    return f"⚠️ {say('checklist.gate.not_met', count=len(result.unmet))}"


# How `checklist` prints a report and `checklist --gate` a gate, by --format.
REPORT_FORMATS: dict[str, Callable[[Report, Team, bool], str]] = {
    "text": as_text,
    "markdown": as_markdown,
    "json": as_json,
}
GATE_FORMATS: dict[str, Callable[[Gate, Team], str]] = {
    "text": gate_as_text,
    "markdown": gate_as_markdown,
    "json": as_json,
}
