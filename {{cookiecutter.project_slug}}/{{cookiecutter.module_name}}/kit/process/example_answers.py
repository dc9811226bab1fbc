"""The example's answers in the documents the gates read, for a demo of the whole process.

A project on example data has no customers to interview, so its gates can never open by the team's
own answers. `python -m <package> fill-example` writes the example's answers into the sections and
checklists the gates read, says what it wrote where, and touches nothing the team has written: it
only replaces `[TODO: …]` placeholders and settles open `[ ]` items. Stage READMEs stay as they are;
their items are the team's to tick as they work.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core import config, files
from ..core.data import listed
from ..core.messages import Messages, messages_beside
from ..core.pipeline import Project
from . import checklist

# The use-ML case that holds for each example; its group's other cases do not apply to it.
USE_CASE = {"expenses": "scale", "diabetes": "complex-logic"}
# The sections whose placeholders the gates count, and the answers' keys in the message file.
SECTIONS = (
    (checklist.PR_FAQ, checklist.CUSTOMER_QUESTIONS_SECTION, "customer"),
    (checklist.BUSINESS_UNDERSTANDING, checklist.MODEL_REQUIREMENT_SECTION, "requirement"),
)


@dataclass
class Edit:
    """One document's new lines and what changed in them."""

    path: str
    lines: list[str]
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, change: str) -> None:
        self.counts[change] = self.counts.get(change, 0) + 1


def fill(project: Project) -> list[str]:
    """Write the example's answers; return what was written where, for the console."""
    say = messages_beside(__file__, project.settings.project.language)
    example = project.settings.data.example
    if example not in USE_CASE:
        raise config.ConfigError(say("example_answers.own_data"))
    status = checklist.Status.read(project)
    edits = {
        path: Edit(path, (project.root / path).read_text(encoding="utf-8").split("\n")) for path in paths()
    }
    for path, number, key in SECTIONS:
        answers = [say(answer) for answer in say.keys(f"example_answers.{example}.{key}.")]
        fill_placeholders(edits[path], status.documents[path], number, answers)
    for path in checklist.CHECKLISTS.values():
        settle_items(edits[path], status.documents[path], example, say)
    changed = [edit for edit in edits.values() if edit.counts]
    with files.all_or_nothing():
        for edit in changed:
            files.write_text(project.root / edit.path, "\n".join(edit.lines))
    if not changed:
        return [say("example_answers.nothing_left")]
    lines = [
        f"{edit.path}: "
        + listed(
            say(f"example_answers.changes.{change}", count=count) for change, count in edit.counts.items()
        )
        for edit in changed
    ]
    return [*lines, say("example_answers.replace_them")]


def paths() -> list[str]:
    return [*(path for path, _, _ in SECTIONS), *checklist.CHECKLISTS.values()]


def fill_placeholders(edit: Edit, document: checklist.Document, number: int, answers: list[str]) -> None:
    """Replace the section's placeholders, in order, with the answers."""
    section = numbered_section(edit.lines, number)
    left = iter(answers)
    for index in section:
        while checklist.PLACEHOLDER.search(edit.lines[index]):
            answer = next(left, None)
            if answer is None:
                return
            edit.lines[index] = answered(edit.lines[index], answer)
            edit.count("placeholders")


def answered(line: str, answer: str) -> str:
    """The line with its first placeholder replaced by the answer, taken as it is (no backreferences)."""
    return checklist.PLACEHOLDER.sub(lambda _: answer, line, count=1)


def numbered_section(lines: list[str], number: int) -> range:
    """The line indexes of `## <number>.` up to the next top-level section."""
    start = next((i for i, line in enumerate(lines) if line.startswith(f"## {number}.")), len(lines))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return range(start, end)


def settle_items(edit: Edit, document: checklist.Document, example: str, say: Messages) -> None:
    """Tick every open item, but in the use-ML group only the example's case: the others do not apply,
    for the reason the message file gives, written on the line below as the checklist expects."""
    inserted = 0
    for item in document.items:
        if item.state != checklist.OPEN:
            continue
        index = item.line - 1 + inserted
        if item.group is None or item.id == USE_CASE[example]:
            edit.lines[index] = edit.lines[index].replace("[ ]", "[x]", 1)
            edit.count("ticked")
            continue
        reason = say(f"example_answers.{example}.not_applicable.{item.id}")
        edit.lines[index] = edit.lines[index].replace("[ ]", "[-]", 1)
        edit.lines.insert(index + 1, f"  {reason}")
        inserted += 1
        edit.count("not_applicable")
    grouped = [item for item in document.items if item.group is not None]
    if grouped:  # every line inserted above lies within the group, so its end moved by all of them
        fill_after(edit, grouped[-1].line + inserted, say(f"example_answers.{example}.reasons_apply"))


def fill_after(edit: Edit, start: int, answer: str) -> None:
    """Replace a placeholder between `start` and the next item or heading: the line after the use-ML
    group that names the reasons that apply."""
    for index in range(start, len(edit.lines)):
        if checklist.TASK_ITEM.match(edit.lines[index]) or checklist.HEADING.match(edit.lines[index]):
            return
        if checklist.PLACEHOLDER.search(edit.lines[index]):
            edit.lines[index] = answered(edit.lines[index], answer)
            edit.count("placeholders")
            return
