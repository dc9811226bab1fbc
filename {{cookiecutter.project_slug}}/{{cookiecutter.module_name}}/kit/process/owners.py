"""Write the owners from params.yaml everywhere they appear.

Owners change after the project starts. `python -m <package> owners` re-renders the roles page,
CODEOWNERS, the "whom to ask" block of each stage and every owner tag in the documents, so a
change in params.yaml reaches all of them at once. The project's creation runs the same code.
"""

from __future__ import annotations

import re
from pathlib import Path

from .. import PACKAGE
from ..core import config
from ..core.conflicts import documents
from ..core.files import write_text
from ..core.messages import messages_beside
from ..reports.markdown import MissingBlockError, replace_block
from .roles import DEFAULT_OWNER_ROLE, PATH_OWNERS, ROLES, STAGES, Ask, Stage

ROLES_PAGE = "docs/roles.md"
CODEOWNERS_PLACES = {"github": ".github/CODEOWNERS", "gitlab": ".gitlab/CODEOWNERS", "none": "CODEOWNERS"}


class Team:
    """The owners of every role, read from params.yaml, and the roles' words in the project's language."""

    def __init__(self, settings: config.Settings) -> None:
        self.language = settings.project.language
        self.ci = settings.project.ci
        self.owners = {key: config.parse_owners(value) for key, value in settings.owners}
        self.say = messages_beside(__file__, self.language)
        self.role_by_title = {self.title(role): role for role in ROLES}

    def title(self, role: str) -> str:
        return self.say(f"roles.{role}.title")

    def responsibility(self, role: str) -> str:
        return self.say(f"roles.{role}.responsibility")

    def stage_title(self, stage: Stage) -> str:
        return self.say(f"stages.{stage.key}.title")

    def request(self, stage: Stage, ask: Ask) -> str:
        return self.say(f"stages.{stage.key}.asks.{ask.topic}")

    def owner_text(self, role: str) -> str:
        return " ".join(self.owners[role]) or self.say("owners.unassigned")

    def tag(self, role: str) -> str:
        """How documents name a role and its owner, e.g. `Data Engineer (@alice)`."""
        return f"{self.title(role)} ({self.owner_text(role)})"

    def unassigned(self) -> list[str]:
        return [role for role in ROLES if not self.owners[role]]

    def tag_pattern(self) -> re.Pattern[str]:
        """Matches any role's tag in this language, whatever owner it shows now."""
        titles = sorted(self.role_by_title, key=len, reverse=True)
        owner = rf"{config.OWNER_PATTERN.pattern}|{re.escape(self.say('owners.unassigned'))}"
        return re.compile(
            rf"(?<![\w/])(?P<title>{'|'.join(map(re.escape, titles))}) "
            rf"\((?P<owners>(?:{owner})(?: (?:{owner}))*)\)"
        )

    def retag(self, text: str) -> str:
        return self.tag_pattern().sub(lambda match: self.tag(self.role_by_title[match["title"]]), text)


def asks_table(team: Team, stage: Stage) -> list[str]:
    lines = [
        f"| {team.say('owners.column.whom')} | {team.say('owners.column.request')} |",
        "| --- | --- |",
    ]
    for ask in stage.asks:
        whom = ", ".join(team.tag(role) for role in ask.roles)
        lines.append(f"| {whom} | {team.request(stage, ask)} |")
    return lines


def path_owners(root: Path, ci: str) -> list[tuple[str, str]]:
    """(pattern, role) for every owned path of this project, counting the files `render` writes."""
    written = (root / ROLES_PAGE, root / CODEOWNERS_PLACES[ci])

    def exists(path: Path) -> bool:
        return path.exists() or any(path == file or path in file.parents for file in written)

    patterns = ((pattern.format(module=PACKAGE), role) for pattern, role in PATH_OWNERS)
    return [(pattern, role) for pattern, role in patterns if exists(root / pattern.strip("/"))]


