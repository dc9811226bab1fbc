"""Finish the new project: keep the chosen language and options, then fill in the owners.

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
# Files that only one choice of an option uses; the other choices' projects do without them.
OPTION_FILES = {
    "ci": {"github": (".github",), "gitlab": (".gitlab-ci.yml", ".gitlab", "renovate.json")},
    "serving": {"fastapi": ("{module}/serve.py", "{module}/evaluate/service.py", "tests/test_serve.py")},
    "demo": {"streamlit": ("{module}/demo.py", "tests/test_demo.py")},
}


def keep_language(root, language):
    """Rename every `name.<language>.md` to `name.md` and delete the other languages' copies."""
    for other in LANGUAGES:
        for path in sorted(root.rglob(f"*.{other}.md")):
            if other == language:
                path.rename(path.with_name(path.name.replace(f".{other}.md", ".md")))
            else:
                path.unlink()


def keep_chosen_options(root, context):
    """Delete the files of every option choice that was not taken."""
    for option, files_by_choice in OPTION_FILES.items():
        for choice, names in files_by_choice.items():
            if choice == context[option]:
                continue
            for name in names:
                path = root / name.format(module=context["module_name"])
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
    keep_chosen_options(root, context)
    write_owners(root, context["module_name"])


if __name__ == "__main__":
    main(CONTEXT, Path.cwd())
