"""The template's Jinja extension, loaded through `_extensions` in cookiecutter.json.

It gives the project slug's default a readable ASCII form (`readable_slug`), checks the project
folder's name before cookiecutter creates it, and makes a rejected bake end with a way to retry
without typing every answer again (`retry_hint`, also shown by the pre-generation hook) and no traceback.

Cookiecutter creates the project folder, with any missing parents, before the pre-generation hook
runs, and removes only that one folder when the hook fails. A slug such as `a/b`, `../x` or an
absolute path would therefore leave folders behind or write outside the output directory. The
project folder's name is the one template cookiecutter renders on its own, from exactly
PROJECT_FOLDER; this extension sends that template through a check, so a bad slug stops the bake
before any folder exists.
"""

import json
import logging
import re
import shlex
from pathlib import Path

from cookiecutter.exceptions import FailedHookException
from jinja2 import pass_context
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


def saved_answers(answers):
    """The replay file in which cookiecutter saved `answers` before making any folder, or None.
    Cookiecutter does not say where its replay folder is, nor the file's name: it is found by content."""
    answers = json.loads(json.dumps(answers))
    try:
        from cookiecutter.config import get_user_config

        replay_dir = Path(get_user_config()["replay_dir"])
        candidates = sorted(replay_dir.glob("*.json"), key=lambda path: path.stat().st_mtime, reverse=True)
    except Exception:  # a config cookiecutter cannot read: the hint names the usual place
        return None
    for path in candidates:
        try:
            if json.loads(path.read_text(encoding="utf-8")).get("cookiecutter") == answers:
                return path
        except (OSError, ValueError, AttributeError):
            continue
    return None


def retry_hint(answers):
    """How to bake again from the answers just given, once the wrong ones are corrected."""
    replay_file = saved_answers(answers)
    words = ["--replay-file", shlex.quote(str(replay_file)) if replay_file else "<replay file>"]
    if answers.get("_output_dir"):
        words += ["--output-dir", shlex.quote(answers["_output_dir"])]
    if answers.get("_checkout"):
        words += ["--checkout", shlex.quote(answers["_checkout"])]
    words.append(shlex.quote(answers["_template"]) if answers.get("_template") else "<template>")
    where = (
        f"Your answers are saved in {replay_file}."
        if replay_file
        else "Cookiecutter saved your answers in a replay file in its replay_dir (~/.cookiecutter_replay/ "
        "unless your config says otherwise), named after the template's folder."
    )
    command = " ".join(["cookiecutter", *words])
    return f"{where} Correct what is wrong there, then bake again without retyping:\n    {command}"


@pass_context
def project_folder_name(context, slug):
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
    raise FailedHookException(f"error: {problem}\n{retry_hint(context.get('cookiecutter', {}))}")


class ConciseHookFailure(logging.Filter):
    """Cookiecutter logs a failed hook with the traceback of its own FailedHookException, which says
    nothing the hook's message has not said; the line stays, the traceback goes."""

    def filter(self, record):
        if record.getMessage().startswith("Stopping generation because"):
            record.exc_info = record.exc_text = None
        return True


class ProjectFolderGuard(Extension):
    def __init__(self, environment):
        super().__init__(environment)
        environment.filters["project_folder_name"] = project_folder_name
        environment.filters["readable_slug"] = readable_slug
        environment.filters["retry_hint"] = retry_hint
        hooks_logger = logging.getLogger("cookiecutter.hooks")
        if not any(isinstance(known, ConciseHookFailure) for known in hooks_logger.filters):
            hooks_logger.addFilter(ConciseHookFailure())

    def preprocess(self, source, name, filename=None):
        return CHECKED_PROJECT_FOLDER if source == PROJECT_FOLDER else source
