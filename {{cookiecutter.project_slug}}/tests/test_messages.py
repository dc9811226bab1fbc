"""Every sentence the code shows comes from the message file beside it, complete and filled in.

Code looks messages up through a name `say` (`say("key", value=...)`), each folder in its own
`messages.<language>.yaml`; tests give their skip reasons through `skip_reason` and `not_applicable`,
from the `skips` section beside readiness.py. These tests read the code without running it, so a key
written wrongly, a value left out or a message nobody uses is found before a report or a console line
shows it.
"""

import ast
from pathlib import Path

import pytest

import {{ cookiecutter.module_name }}
from {{ cookiecutter.module_name }}.kit.core import config
from {{ cookiecutter.module_name }}.kit.core.messages import Messages, placeholders
from {{ cookiecutter.module_name }}.kit.process import readiness

PACKAGE = Path({{ cookiecutter.module_name }}.__file__).parent
ROOT = PACKAGE.parent
SKIP_HELPERS = ("skip_reason", "not_applicable")
LANGUAGE = config.load().project.language


class Lookup:
    """One `say(...)` call: its key, or the fixed start of a key built at run time, and its values."""

    def __init__(self, path: Path, call: ast.Call) -> None:
        self.where = f"{path.relative_to(ROOT)}:{call.lineno}"
        first = call.args[0] if call.args else None
        self.key = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
        self.prefix = None
        if isinstance(first, ast.JoinedStr) and first.values and isinstance(first.values[0], ast.Constant):
            self.prefix = str(first.values[0].value)
        keywords = [keyword.arg for keyword in call.keywords]
        self.values = None if None in keywords else set(keywords)  # None: values passed as **mapping


def lookups(folder: Path) -> list[Lookup]:
    found = []
    for path in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name == "say":
                found.append(Lookup(path, node))
            elif (
                name == "keys"
                and isinstance(node.func, ast.Attribute)
                and getattr(node.func.value, "id", "") == "say"
            ):
                lookup = Lookup(path, node)
                lookup.prefix, lookup.key = lookup.key, None
                found.append(lookup)
    return found


FOLDERS = sorted(path.parent for path in PACKAGE.rglob(f"messages.{LANGUAGE}.yaml"))


@pytest.mark.parametrize("folder", FOLDERS, ids=[str(path.relative_to(PACKAGE)) or "." for path in FOLDERS])
def test_every_message_the_code_asks_for_is_there_with_the_values_it_fills_in(folder):
    messages = Messages(folder / f"messages.{LANGUAGE}.yaml")
    for lookup in lookups(folder):
        if lookup.key is not None:
            assert lookup.key in messages.table, (
                f"{lookup.where}: no message '{lookup.key}' in {messages.path.name}"
            )
            expected = placeholders(messages.table[lookup.key])
            if lookup.values is not None:
                assert lookup.values == expected, (
                    f"{lookup.where}: '{lookup.key}' fills in {sorted(expected)}"
                )
        elif lookup.prefix is not None:
            assert messages.keys(lookup.prefix), f"{lookup.where}: no message starts '{lookup.prefix}'"


@pytest.mark.parametrize("folder", FOLDERS, ids=[str(path.relative_to(PACKAGE)) or "." for path in FOLDERS])
def test_every_message_in_a_file_is_used_by_the_code_beside_it(folder):
    messages = Messages(folder / f"messages.{LANGUAGE}.yaml")
    asked = lookups(folder)
    keys = {lookup.key for lookup in asked if lookup.key is not None}
    prefixes = tuple(lookup.prefix for lookup in asked if lookup.prefix)
    unused = [key for key in messages.table if key not in keys and not key.startswith(prefixes or ("\0",))]
    assert not unused, (
        f"{messages.path.name} in {folder.relative_to(PACKAGE)} has messages nothing shows: {unused}"
    )


def test_every_folder_whose_code_speaks_has_its_message_file():
    silent = {path.parent for path in PACKAGE.rglob("*.py")} - set(FOLDERS)
    speaking = [folder for folder in silent if lookups(folder)]
    assert not speaking, f"code asks for messages but no messages.{LANGUAGE}.yaml is beside it: {speaking}"


def skip_reasons() -> list[Lookup]:
    """Every `skip_reason(...)` and `not_applicable(...)` in the project's tests, wherever they sit."""
    tests = [ROOT / "conftest.py", *(ROOT / "tests").glob("*.py"), *PACKAGE.rglob("test_*.py")]
    found = []
    for path in sorted(tests):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in SKIP_HELPERS:
                found.append(Lookup(path, node))
    return found


def test_every_skip_reason_the_tests_give_is_there_and_used():
    messages = Messages(Path(readiness.__file__).with_name(f"messages.{LANGUAGE}.yaml"))
    given = skip_reasons()
    for lookup in given:
        assert lookup.key is not None, f"{lookup.where}: give the skip reason's key as plain text"
        key = f"skips.{lookup.key}"
        assert key in messages.table, f"{lookup.where}: no message '{key}' in {messages.path.name}"
        assert lookup.values == placeholders(messages.table[key]), (
            f"{lookup.where}: '{key}' fills in {sorted(placeholders(messages.table[key]))}"
        )
    unused = set(messages.keys("skips.")) - {f"skips.{lookup.key}" for lookup in given}
    assert not unused, f"{messages.path.name} has skip reasons no test gives: {sorted(unused)}"