def render_roles_page(team: Team, root: Path) -> str:
    say = team.say
    lines = [f"# {say('owners.page.title')}", "", f"_{say('owners.generated')}_", ""]

    lines += [f"## {say('owners.page.unassigned')}", ""]
    unassigned = team.unassigned()
    if "sponsor" in unassigned:
        lines += [f"**{say('owners.sponsor_missing')}**", ""]
    if unassigned:
        lines += [f"- {team.tag(role)}" for role in unassigned]
    else:
        lines.append(say("owners.page.none_unassigned"))

    lines += ["", f"## {say('owners.page.roles')}", ""]
    lines += [
        f"| {say('owners.column.role')} | {say('owners.column.responsibility')} | {say('owners.column.owner')} |",
        "| --- | --- | --- |",
    ]
    lines += [
        f"| {team.title(role)} | {team.responsibility(role)} | {team.owner_text(role)} |" for role in ROLES
    ]

    lines += ["", f"## {say('owners.page.stages')}"]
    for stage in STAGES:
        document = stage.document.format(module=PACKAGE)
        lines += [
            "",
            f"### {team.stage_title(stage)}",
            "",
            f"[{document}](../{document}) · {say('owners.column.stage_owner')}: {team.tag(stage.owner)}",
            "",
            *asks_table(team, stage),
        ]

    lines += [
        "",
        f"## {say('owners.page.paths')}",
        "",
        f"{say('owners.page.default')} {team.tag(DEFAULT_OWNER_ROLE)}",
        "",
    ]
    lines += [f"| {say('owners.column.path')} | {say('owners.column.owner')} |", "| --- | --- |"]
    lines += [f"| `{pattern}` | {team.tag(role)} |" for pattern, role in path_owners(root, team.ci)]
    return "\n".join(lines) + "\n"


def render_codeowners(team: Team, root: Path) -> str:
    """CODEOWNERS in the syntax of the project's Git host; the last matching line wins."""
    default = team.owners[DEFAULT_OWNER_ROLE]
    lines = [f"# {team.say('owners.generated')}"]
    if team.ci == "gitlab":
        # A section's default owners cover its lines that name no owner of their own.
        lines.append(f"[{team.say('owners.column.owner')}] {' '.join(default)}".rstrip())
        lines.append("*" if default else f"# * {team.tag(DEFAULT_OWNER_ROLE)}")
    else:
        lines.append(f"* {' '.join(default)}" if default else f"# * {team.tag(DEFAULT_OWNER_ROLE)}")
    for pattern, role in path_owners(root, team.ci):
        if team.owners[role]:
            lines.append(f"{pattern} {' '.join(team.owners[role])}")
        elif team.ci == "gitlab" and default:
            lines.append(pattern)
        else:
            lines.append(f"# {pattern} {team.tag(role)}")
    return "\n".join(lines) + "\n"


def render(root: Path, team: Team) -> dict[Path, str]:
    """The full text every owner-bearing file should have."""
    wanted = {
        root / ROLES_PAGE: render_roles_page(team, root),
        root / CODEOWNERS_PLACES[team.ci]: render_codeowners(team, root),
    }
    for stage in STAGES:
        path = root / stage.document.format(module=PACKAGE)
        text = team.retag(wanted.get(path, path.read_text(encoding="utf-8")))
        asks = [*asks_table(team, stage), "", f"_{team.say('owners.generated')}_"]
        try:
            wanted[path] = replace_block(text, "asks", "\n".join(asks))
        except MissingBlockError as error:
            raise MissingBlockError(f"{path.relative_to(root)}: {error}") from None
    for path in documents(root):
        if path.is_file() and path not in wanted:
            wanted[path] = team.retag(path.read_text(encoding="utf-8"))
    return wanted


def update(root: Path, check: bool = False) -> list[Path]:
    """Bring every owner-bearing file in line with params.yaml; return the files that differ.

    With `check`, nothing is written: the list says which files are out of date.
    """
    team = Team(config.load(root))
    changed = []
    for path, text in render(root, team).items():
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current != text:
            changed.append(path)
            if not check:
                write_text(path, text)
    return changed
