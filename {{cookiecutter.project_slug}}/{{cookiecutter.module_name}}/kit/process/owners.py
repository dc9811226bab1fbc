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
from ..reports.markdown import MissingBlockError, replace_block
from .roles import DEFAULT_OWNER_ROLE, PATH_OWNERS, ROLE_BY_KEY, ROLES, STAGES, UNASSIGNED, Stage, Text

ROLES_PAGE = "docs/roles.md"
CODEOWNERS_PLACES = {"github": ".github/CODEOWNERS", "gitlab": ".gitlab/CODEOWNERS", "none": "CODEOWNERS"}

GENERATED_NOTE = Text(
    f"Generated from `params.yaml` by `python -m {PACKAGE} owners`; change owners there.",
    f"`params.yaml` から `python -m {PACKAGE} owners` で生成しています。担当者はそちらで変更してください。",
)
ROLES_HEADINGS = {
    "title": Text("Roles and owners", "ロールと担当者"),
    "unassigned": Text("Unassigned roles", "未割り当てのロール"),
    "none_unassigned": Text("Every role has an owner.", "すべてのロールに担当者がいます。"),
    "sponsor_missing": Text(
        "No sponsor is named yet. A missing sponsor is one of the most common reasons ML projects fail.",
        "スポンサーが決まっていません。スポンサー不在は、MLプロジェクトが失敗する主な理由の一つです。",
    ),
    "roles": Text("Who owns which role", "各ロールの担当者"),
    "stages": Text("What each stage asks of whom", "各ステージで誰に何を聞くか"),
    "paths": Text("Who owns which path (CODEOWNERS)", "各パスの担当者（CODEOWNERS）"),
    "default": Text(
        "Paths no line assigns, and paths whose role is unassigned, fall to the default owner:",
        "どの行にも当てはまらないパスと、ロールが未割り当てのパスは、既定の担当者が持ちます:",
    ),
}
COLUMNS = {
    "role": Text("Role", "ロール"),
    "responsibility": Text("Responsibility", "役割"),
    "owner": Text("Owner", "担当者"),
    "whom": Text("Whom", "誰に"),
    "request": Text("For what", "何を"),
    "path": Text("Path", "パス"),
    "stage_owner": Text("Stage owner", "ステージの担当"),
}


class Team:
    """The owners of every role, read from params.yaml, in the project's language."""

    def __init__(self, settings: config.Settings) -> None:
        self.language = settings.project.language
        self.ci = settings.project.ci
        self.owners = {key: config.parse_owners(value) for key, value in settings.owners}
        self.role_by_title = {self.text(role.title): role.key for role in ROLES}

    def text(self, text: Text) -> str:
        return text.in_(self.language)

    def owner_text(self, role: str) -> str:
        return " ".join(self.owners[role]) or self.text(UNASSIGNED)

    def tag(self, role: str) -> str:
        """How documents name a role and its owner, e.g. `Data Engineer (@alice)`."""
        return f"{self.text(ROLE_BY_KEY[role].title)} ({self.owner_text(role)})"

    def unassigned(self) -> list[str]:
        return [role.key for role in ROLES if not self.owners[role.key]]

    def tag_pattern(self) -> re.Pattern[str]:
        """Matches any role's tag in this language, whatever owner it shows now."""
        titles = sorted((self.text(role.title) for role in ROLES), key=len, reverse=True)
        owner = rf"{config.OWNER_PATTERN.pattern}|{re.escape(self.text(UNASSIGNED))}"
        return re.compile(
            rf"(?<![\w/])(?P<title>{'|'.join(map(re.escape, titles))}) "
            rf"\((?P<owners>(?:{owner})(?: (?:{owner}))*)\)"
        )

    def retag(self, text: str) -> str:
        return self.tag_pattern().sub(lambda match: self.tag(self.role_by_title[match["title"]]), text)


def asks_table(team: Team, stage: Stage) -> list[str]:
    lines = [
        f"| {team.text(COLUMNS['whom'])} | {team.text(COLUMNS['request'])} |",
        "| --- | --- |",
    ]
    for ask in stage.asks:
        whom = ", ".join(team.tag(role) for role in ask.roles)
        lines.append(f"| {whom} | {team.text(ask.request)} |")
    return lines


def path_owners(root: Path, ci: str) -> list[tuple[str, str]]:
    """(pattern, role) for every owned path of this project, counting the files `render` writes."""
    written = (root / ROLES_PAGE, root / CODEOWNERS_PLACES[ci])

    def exists(path: Path) -> bool:
        return path.exists() or any(path == file or path in file.parents for file in written)

    patterns = ((pattern.format(module=PACKAGE), role) for pattern, role in PATH_OWNERS)
    return [(pattern, role) for pattern, role in patterns if exists(root / pattern.strip("/"))]


def render_roles_page(team: Team, root: Path) -> str:
    heading = {name: team.text(text) for name, text in ROLES_HEADINGS.items()}
    column = {name: team.text(text) for name, text in COLUMNS.items()}
    lines = [f"# {heading['title']}", "", f"_{team.text(GENERATED_NOTE)}_", ""]

    lines += [f"## {heading['unassigned']}", ""]
    unassigned = team.unassigned()
    if "sponsor" in unassigned:
        lines += [f"**{heading['sponsor_missing']}**", ""]
    if unassigned:
        lines += [f"- {team.tag(role)}" for role in unassigned]
    else:
        lines.append(heading["none_unassigned"])

    lines += ["", f"## {heading['roles']}", ""]
    lines += [f"| {column['role']} | {column['responsibility']} | {column['owner']} |", "| --- | --- | --- |"]
    lines += [
        f"| {team.text(role.title)} | {team.text(role.responsibility)} | {team.owner_text(role.key)} |"
        for role in ROLES
    ]

    lines += ["", f"## {heading['stages']}"]
    for stage in STAGES:
        document = stage.document.format(module=PACKAGE)
        lines += [
            "",
            f"### {team.text(stage.title)}",
            "",
            f"[{document}](../{document}) · {column['stage_owner']}: {team.tag(stage.owner)}",
            "",
            *asks_table(team, stage),
        ]

    lines += ["", f"## {heading['paths']}", "", f"{heading['default']} {team.tag(DEFAULT_OWNER_ROLE)}", ""]
    lines += [f"| {column['path']} | {column['owner']} |", "| --- | --- |"]
    lines += [f"| `{pattern}` | {team.tag(role)} |" for pattern, role in path_owners(root, team.ci)]
    return "\n".join(lines) + "\n"


def render_codeowners(team: Team, root: Path) -> str:
    """CODEOWNERS in the syntax of the project's Git host; the last matching line wins."""
    default = team.owners[DEFAULT_OWNER_ROLE]
    lines = [f"# {team.text(GENERATED_NOTE)}"]
    if team.ci == "gitlab":
        # A section's default owners cover its lines that name no owner of their own.
        lines.append(f"[{team.text(COLUMNS['owner'])}] {' '.join(default)}".rstrip())
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
        asks = [*asks_table(team, stage), "", f"_{team.text(GENERATED_NOTE)}_"]
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
