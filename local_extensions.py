"""The template's Jinja extension, loaded through `_extensions` in cookiecutter.json.

It gives the project slug's default a readable ASCII form (`readable_slug`) and checks the project
folder's name before cookiecutter creates it.

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
from slugify import slugify

PROJECT_FOLDER = "{{cookiecutter.project_slug}}"
CHECKED_PROJECT_FOLDER = "{{ cookiecutter.project_slug | project_folder_name }}"
PLAIN_NAME = re.compile(r"[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*")
# Folder and package names stay well under the 255 bytes most file systems allow.
MAX_NAME_LENGTH = 100
# Kana, kanji and Japanese punctuation. slugify reads kanji the Chinese way (解約予測 -> jie-yue-yu-ce),
# so a name holding them never goes through it as it is.
JAPANESE = re.compile(
    "[\u3000-\u303f\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\uff66-\uff9f\U00020000-\U0003ffff]+"
)
NEUTRAL_SLUG = "ml-project"


def romaji_reader():
    """A function giving Japanese text in Hepburn romaji, or None when pykakasi is not installed.

    pykakasi is optional: pure Python with its dictionary inside, so `pip install pykakasi` beside
    cookiecutter is enough. Baking never needs it.
    """
    try:
        import pykakasi
    except ImportError:
        return None
    kakasi = pykakasi.kakasi()
    return lambda text: " ".join(word["hepburn"] for word in kakasi.convert(text))


def readable_slug(name):
    """The default project slug: python-slugify's for a name without Japanese; for one with Japanese,
    its romaji reading when pykakasi is installed, else the name's ASCII words if they start with a
    letter, else NEUTRAL_SLUG. Never a Chinese reading of kanji."""
    if not JAPANESE.search(name):
        return slugify(name)
    read = romaji_reader()
    readings = [JAPANESE.sub(lambda run: f" {read(run.group())} ", name)] if read else []
    # Whatever is still Japanese (no reading, or no pykakasi) is dropped, not read the Chinese way.
    for text in (*readings, name):
        slug = slugify(JAPANESE.sub(" ", text))
        if slug[:1].isalpha():
            return slug
    return NEUTRAL_SLUG


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
        environment.filters["readable_slug"] = readable_slug

    def preprocess(self, source, name, filename=None):
        return CHECKED_PROJECT_FOLDER if source == PROJECT_FOLDER else source
