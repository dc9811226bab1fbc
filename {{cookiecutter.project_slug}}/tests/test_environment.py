"""The installed packages are the ones uv.lock pins, so a result here means what it means in CI.

`uv sync --locked` installs exactly the lock; an install by other means (pip, or a lock edited
without `uv lock`) can bring other versions, and with them other models from the same seed.
"""

import re
import tomllib
from importlib import metadata

from {{ cookiecutter.module_name }}.kit.core.pipeline import Project


def canonical(name):
    """A package name as the lock writes it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_installed_packages_are_the_locked_ones():
    root = Project.load().root
    locked = {}
    for package in tomllib.loads((root / "uv.lock").read_text(encoding="utf-8"))["package"]:
        locked.setdefault(package["name"], set()).add(package["version"])
    installed = {canonical(dist.metadata["Name"]): dist.version for dist in metadata.distributions()}
    required = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    direct = [canonical(re.split(r"[<>=!~ ;\[]", requirement)[0]) for requirement in required]

    missing = [name for name in direct if name not in installed]
    differing = {
        name: f"{version} installed, {' or '.join(sorted(locked[name]))} locked"
        for name, version in installed.items()
        if name in locked and version not in locked[name]
    }

    assert not missing, f"not installed: {missing}; run `uv sync --locked`"
    assert not differing, f"installed versions differ from uv.lock: {differing}; run `uv sync --locked`"
