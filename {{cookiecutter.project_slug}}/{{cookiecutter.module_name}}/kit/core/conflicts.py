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
from .messages import messages_here

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
    say = messages_here(__file__)
    for path in files:
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        marker = MARKER.search(text)
        if marker:
            line = text.count("\n", 0, marker.start()) + 1
            raise UnmergedError(say("conflicts.markers", file=path.relative_to(root).as_posix(), line=line))
    for rejected in rejected_changes(root):
        name = rejected.relative_to(root).as_posix()
        raise UnmergedError(say("conflicts.rejected", file=name, target=name.removesuffix(".rej")))


def rejected_changes(root: Path) -> list[Path]:
    """The `.rej` files of the project folder and of the folders the template writes into."""
    found = sorted(root.glob("*.rej"))
    for folder in TEMPLATE_FOLDERS:
        found += sorted((root / folder).rglob("*.rej"))
    return found
