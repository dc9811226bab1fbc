"""Every Japanese document, message and notebook of a baked project speaks the workshop's vocabulary.

The vocabulary is the Japanese glossary the project ships (`docs/glossary.ja.md`, `docs/glossary.md`
once baked): the six processes and the word for them, the 19 roles with their duties, and the three
checklists, each with the variants that must not appear.
"""

import re

import pytest
import yaml
from conftest import CJK, TEMPLATE, bake, files, read, run

PROJECT = TEMPLATE / "{{cookiecutter.project_slug}}"
GLOSSARY = PROJECT / "docs" / "glossary.ja.md"
PROCESS_MESSAGES = PROJECT / "{{cookiecutter.module_name}}" / "kit" / "process"
# Documents differ with the options; these bakes between them render every branch of the Japanese text.
BAKES = {
    "classification-github-all-parts": {},
    "regression-gitlab-no-parts": {
        "problem_type": "regression",
        "ci": "gitlab",
        "serving": "none",
        "demo": "none",
    },
    "own-data-none-serving-only": {"ci": "none", "demo": "none", "example_data": "none"},
}
STAGES = ["Analyze", "Prepare", "Preprocess", "Train", "Test"]
BOLD = re.compile(r"\*\*(.+?)\*\*")


def tables(text):
    """{section heading: [row as {column: cell}]} of every Markdown table under a `##` heading."""
    sections, heading, header = {}, None, None
    for line in text.splitlines():
        if line.startswith("## "):
            heading, header = line[3:].strip(), None
        elif line.startswith("|") and heading:
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if header is None:
                header = cells
            elif not set("".join(cells)) <= set("-: "):
                sections.setdefault(heading, []).append(dict(zip(header, cells, strict=True)))
        else:
            header = None
    return sections


def variants(cell):
    return [variant.strip() for variant in cell.split("、") if variant.strip()]


def load_glossary():
    sections = tables(GLOSSARY.read_text(encoding="utf-8"))
    terms = [row for name in ("プロセス", "ロール", "チェックリスト") for row in sections[name]]
    allowed = [row["言い回し"] for row in sections["別の意味で使ってよい言い回し"]]
    return sections, terms, allowed


SECTIONS, TERMS, ALLOWED = load_glossary()
ROLES = SECTIONS["ロール"]


def japanese_files(root):
    """Every baked file that holds Japanese: documents, message files, notebooks, CODEOWNERS.

    The glossary itself lists the variants it forbids, and the example data is data, not prose.
    """
    chosen = [
        path for path in files(root) if path.suffix not in (".csv", ".lock") and path.parts[0] != ".locks"
    ]
    chosen = [path for path in chosen if str(path) != "docs/glossary.md"]
    return [path for path in chosen if CJK.search(read(root, path))]


def drifts(text):
    """(line number, variant, term to use) for every forbidden variant in `text`.

    The glossary's own terms and the allowed phrases are blanked first, so that a variant that is part
    of a right term (モデルリスク管理者 in 機械学習モデルリスク管理者) is not taken for a drift.
    """
    found = []
    masks = sorted([row["用語"] for row in TERMS] + ALLOWED, key=len, reverse=True)
    # Longest first, each blanked once found: IT監査担当者 is reported once, not again as 監査担当者.
    forbidden = sorted(
        ((variant, row["用語"]) for row in TERMS for variant in variants(row["使わない言い方"])),
        key=lambda pair: len(pair[0]),
        reverse=True,
    )
    for number, line in enumerate(text.splitlines(), start=1):
        for mask in masks:
            line = line.replace(mask, "\0" * len(mask))
        for variant, term in forbidden:
            if variant in line:
                found.append((number, variant, term))
                line = line.replace(variant, "\0" * len(variant))
    return found


def report(drifted):
    return "\n".join(
        f"{path}:{number}: 「{variant}」ではなく「{term}」を使う" for path, number, variant, term in drifted
    )


