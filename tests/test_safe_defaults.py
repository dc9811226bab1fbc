"""A new project is safe before anyone changes it: git keeps data, models and secrets out, the
pre-commit hooks stop keys, large files and unresolved template updates, and no file carries a
machine's path or a secret."""

import os
import re
import subprocess
import tomllib

import pytest
import yaml
from conftest import TOOLS, bake, files, read, tool

IGNORED = [
    "data/raw/transactions.csv",
    "data/interim/cleaned.parquet",
    "data/processed/train.parquet",
    "models/model.skops",
    "data/feedback/feedback.csv",
    ".env",
    ".env.production",
    "deploy/client.p12",
    "deploy/server.pem",
    "deploy/server.key",
]
KEPT = [
    ".env.example",
    "params.yaml",
    "docs/pr-faq.md",
    "data/raw/.gitkeep",
    "models/.gitkeep",
    "reports/.gitkeep",
    ".streamlit/config.toml",
]
# A home folder, a scratch folder or a private key: none belongs in a file the template writes.
MACHINE_OR_SECRET = re.compile(
    r"/home/\w|/Users/\w|/root/|C:\\Users|/tmp/|-----BEGIN [A-Z ]*PRIVATE KEY-----"
)


def git(root, *arguments):
    return subprocess.run(["git", *arguments], cwd=root, capture_output=True, text=True, check=False)


def test_gitignore_keeps_data_models_and_secrets_out_of_git(default_project):
    git(default_project, "init", "-q")
    for name in IGNORED:
        assert git(default_project, "check-ignore", "-q", "--no-index", name).returncode == 0, name
    for name in KEPT:
        assert git(default_project, "check-ignore", "-q", "--no-index", name).returncode == 1, name


def test_the_demo_answers_on_this_computer_only_and_sends_no_usage_statistics(default_project):
    config = tomllib.loads(read(default_project, ".streamlit/config.toml"))
    assert config["server"]["address"] in ("localhost", "127.0.0.1")
    assert config["browser"]["gatherUsageStats"] is False


@pytest.mark.parametrize(("language", "ci"), [("en", "github"), ("ja", "gitlab")])
def test_no_file_holds_a_machine_path_or_a_secret(cookies, language, ci):
    root = bake(cookies, language=language, ci=ci)
    for path in files(root):
        text = (root / path).read_bytes().decode("utf-8")
        assert not MACHINE_OR_SECRET.search(text), f"{path}: {MACHINE_OR_SECRET.search(text).group()}"


def test_the_pre_commit_hooks_stop_a_private_key_a_large_file_and_an_unresolved_template_update(
    cookies, tmp_path
):
    root = bake(cookies)
    (root / "deploy.txt").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n", encoding="utf-8")
    (root / "docs" / "export.csv").write_bytes(b"a,b\n" * 300_000)
    # What `cruft update` leaves: markers in a file (in git, yet with no merge under way), or a .rej file.
    conflict = ["<" * 7 + " ours", "- [x] Ticked", "=" * 7, "- [ ] Reworded", ">" * 7 + " theirs", ""]
    (root / "docs" / "pr-faq.md").write_text(
        "\n".join(conflict) + read(root, "docs/pr-faq.md"), encoding="utf-8"
    )
    (root / "docs" / "pr-faq.md.rej").write_text("@@ -1 +1 @@\n-old\n+new\n", encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", "-A")
    config = yaml.safe_load(read(root, ".pre-commit-config.yaml"))
    hooks = {hook["id"]: hook.get("args", []) for repo in config["repos"] for hook in repo["hooks"]}

    stopped = [
        ("detect-private-key", "deploy.txt"),
        ("check-added-large-files", "docs/export.csv"),
        ("check-merge-conflict", "docs/pr-faq.md"),
    ]
    for hook, name in stopped:
        result = tool(hook, *hooks[hook], name, cwd=root)
        assert result.returncode == 1, f"{hook} let {name} through"

    # The .rej guard is a local hook that needs no download, so pre-commit itself runs it.
    local = tmp_path / "local-hooks.yaml"
    local.write_text(yaml.safe_dump({"repos": [r for r in config["repos"] if r["repo"] == "local"]}))
    result = subprocess.run(
        [TOOLS / "pre-commit", "run", "--config", local, "--files", "docs/pr-faq.md", "docs/pr-faq.md.rej"],
        cwd=root,
        env={**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "docs/pr-faq.md.rej" in result.stdout and "docs/pr-faq.md\n" not in result.stdout
