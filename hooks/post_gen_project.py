"""Finish the new project: keep the chosen language and options, write uv.lock, fill in the owners,
write params.schema.json, and show the first week's steps.

Owners are written by the project's own `owners` command, the same code the team runs later
after changing params.yaml. The hook changes nothing outside the new project, so it can run
again safely when the template is updated.
"""

import importlib
import json
import re
import shutil
import sys
import tomllib
from pathlib import Path

CONTEXT = json.loads({{cookiecutter | tojson | tojson}})

LANGUAGES = ("en", "ja")
# Files that only one choice of an option uses; the other choices' projects do without them.
OPTION_FILES = {
    "ci": {"github": (".github",), "gitlab": (".gitlab-ci.yml", ".gitlab", "renovate.json")},
    "serving": {
        "fastapi": ("{module}/kit/operations/serve.py", "{module}/test/service.py", "tests/test_serve.py")
    },
    "demo": {"streamlit": ("{module}/kit/operations/demo.py", "tests/test_demo.py", ".streamlit")},
    "data_versioning": {
        "dvc": (".dvc", ".dvcignore", "{module}/kit/core/versioning.py", "tests/test_dvc.py")
    },
    "tracking": {
        "mlflow": (
            "{module}/kit/core/tracking.py",
            "{module}/kit/core/logged_model.py",
            "tests/test_tracking.py",
        )
    },
}
# Message sections that only one choice of an option shows: (folder, top-level section) pairs. The other
# choices' projects drop them, as each message in a file must be shown by the code beside it.
OPTION_MESSAGES = {
    "serving": {
        "fastapi": (
            ("{module}/kit", "serve"),
            ("{module}/kit/operations", "serve"),
            ("{module}/kit/process", "skips.serving"),
            ("{module}/kit", "serve_alias"),
        )
    },
    "demo": {"streamlit": (("{module}/kit/operations", "demo"), ("{module}/kit/process", "skips.demo"))},
    "data_versioning": {"dvc": (("{module}/kit", "dvc"), ("{module}/kit/core", "versioning"))},
    # `serve --alias` needs both the service and MLflow: its help goes unless both are chosen.
    "tracking": {
        "mlflow": (
            ("{module}/kit/core", "tracking"),
            ("{module}/kit/process", "skips.tracking"),
            ("{module}/kit", "serve_alias"),
        )
    },
}


def keep_language(root, language):
    """Rename every `name.<language>.md` to `name.md`, and delete the other languages' documents and
    message files (`messages.<language>.yaml`, which the code picks by params.yaml's language)."""
    for other in LANGUAGES:
        for path in sorted(root.rglob(f"*.{other}.md")):
            if other == language:
                path.rename(path.with_name(path.name.replace(f".{other}.md", ".md")))
            else:
                path.unlink()
        if other != language:
            for path in sorted(root.rglob(f"messages.{other}.yaml")):
                path.unlink()


def keep_chosen_options(root, context):
    """Delete the files and message sections of every option choice that was not taken."""
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
    for option, sections_by_choice in OPTION_MESSAGES.items():
        for choice, sections in sections_by_choice.items():
            if choice == context[option]:
                continue
            for folder, section in sections:
                messages = root / folder.format(module=context["module_name"])
                for path in sorted(messages.glob("messages.*.yaml")):
                    text = without_section(path.read_text(encoding="utf-8"), section)
                    path.write_text(text, encoding="utf-8")


def without_section(text, section):
    """A message file without one top-level section: its key and every line under it, up to the next key."""
    kept = []
    inside = False
    for line in text.splitlines(keepends=True):
        if not line.startswith((" ", "#", "\n")):
            inside = line.startswith(f"{section}:")
        if not inside:
            kept.append(line)
    # A last section leaves the blank line that came before it.
    return "".join(kept).rstrip("\n") + "\n"


# The shipped locks (`.locks/python<floor>.lock`, written by scripts/lock.py) were resolved for the
# default project name with every part that adds packages: its extras and the Japanese font.
LOCKED_NAME = "expense-classifier"
EXTRAS = {
    "serve": ("serving", "fastapi"),
    "demo": ("demo", "streamlit"),
    "spark": ("engine", "spark"),
    "dvc": ("data_versioning", "dvc"),
    "mlflow": ("tracking", "mlflow"),
}
JAPANESE_FONT = "matplotlib-fontja"
ENTRY = "\n[[package]]\n"


def distribution_name(slug):
    """The name uv writes into the lock for a project called `slug` (normalised as PEP 503 says)."""
    return re.sub(r"[-_.]+", "-", slug).lower()