def test_the_glossary_names_the_six_processes_the_nineteen_roles_and_the_three_checklists():
    processes = [row["英語名"] for row in SECTIONS["プロセス"]]
    assert processes == ["Process", "Business Understanding", *STAGES]
    assert len(ROLES) == 19 and ROLES[0]["用語"] == "スポンサー"
    assert {"IT監督者", "業務有識者", "業務担当者(機械学習側)", "機械学習モデルリスク管理者"} <= {
        row["用語"] for row in ROLES
    }
    assert len(SECTIONS["チェックリスト"]) == 3
    for row in ROLES:
        assert BOLD.findall(row["役割"]), f"{row['用語']}: the duty marks none of its tasks in bold"
    it_auditor = next(row for row in ROLES if row["英語名"] == "IT Auditor")
    assert {"権限管理", "監査"} <= set(BOLD.findall(it_auditor["役割"]))


def test_every_role_has_its_workshop_name_in_both_languages_message_files():
    japanese = yaml.safe_load((PROCESS_MESSAGES / "messages.ja.yaml").read_text(encoding="utf-8"))["roles"]
    english = yaml.safe_load((PROCESS_MESSAGES / "messages.en.yaml").read_text(encoding="utf-8"))["roles"]
    assert len(japanese) == len(english) == len(ROLES)
    for key, row in zip(japanese, ROLES, strict=True):
        assert japanese[key]["title"] == row["用語"], f"roles.{key}.title: use 「{row['用語']}」"
        assert english[key]["title"] == row["英語名"], f"roles.{key}.title (en): use {row['英語名']!r}"
        duty = row["役割"].replace("**", "")
        assert japanese[key]["responsibility"] == duty, f"roles.{key}.responsibility: use 「{duty}」"


@pytest.fixture(scope="module", params=list(BAKES), ids=list(BAKES))
def japanese_project(request, cookies_session):
    return bake(cookies_session, language="ja", **BAKES[request.param])


def test_the_japanese_project_carries_the_glossary(japanese_project):
    assert read(japanese_project, "docs/glossary.md") == GLOSSARY.read_text(encoding="utf-8")


def test_no_document_message_or_notebook_uses_a_variant_the_glossary_forbids(japanese_project):
    drifted = [
        (path, number, variant, term)
        for path in japanese_files(japanese_project)
        for number, variant, term in drifts(read(japanese_project, path))
    ]
    assert not drifted, "\n" + report(drifted)


@pytest.mark.slow  # the command takes seconds; what it prints comes from the files checked above
def test_the_checklist_report_speaks_the_glossary_too(cookies):
    root = bake(cookies, language="ja")
    result = run(["-m", "expense_classifier", "checklist"], root)
    assert result.returncode == 0, result.stderr
    drifted = [("checklist", number, variant, term) for number, variant, term in drifts(result.stdout)]
    assert not drifted, "\n" + report(drifted)
    for row in SECTIONS["プロセス"][1:]:
        assert row["用語"] in result.stdout, f"the report does not name the process 「{row['用語']}」"


def test_the_roles_page_gives_every_role_its_full_workshop_duty(japanese_project):
    # The first table of the roles page: role | duty | owners.
    roles_table = tables(read(japanese_project, "docs/roles.md"))["各ロールの担当者"]
    rows = {row["ロール"]: row["役割"] for row in roles_table}
    for row in ROLES:
        duty = rows.get(row["用語"])
        assert duty is not None, f"docs/roles.md: no row for 「{row['用語']}」"
        missing = [task for task in BOLD.findall(row["役割"]) if task not in duty]
        assert not missing, f"docs/roles.md: 「{row['用語']}」's duty leaves out {missing}"


def test_the_templates_own_japanese_text_uses_no_forbidden_variant():
    # The questions' help texts, and the text templates the project's code fills in.
    sources = [TEMPLATE / "cookiecutter.json", *sorted((TEMPLATE / "templates").glob("*.j2"))]
    drifted = [
        (path.relative_to(TEMPLATE), number, variant, term)
        for path in sources
        for number, variant, term in drifts(path.read_text(encoding="utf-8"))
    ]
    assert not drifted, "\n" + report(drifted)
