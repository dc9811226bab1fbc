"""The sentences people read, kept out of the code in one message file per folder and language.

A folder whose code speaks keeps its sentences in `messages.<language>.yaml` beside that code; the
code holds only keys and values. A project keeps the files of the language it was made in, so
changing a sentence, or seeing every sentence a stage can say, means reading one short file.

    say = messages_beside(__file__, "en")
    say("rows", rows=1200)      # "rows: 1,200" from `rows: "rows: {rows:,}"`

Messages are Python format strings: `{name}` takes the value passed as `name=`, with a format spec
after a colon as usual; double a brace to show it. `{package}` is always the package's
name, as commands such as `python -m {package} owners` need it.
"""

from __future__ import annotations

import functools
import string
from pathlib import Path
from typing import Any

import yaml

from .. import PACKAGE

KIT = Path(__file__).resolve().parents[1]


class MessageError(LookupError):
    """A message file, or a message in it, that the code asks for is not there."""


class Messages:
    """One folder's sentences in one language, looked up by key and filled in with values."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.language = path.suffixes[-2].lstrip(".")
        self.table = read_messages(path)

    def __call__(self, key: str, /, **values: Any) -> str:
        try:
            template = self.table[key]
        except KeyError:
            raise MessageError(f"{self.path} has no message '{key}': add it, in every language.") from None
        return template.format(package=PACKAGE, **values)

    def keys(self, prefix: str) -> list[str]:
        """The keys that start with `prefix`, in the file's order: for lists such as table headers."""
        return [key for key in self.table if key.startswith(prefix)]


def languages() -> tuple[str, ...]:
    """The languages this project speaks: those its command line has messages for."""
    return tuple(sorted(path.suffixes[-2].lstrip(".") for path in KIT.glob("messages.*.yaml")))


def spoken() -> str:
    """The language this project speaks. A project keeps the message files of one language, and
    params.yaml's project.language can name only that one; errors found before params.yaml is read
    (or while it is broken) need it too."""
    return languages()[0]


def messages_here(module_file: str) -> Messages:
    """The messages beside `module_file` in the project's language: for code that has no settings at hand."""
    return messages_beside(module_file, spoken())


@functools.cache
def messages_beside(module_file: str, language: str) -> Messages:
    """The messages of the folder that holds `module_file` (pass `__file__`), in `language`."""
    path = Path(module_file).resolve().with_name(f"messages.{language}.yaml")
    if not path.is_file():
        raise MessageError(
            f"This project has no messages in '{language}' ({path.name} is missing beside {Path(module_file).name}). "
            f"Set project.language in params.yaml to one of: {', '.join(languages())}."
        )
    return Messages(path)


def read_messages(path: Path) -> dict[str, str]:
    """A message file as flat `section.key` → message; nested mappings only group related keys."""
    table: dict[str, str] = {}

    def add(prefix: str, node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                add(f"{prefix}{key}.", value)
        elif isinstance(node, str):
            table[prefix[:-1]] = node
        else:
            raise MessageError(f"{path}: '{prefix[:-1]}' must be text; put it in quotes.")

    add("", yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return table


def placeholders(message: str) -> set[str]:
    """The names a message fills in, without `package`, which every message may use."""
    names = {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(message) if name}
    return names - {"package"}
