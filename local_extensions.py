"""The template's Jinja extension, loaded through `_extensions` in cookiecutter.json.

Cookiecutter creates the project folder, with any missing parents, before the pre-generation hook
runs, and removes only that one folder when the hook fails. A slug such as `a/b`, `../x` or an
absolute path would therefore leave folders behind or write outside the output directory. The
project folder's name is the one template cookiecutter renders on its own, from exactly
PROJECT_FOLDER; this extension sends that template through a check, so a bad slug stops the bake
before any folder exists.
"""

import re

from cookiecutter.exceptions import FailedHookException
from jinja2.ext import Extension

PROJECT_FOLDER = "{{cookiecutter.project_slug}}"
CHECKED_PROJECT_FOLDER = "{{ cookiecutter.project_slug | project_folder_name }}"
PLAIN_NAME = re.compile(r"[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*")
# Folder and package names stay well under the 255 bytes most file systems allow.
MAX_NAME_LENGTH = 100


def project_folder_name(slug):
    """The slug itself when it is one plain folder name; otherwise the bake stops with a message."""
    if len(slug) > MAX_NAME_LENGTH:
        problem = f"project_slug is {len(slug)} characters long; use at most {MAX_NAME_LENGTH}."
    elif not PLAIN_NAME.fullmatch(slug):
        problem = (
            f"project_slug {slug!r} is not a valid folder and distribution name; use ASCII letters, "
            "digits, '-' and '_', starting and ending with a letter or digit (no path separators or '..')."
        )
    else:
        return slug
    # The same exception a failing hook raises: cookiecutter prints its message alone.
    raise FailedHookException(f"error: {problem}")


class ProjectFolderGuard(Extension):
    def __init__(self, environment):
        super().__init__(environment)
        environment.filters["project_folder_name"] = project_folder_name

    def preprocess(self, source, name, filename=None):
        return CHECKED_PROJECT_FOLDER if source == PROJECT_FOLDER else source
