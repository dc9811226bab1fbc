"""Refuse to work on a project that a template update left half-merged.

`cruft update` exits 0 even when a template change meets a line the team changed too. In git, it
writes both versions into the file between conflict markers; outside git, it keeps the team's
version and writes the template's change beside it, to `FILE.rej`. A command that read such a
project would count a checklist item twice or miss the template's change, and say nothing, so
every command checks first (through `config.load`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from .. import PACKAGE

# Git's first and last marker lines: exactly seven < or >, then a space or the end of the line.
# The ======= between them is not looked for, so a heading underlined with = is never taken for one.
MARKER = re.compile(r"^(?:<{7}|>{7})(?: |$)", re.MULTILINE)
# The folders a template update writes into; data/, models/ and .venv/ are the team's and are not searched.
TEMPLATE_FOLDERS = ("docs", PACKAGE, "tests", "notebooks", ".github", ".gitlab")


class UnmergedError(ValueError):
    """A template update left a conflict in the project that a person must resolve."""


def documents(root: Path) -> Iterator[Path]:
    """The Markdown files that the team edits and that template updates change too."""
    yield root / "README.md"
    yield from sorted((root / "docs").rglob("*.md"))
    yield from sorted((root / PACKAGE).rglob("*.md"))


def refuse_unmerged(root: Path, files: Iterable[Path]) -> None:
    """Raise UnmergedError naming the first of `files` with conflict markers, or a `.rej` file left."""
    for path in files:
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        marker = MARKER.search(text)
        if marker:
            line = text.count("\n", 0, marker.start()) + 1
            raise UnmergedError(
                f"{path.relative_to(root).as_posix()} has unresolved merge conflict markers at line {line}: "
                "resolve the conflict (keep one side, or combine them, and delete the <<<<<<< ======= >>>>>>> "
                "lines), then rerun."
            )
    for rejected in rejected_changes(root):
        name = rejected.relative_to(root).as_posix()
        raise UnmergedError(
            f"{name} holds a template change that did not apply to {name.removesuffix('.rej')}: make the "
            "change it shows by hand (lines starting with + are the template's, - the lines they replace) "
            f"or decide to leave it out, then delete {name} and rerun."
        )


def rejected_changes(root: Path) -> list[Path]:
    """The `.rej` files of the project folder and of the folders the template writes into."""
    found = sorted(root.glob("*.rej"))
    for folder in TEMPLATE_FOLDERS:
        found += sorted((root / folder).rglob("*.rej"))
    return found
