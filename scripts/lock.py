"""Refresh every lock to the newest releases: the template's own uv.lock and the projects' locks.

A bake must work offline, so the template ships one lock per Python floor, resolved for a project
with every optional part; the post-generation hook keeps what the chosen options need. Run with
`make lock`, then `make test` and `make test-slow`, and commit the changed locks together.
"""

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parents[1]
PROJECT_TEMPLATE = TEMPLATE / "{{cookiecutter.project_slug}}"
LOCKS = PROJECT_TEMPLATE / ".locks"
# Every part that adds a package: the Japanese font, the prediction service, the demo app, Spark, DVC
# and MLflow.
EVERY_PART = {
    "language": "ja",
    "serving": "fastapi",
    "demo": "streamlit",
    "engine": "spark",
    "data_versioning": "dvc",
    "tracking": "mlflow",
}


def uv(*arguments, cwd):
    subprocess.run([sys.executable, "-m", "uv", *arguments], cwd=cwd, check=True)


def lock_project(python_version, workdir):
    """Resolve the newest releases for a project with every part and `python_version` as its floor."""
    # Without hooks: the lock needs only pyproject.toml, and the hook would need the lock it makes.
    root = Path(
        cookiecutter(
            str(TEMPLATE),
            no_input=True,
            output_dir=str(workdir / python_version),
            extra_context={**EVERY_PART, "python_version": python_version},
            accept_hooks=False,
        )
    )
    uv("lock", "--upgrade", "--quiet", cwd=root)
    return root / "uv.lock"


def main():
    uv("lock", "--upgrade", "--quiet", cwd=TEMPLATE)
    context = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))
    LOCKS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as workdir:
        for python_version in context["python_version"]:
            lock = lock_project(python_version, Path(workdir))
            shutil.copyfile(lock, LOCKS / f"python{python_version}.lock")
            print(f"locked the projects for Python {python_version} and newer")


if __name__ == "__main__":
    main()
