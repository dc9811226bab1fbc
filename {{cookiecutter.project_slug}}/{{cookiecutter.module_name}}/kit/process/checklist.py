"""Where the project stands: checklist progress per stage, open items with their owners, and gates.

The documents the team fills in are the record of the project's decisions, so this module reads
them instead of keeping a second list. `python -m <package> checklist` prints the report;
`--gate STAGE` checks that stage's prerequisites, so CI can warn about, or block, work that
starts before the decisions it depends on are made.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .. import PACKAGE
from ..core import config
from ..core.messages import messages_beside
from ..core.pipeline import OUTPUTS, PRODUCED_BY, STAGES, Project
from ..core.records import Diagnosis
from .owners import Team
from .roles import STAGES as PROCESS

# A GitHub task-list item: "- [ ] text" (open) or "- [x] text" (done).
TASK_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[(?P<mark>[ xX])\]\s+(?P<text>.*?)\s*$")
PLACEHOLDER = re.compile(r"\[TODO:[^\]]*\]")
HEADING = re.compile(r"^(?P<level>#{1,6})\s+(?P<title>.+?)\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")

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


@dataclass(frozen=True)
class Item:
    """One checklist item of a document."""

    document: str
    line: int
    text: str
    done: bool
    role: str | None


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
    items: list[Item] = field(default_factory=list)
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
        number, section, in_code = 0, "", False
        counts: dict[tuple[int, str], int] = {}
        for line_number, line in enumerate(lines, start=1):
            if FENCE.match(line):
                in_code = not in_code
                continue
            if in_code:
                continue
            heading = HEADING.match(line)
            if heading:
                section = heading["title"]
                if len(heading["level"]) == 2:
                    numbered = re.match(r"(\d+)\.", section)
                    number = int(numbered[1]) if numbered else 0
                continue
            document.sections.setdefault(number, []).append(line)
            found = len(PLACEHOLDER.findall(line))
            if found:
                counts[number, section] = counts.get((number, section), 0) + found
            item = TASK_ITEM.match(line)
            if item:
                text, role = item["text"], None
                tagged = list(tags.finditer(text))
                if tagged:
                    role = team.role_by_title[tagged[-1]["title"]]
                    text = text[: tagged[-1].start()].rstrip(" —-")
                document.items.append(Item(path, line_number, text, item["mark"] != " ", role))
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
    """Something that must hold before a stage starts; `missing` lists what is still lacking.

    It reads as the message `checklist.prerequisite.<key>`, which may name the `document` it is about.
    """

    key: str
    owner: str
    missing: Callable[[Status], list[str]]
    document: str = ""


def checklist_done(path: str) -> Callable[[Status], list[str]]:
    def missing(status: Status) -> list[str]:
        items = status.documents[path].items
        return [f"{item.text} — {status.owner_tag(item.role)}" for item in items if not item.done]

    return missing


def section_filled(path: str, number: int) -> Callable[[Status], list[str]]:
    def missing(status: Status) -> list[str]:
        document = status.documents[path]
        if number not in document.sections:
            say = messages_beside(__file__, status.team.language)
            return [say("checklist.gate.section_missing", document=path, number=number)]
        return [
            f"{placeholder.section}: {placeholder.count} × [TODO: …]"
            for placeholder in document.placeholders
            if placeholder.number == number
        ]

    return missing


def outputs_exist(*names: str) -> Callable[[Status], list[str]]:
    def missing(status: Status) -> list[str]:
        return [
            f"{OUTPUTS[name]}: python -m {PACKAGE} run {PRODUCED_BY[name]}"
            for name in names
            if not status.project.path(name).exists()
        ]

    return missing


def diagnosis_clear(status: Status) -> list[str]:
    if not status.project.path("diagnosis").exists():
        return [f"{OUTPUTS['diagnosis']}: python -m {PACKAGE} run analyze"]
    findings = status.project.read(Diagnosis, "diagnosis").findings
    return [
        f"{finding.kind} ({finding.column or '-'}): {finding.detail}"
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
        Prerequisite("prepare_outputs", "data_engineer", outputs_exist("cleaned", "train", "holdout")),
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
    missing: list[str]


@dataclass
class Gate:
    stage: str
    met: bool
    unmet: list[Unmet]


def gate(status: Status, stage: str) -> Gate:
    """Check the prerequisites of `stage` and of every stage before it."""
    say = messages_beside(__file__, status.team.language)
    unmet = []
    for earlier in STAGES[: STAGES.index(stage) + 1]:
        for prerequisite in PREREQUISITES[earlier]:
            missing = prerequisite.missing(status)
            if missing:
                text = say(f"checklist.prerequisite.{prerequisite.key}", document=prerequisite.document)
                unmet.append(Unmet(text, earlier, status.team.tag(prerequisite.owner), missing))
    return Gate(stage, not unmet, unmet)


# --- The report --------------------------------------------------------------------------------


@dataclass
class StageReport:
    key: str
    title: str
    owner: str
    done: int
    total: int
    open_items: list[dict[str, Any]]
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


def report(status: Status) -> Report:
    team = status.team
    stages = []
    for stage in PROCESS:
        documents = status.stage_documents(stage.key)
        items = [item for document in documents for item in document.items]
        open_items = [
            asdict(item) | {"owner": status.owner_tag(item.role)} for item in items if not item.done
        ]
        stages.append(
            StageReport(
                stage.key,
                team.stage_title(stage),
                team.tag(stage.owner),
                sum(item.done for item in items),
                len(items),
                open_items,
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
    )


def as_json(result: Report | Gate, team: Team) -> str:
    return json.dumps(asdict(result), ensure_ascii=False, indent=2) + "\n"


def as_text(result: Report, team: Team) -> str:
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
    for stage in result.stages:
        gate_text = "" if stage.gate is None else f" · {gate}: {_gate_word(stage.gate, team)}"
        lines += ["", f"{stage.title}: {stage.done}/{stage.total} · {owner}: {stage.owner}{gate_text}"]
        lines += [
            f"  [ ] {item['text']} — {item['owner']} ({item['document']}:{item['line']})"
            for item in stage.open_items
        ]
        left = placeholders_per_document(stage.placeholders)
        if left:
            counts = "; ".join(f"{document} {count}" for document, count in left.items())
            lines.append(f"  {say('checklist.placeholders_left')}: {counts}")
    return "\n".join(lines) + "\n"


def as_markdown(result: Report, team: Team) -> str:
    say = messages_beside(__file__, team.language)
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
    lines += [
        "",
        "| " + " | ".join(say(key) for key in say.keys("checklist.label.")) + " |",
        "| --- | ---: | --- | ---: | --- |",
    ]
    for stage in result.stages:
        placeholders = sum(placeholder.count for placeholder in stage.placeholders)
        gate_text = "-" if stage.gate is None else _gate_word(stage.gate, team)
        lines.append(
            f"| {stage.title} | {stage.done}/{stage.total} | {stage.owner} | {placeholders} | {gate_text} |"
        )
    for stage in result.stages:
        if not stage.open_items and not (stage.gate and stage.gate.unmet):
            continue
        open_items = say("checklist.open_items", count=len(stage.open_items))
        lines += ["", f"<details><summary>{stage.title}: {open_items}</summary>", ""]
        lines += [
            f"- [ ] {item['text']} — {item['owner']} (`{item['document']}`)" for item in stage.open_items
        ]
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
        lines += [f"    {missing}" for missing in unmet.missing]
    return "\n".join(lines) + "\n"


def gate_as_markdown(result: Gate, team: Team) -> str:
    say = messages_beside(__file__, team.language)
    lines = [f"### {say('checklist.label.gate')} `{result.stage}`: {_gate_word(result, team)}", ""]
    for unmet in result.unmet:
        lines.append(f"- **{unmet.requirement}** — {unmet.owner}")
        lines += [f"  - {missing}" for missing in unmet.missing]
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
REPORT_FORMATS: dict[str, Callable[[Report, Team], str]] = {
    "text": as_text,
    "markdown": as_markdown,
    "json": as_json,
}
GATE_FORMATS: dict[str, Callable[[Gate, Team], str]] = {
    "text": gate_as_text,
    "markdown": gate_as_markdown,
    "json": as_json,
}
