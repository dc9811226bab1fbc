"""AGENTS.md and the prompts in docs/facilitation/ guide a coding assistant through the project: every
command, option, path, setting, checklist item and role they name must exist here, and every link to
and from them must resolve. Renaming a command or a file without the guide fails here, not in an
assistant's session."""

import functools
import re
from pathlib import Path

import pytest
import yaml

from {{ cookiecutter.module_name }}.kit import cli
from {{ cookiecutter.module_name }}.kit.core import pipeline
from {{ cookiecutter.module_name }}.kit.core.pipeline import Project
from {{ cookiecutter.module_name }}.kit.process import review, review_pack, roles

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "AGENTS.md"
PROMPTS = sorted((ROOT / "docs" / "facilitation").glob("*.md"))
COMMAND = re.compile(r"^python -m {{ cookiecutter.module_name }}(?: |$)")
MAX_GUIDE_LINES = 200  # an assistant reads the guide whole at the start of every session
CODE = re.compile(r"^```.*?^```|`[^`\n]+`", flags=re.MULTILINE | re.DOTALL)


@functools.cache
def spans(path: Path) -> list[str]:
    """The text in backticks outside fenced blocks, and each command of the fenced shell blocks."""
    text = path.read_text(encoding="utf-8")
    fenced = re.findall(r"^```bash\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)
    commands = [line.split("  #")[0].strip() for block in fenced for line in block.splitlines()]
    inline = [code.strip("`") for code in CODE.findall(text) if not code.startswith("```")]
    return [*inline, *(command for command in commands if command)]


def named(kind: str) -> list[tuple[str, str]]:
    """Every (file, span) of one kind in the guide and the prompts, once: commands, items, settings or paths."""
    found = {
        (path.relative_to(ROOT).as_posix(), span)
        for path in (GUIDE, *PROMPTS)
        for span in spans(path)
        if kind_of(span) == kind
    }
    return sorted(found)


def kind_of(span: str) -> str | None:
    if COMMAND.match(span):
        return "command"
    if span.startswith("item:"):
        return "item"
    if " " in span or span.startswith(("<", "http", "-", ".venv")):
        return None
    if re.fullmatch(r"[a-z_]+(\.[a-z_]+)*:?", span) and span.split(".")[0].rstrip(":") in settings():
        return "setting"
    if "/" in span or re.search(r"\.(md|py|yaml|json|html|toml|csv)$", span):
        return "path"
    return None


@functools.cache
def settings() -> dict:
    return yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))


def expanded(span: str) -> list[str]:
    """A span with each placeholder the guide writes for a value the reader chooses replaced by every
    value it stands for."""
    # Any command will do for `<command> --help`: every command has --help.
    placeholders = {"<stage>": pipeline.STAGES, "<command>": ("run",)}
    for placeholder, values in placeholders.items():
        if placeholder in span:
            return [each for value in values for each in expanded(span.replace(placeholder, value))]
    return [span]


def written_by_a_stage(path: str) -> bool:
    """Whether a stage or the review command writes `path`, which a new project does not have yet."""
    outputs = [*pipeline.OUTPUTS.values(), *(f"reports/{stage}" for stage in pipeline.STAGES)]
    outputs += [f"{review_pack.FOLDER}/{stage}.html" for stage in review.REVIEWS]
    return any(path.rstrip("/") == output or path.startswith(f"{output}/") for output in outputs)


def test_the_guide_is_short_enough_to_be_read_whole():
    lines = GUIDE.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MAX_GUIDE_LINES, f"AGENTS.md has {len(lines)} lines; keep it to {MAX_GUIDE_LINES}"


@pytest.mark.parametrize("where, command", named("command"))
def test_every_command_and_option_named_exists(where, command, capsys):
    for each in expanded(command):
        try:  # the project's own command line reads the words, as it would when typed
            cli.parser().parse_args(each.split()[3:])
        except SystemExit as refused:  # --help ends here too, with 0
            said = capsys.readouterr().err.strip().splitlines()
            assert refused.code == 0, f"{where}: `{each}` is refused: {said[-1] if said else ''}"


@pytest.mark.parametrize("where, item", named("item"))
def test_every_checklist_item_named_exists(where, item):
    documents = [path for path in ROOT.rglob("*.md") if ".venv" not in path.parts]
    marker = f"<!-- {item} -->"
    assert any(marker in path.read_text(encoding="utf-8") for path in documents), f"{where}: no {item}"


@pytest.mark.parametrize("where, key", named("setting"))
def test_every_setting_named_is_in_params_yaml(where, key):
    value = settings()
    for part in key.rstrip(":").split("."):
        assert isinstance(value, dict) and part in value, f"{where}: params.yaml has no {key}"
        value = value[part]


@pytest.mark.parametrize("where, path", named("path"))
def test_every_path_named_exists_or_is_written_by_a_stage(where, path):
    for each in expanded(path.rstrip("…")):
        if "/" not in each:  # a file name, as each stage folder has it
            assert next(ROOT.rglob(each), None), f"{where}: no file named {each}"
        else:
            assert (ROOT / each).exists() or written_by_a_stage(each), f"{where}: {each} does not exist"


def role_titles() -> set[str]:
    say = Project.load(ROOT).messages(roles.__file__)
    return {say(f"roles.{role}.title") for role in roles.ROLES}


@pytest.mark.parametrize("prompt", PROMPTS, ids=lambda path: path.name)
def test_each_prompt_names_what_it_reads_and_writes_and_asks_real_roles(prompt):
    rows = re.findall(r"^\| (.+?) \| (.+?) \|$", prompt.read_text(encoding="utf-8"), flags=re.MULTILINE)
    reads, writes, asks, moves = (cells for _, cells in rows[1:5])  # the header table, after its | --- | row
    assert "`" in reads and "`" in writes and moves
    asked = [role.strip() for role in re.split(r"[,、]", asks)]
    assert set(asked) <= role_titles(), f"{prompt.name} asks roles the project does not have: {asked}"


def links(path: Path) -> list[Path]:
    """Where the Markdown links of `path` lead; links shown as code are examples, not links."""
    text = CODE.sub("", path.read_text(encoding="utf-8"))
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    return [(path.parent / target).resolve() for target in targets if "://" not in target]


def test_every_link_of_the_guide_and_the_prompts_resolves_and_every_prompt_is_linked_from_a_document():
    documents = [
        ROOT / "docs" / "pr-faq.md",
        ROOT / "docs" / "business-understanding.md",
        *(ROOT / "{{ cookiecutter.module_name }}" / stage / "README.md" for stage in pipeline.STAGES),
    ]
    for path in (GUIDE, *PROMPTS, *documents):
        broken = [str(target) for target in links(path) if not target.exists()]
        assert not broken, f"{path.relative_to(ROOT)} links to what does not exist: {broken}"
    linked = {target for path in documents for target in links(path)}
    assert set(PROMPTS) <= linked, f"no document links to {sorted(set(PROMPTS) - linked)}"
    unlisted = {path.relative_to(ROOT).as_posix() for path in PROMPTS} - set(spans(GUIDE))
    assert not unlisted, f"AGENTS.md does not list {sorted(unlisted)}"
