"""What a coding assistant reads in a baked project: AGENTS.md and the prompts in docs/facilitation/, in
each language and with each set of options; the files other assistants look for point to AGENTS.md."""

import pytest
from conftest import bake, files, read, run
from test_bake import DOCUMENTS
from test_japanese_output import english_prose

# The guide and the prompts, as the file tree of every bake lists them.
GUIDES = [path for path in DOCUMENTS if path == "AGENTS.md" or path.startswith("docs/facilitation/")]
ANSWERS = [
    {"language": "en"},
    {"language": "ja"},
    # Every optional part the other way round: the commands and files the guide names change with them.
    {
        "language": "ja",
        "ci": "gitlab",
        "serving": "none",
        "demo": "none",
        "data_versioning": "dvc",
        "tracking": "mlflow",
    },
    {"language": "en", "ci": "none", "problem_type": "regression", "engine": "spark"},
]


@pytest.mark.parametrize("answers", ANSWERS, ids=["-".join(answers.values()) for answers in ANSWERS])
def test_every_command_path_item_and_role_the_guide_names_exists(cookies_session, answers):
    root = bake(cookies_session, **answers)
    checked = run(["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_facilitation.py"], root)
    assert checked.returncode == 0, checked.stdout[-3000:]
    if answers["language"] == "ja":
        english = {path: english_prose(read(root, path)) for path in GUIDES}
        assert not any(english.values()), {path: found for path, found in english.items() if found}


@pytest.mark.parametrize("ci", ["github", "gitlab", "none"])
def test_the_files_other_assistants_read_point_to_agents_md(cookies_session, ci):
    root = bake(cookies_session, ci=ci)
    claude = read(root, "CLAUDE.md")
    assert "@AGENTS.md" in claude.splitlines()  # Claude Code's import of another file
    assert len(claude.splitlines()) < 10  # a pointer, not a copy
    copilot = [path for path in map(str, files(root)) if path.endswith("copilot-instructions.md")]
    if ci == "github":
        assert copilot == [".github/copilot-instructions.md"]
        assert "[AGENTS.md](../AGENTS.md)" in read(root, copilot[0])
    else:
        assert copilot == []  # no .github folder on other hosts
