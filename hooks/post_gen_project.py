"""Finish the new project: keep the chosen language and CI host, then fill in the owners.

Owners are written by the project's own `owners` command, the same code the team runs later
after changing params.yaml. The hook changes nothing outside the new project, so it can run
again safely when the template is updated.
"""

import importlib
import json
import shutil
import sys
from pathlib import Path

CONTEXT = json.loads({{cookiecutter | tojson | tojson}})

LANGUAGES = ("en", "ja")
# Files and folders that only one CI host uses.
CI_FILES = {"github": (".github",), "gitlab": (".gitlab-ci.yml", ".gitlab")}


def keep_language(root, language):
    """Rename every `name.<language>.md` to `name.md` and delete the other languages' copies."""
    for other in LANGUAGES:
        for path in sorted(root.rglob(f"*.{other}.md")):
            if other == language:
                path.rename(path.with_name(path.name.replace(f".{other}.md", ".md")))
            else:
                path.unlink()


def keep_ci(root, ci):
    for host, names in CI_FILES.items():
        if host == ci:
            continue
        for name in names:
            path = root / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()


def write_owners(root, module_name):
    sys.dont_write_bytecode = True  # leave no __pycache__ in the new project
    sys.path.insert(0, str(root))
    owners = importlib.import_module(f"{module_name}.owners")
    owners.update(root)


def main(context, root):
    keep_language(root, context["language"])
    keep_ci(root, context["ci"])
    write_owners(root, context["module_name"])


if __name__ == "__main__":
    main(CONTEXT, Path.cwd())
