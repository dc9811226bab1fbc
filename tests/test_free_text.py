"""Free-text answers land exactly as given and keep every file valid."""

import pytest
from conftest import bake, files, parse_structured, read, run

FREE_TEXT = [
    {
        "project_name": 'Tom\'s "Quoted" Project: v2',
        "description": 'Says "yes" or "no": nothing else.',
        "author": "O'Brien & Co. <ml@example.com>",
    },
    {
        "project_name": "経費仕分け 🚀",
        "description": "個人事業主の経費を仕分けます。\nA backslash \\ and a tab\there.",
        "author": "山田 太郎",
    },
    {
        "project_name": "- [ ] not a task # not a heading",
        "description": "key: value &anchor *alias !tag | > %percent @at `code`",
        "author": "C:\\Users\\someone",
    },
    {
        "project_name": "A very long project name " * 12,
        "project_slug": "very-long",
        "description": "One sentence that goes on, " * 200,
        "author": "Long Author " * 20,
    },
]


@pytest.mark.parametrize(
    "answers", FREE_TEXT, ids=["quotes", "japanese-emoji-newline", "metacharacters", "very-long"]
)
def test_free_text_lands_literally_and_every_file_stays_valid(cookies, answers):
    root = bake(cookies, **answers)

    pyproject = parse_structured(root / "pyproject.toml")
    assert pyproject["project"]["description"] == answers["description"]
    assert pyproject["project"]["authors"] == [{"name": answers["author"]}]
    assert parse_structured(root / "params.yaml")["project"]["name"] == answers["project_name"]
    readme = read(root, "README.md")
    assert readme.startswith(f"# {answers['project_name']}\n")
    assert answers["description"] in readme
    assert answers["author"] in read(root, "LICENSE")

    for path in files(root):
        if path.suffix in (".yaml", ".toml", ".json"):
            parse_structured(root / path)
    # The project's own checks of its config and owners read every file the answers reached.
    result = run(
        ["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_config.py", "tests/test_owners.py"], root
    )
    assert result.returncode == 0, result.stdout[-2000:]
