"""A new project is safe before anyone changes it: git keeps data, models and secrets out, the
pre-commit hooks stop keys and large files, and no file carries a machine's path or a secret."""

import re
import subprocess

import pytest
import yaml
from conftest import bake, files, read, tool

IGNORED = [
    "data/raw/transactions.csv",
    "data/interim/cleaned.parquet",
    "data/processed/train.parquet",
    "models/model.skops",
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


@pytest.mark.parametrize(("language", "ci"), [("en", "github"), ("ja", "gitlab")])
def test_no_file_holds_a_machine_path_or_a_secret(cookies, language, ci):
    root = bake(cookies, language=language, ci=ci)
    for path in files(root):
        text = (root / path).read_bytes().decode("utf-8")
        assert not MACHINE_OR_SECRET.search(text), f"{path}: {MACHINE_OR_SECRET.search(text).group()}"


def test_the_pre_commit_hooks_stop_a_private_key_and_a_large_file(cookies):
    root = bake(cookies)
    (root / "deploy.txt").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n", encoding="utf-8")
    (root / "docs" / "export.csv").write_bytes(b"a,b\n" * 300_000)
    git(root, "init", "-q")
    git(root, "add", "-A")
    config = yaml.safe_load(read(root, ".pre-commit-config.yaml"))
    hooks = {hook["id"]: hook.get("args", []) for repo in config["repos"] for hook in repo["hooks"]}

    for hook, name in [("detect-private-key", "deploy.txt"), ("check-added-large-files", "docs/export.csv")]:
        result = tool(hook, *hooks[hook], name, cwd=root)
        assert result.returncode == 1, f"{hook} let {name} through"