def write_lock(root, context):
    """Write uv.lock from the lock shipped for the chosen Python floor, keeping what the options need.

    Packages that only the parts left out need are removed and the project's own entry lists only
    the chosen extras, so `uv sync --locked` accepts the lock as it is.
    """
    locks = root / ".locks"
    text = (locks / f"python{context['python_version']}.lock").read_text(encoding="utf-8")
    chosen = [extra for extra, (option, value) in EXTRAS.items() if context[option] == value]
    left_out = {JAPANESE_FONT} if context["language"] != "ja" else set()
    header, *entries = text.split(ENTRY)
    packages = tomllib.loads(text)["package"]
    (project,) = [package for package in packages if package["name"] == LOCKED_NAME]
    for extra in EXTRAS.keys() - chosen:
        left_out |= {entry["name"] for entry in project["optional-dependencies"][extra]}
    needed = needed_packages(packages, project, chosen, left_out)
    name = distribution_name(context["project_slug"])
    kept = {}
    for entry, package in zip(entries, packages, strict=True):
        if package is project:
            kept[(name, "")] = own_entry(entry, chosen, left_out).replace(f'"{LOCKED_NAME}"', f'"{name}"')
        elif (package["name"], package["version"]) in needed:
            kept[(package["name"], package["version"])] = entry
    # uv keeps entries sorted by name; the project's own entry moves to where its name sorts.
    ordered = [kept[key] for key in sorted(kept, key=lambda key: key[0])]
    (root / "uv.lock").write_text(ENTRY.join([header, *ordered]), encoding="utf-8")
    shutil.rmtree(locks)


def needed_packages(packages, project, chosen, left_out):
    """(name, version) of every package the project and its groups need with the `chosen` extras."""
    versions = {}
    for package in packages:
        versions.setdefault(package["name"], []).append(package)
    wanted = list(project["dependencies"])
    wanted += [entry for extra in chosen for entry in project["optional-dependencies"][extra]]
    wanted += [entry for group in project["dev-dependencies"].values() for entry in group]
    # The project's own entries for the parts left out; a package they name stays if another needs it.
    wanted = [entry for entry in wanted if entry["name"] not in left_out | {LOCKED_NAME}]
    needed = set()
    while wanted:
        entry = wanted.pop()
        package = next(
            p for p in versions[entry["name"]] if p["version"] == entry.get("version", p["version"])
        )
        if (package["name"], package["version"]) not in needed:
            needed.add((package["name"], package["version"]))
            wanted += package.get("dependencies", [])
            # A package's extras appear in the lock only when something asks for them: keep them all.
            wanted += [
                entry for group in package.get("optional-dependencies", {}).values() for entry in group
            ]
    return needed


def own_entry(entry, chosen, left_out):
    """The project's own lock entry without the extras and packages of the parts left out."""
    left_out_extras = {f"{extra} = [" for extra in EXTRAS if extra not in chosen}
    lines = []
    in_left_out_extra = False
    for line in entry.split("\n"):
        if in_left_out_extra:
            in_left_out_extra = line != "]"
        elif line in left_out_extras:
            in_left_out_extra = True
        elif not any('{ name = "' + package + '"' in line for package in left_out):
            lines.append(with_chosen_extras(line, chosen))
    text = "\n".join(line for line in lines if line is not None)
    # A table whose extras were all left out goes too.
    return text.replace("[package.optional-dependencies]\n\n", "")


def with_chosen_extras(line, chosen):
    """A line that lists the project's own extras, keeping the chosen ones; None when none is left."""
    match = re.fullmatch(
        r'(.*(?:provides-extras = |"' + LOCKED_NAME + r'", extras? = ))(\[[^\]]*\])(.*)', line
    )
    if match is None:
        return line
    extras = [extra for extra in json.loads(match[2]) if extra in chosen]
    return f"{match[1]}{json.dumps(extras)}{match[3]}" if extras else None


def write_from_settings(root, context):
    """Owners into every document, params.schema.json from the settings' models and, with DVC,
    dvc.yaml from the stage table: all by the project's own code, whose `owners`, `schema` and `dvc`
    commands write them again later."""
    sys.dont_write_bytecode = True  # leave no __pycache__ in the new project
    sys.path.insert(0, str(root))
    module_name = context["module_name"]
    importlib.import_module(f"{module_name}.kit.process.owners").update(root)
    importlib.import_module(f"{module_name}.kit.core.config").write_schema(root)
    if context["data_versioning"] == "dvc":
        project = importlib.import_module(f"{module_name}.kit.core.pipeline").Project.load(root)
        importlib.import_module(f"{module_name}.kit.core.versioning").write_pipeline(project)


# The README's first section: what to open first and who does what, between these markers.
FIRST_WEEK = re.compile(r"^## (.+)\n\n<!-- begin:first-week -->\n(.*?)<!-- end:first-week -->", re.M | re.S)


def print_first_week(root):
    """Show the README's first-week steps, in the project's language and with its owners filled in:
    the new project's first words to the person who baked it."""
    readme = root / "README.md"
    heading, steps = FIRST_WEEK.search(readme.read_text(encoding="utf-8")).groups()
    print(f"\n{heading}: {readme}\n\n{steps}")


def main(context, root):
    keep_language(root, context["language"])
    keep_chosen_options(root, context)
    write_lock(root, context)
    write_from_settings(root, context)
    print_first_week(root)


if __name__ == "__main__":
    main(CONTEXT, Path.cwd())
