"""Save and load models in skops format, so that opening a model file never runs code from it.

A pickle file runs whatever code it names when it is opened. skops names every type a file holds
and builds only the ones it is told to trust, so `load` refuses a file unless:

- its SHA-256 is the one recorded beside it when its stage wrote it (`models/model.json` for the
  model, `models/preprocessor.json` for the preprocessor, the card in a release's folder for a
  release): a file swapped or changed since is refused before skops even opens it;
- every type it holds is one skops trusts or one named in `TRUSTED_TYPES`: exact class names, never
  a prefix or a function, so that even a file whose record was rewritten to match cannot call
  anything while it loads;
- what it holds has the method every use of it calls: a dict saved with skops is not a model.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

from .. import PACKAGE
from .data import listed
from .files import replacing, sha256, write_json
from .messages import messages_here

RECORD_KEY = "sha256"

TRUSTED_TYPES = frozenset(
    {
        "numpy.dtype",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        f"{PACKAGE}.modelling.DenseFeatures",
        f"{PACKAGE}.modelling.DistributedTrees",
        f"{PACKAGE}.preprocess.stage.AsText",
        f"{PACKAGE}.preprocess.stage.Morphemes",
        f"{PACKAGE}.preprocess.stage.TextColumn",
    }
)
"""The types this project's model files hold that skops does not trust by default, by full name.

Each is a class whose instances are data, built by setting attributes or by calling the class on
values already loaded; none is a function or a module attribute that acts when called:

- `numpy.dtype`: the type of an array's values, which the encoders keep.
- `TreePredictor`: one fitted tree of gradient boosting: arrays of split points and values.
- `AsText`, `TextColumn`: this project's transformers in the preprocessor; they hold no state
  beyond scikit-learn's, and their methods run only when the model transforms rows.
- `Morphemes`: this project's tokenizer for `preprocess.text_analyzer: morphemes`; it holds nothing,
  and imports Janome only when the model transforms text.
- `DenseFeatures`: this project's step before gradient boosting; it holds column numbers and a
  fitted TruncatedSVD, and its methods run only when the model transforms rows.
- `DistributedTrees`: this project's gradient-boosted trees trained by XGBoost on Spark; it holds
  XGBoost's model as bytes and its classes, and XGBoost reads those bytes only when the model predicts.

When a new step of the pipeline brings a type skops lists as untrusted, add its exact name here
once you have checked that loading it builds data and calls nothing.
"""

# One time for every entry of a model file: the zip format's earliest, so no entry tells when it was written.
ENTRY_TIME = (1980, 1, 1, 0, 0, 0)
SCHEMA = "schema.json"
# Attributes that hold a memory address, a cache that means nothing in another process: scikit-learn's
# text vectorizers note where their stop words lay, to skip checking them twice.
ADDRESSES = frozenset({"_stop_words_id"})

# Each model file by name: the stage that writes it, and the method every use of what it holds calls.
WRITERS = {"preprocessor.skops": ("preprocess", "transform"), "model.skops": ("train", "predict")}


class UntrustedModelError(RuntimeError):
    """A model file is not the one this project wrote, or could run code when loaded."""


def skops_io() -> ModuleType:
    """skops.io, imported when a model file is first written or read: importing it imports every
    scikit-learn estimator to list the types it trusts, a second that commands which never touch a
    model file need not wait."""
    import skops.io

    return skops.io


def record_of(path: Path) -> Path:
    """Where a model file's SHA-256 is recorded: the JSON file of the same name beside it."""
    return path.with_suffix(".json")


def save(model: Any, path: Path, record: dict[str, Any]) -> None:
    """Write `model` to `path`, and `record` beside it with the SHA-256 of the bytes written."""
    with replacing(path) as temporary:
        skops_io().dump(model, temporary)
        canonicalize(temporary)
        digest = sha256(temporary)
    write_json(record_of(path), {**record, RECORD_KEY: digest})


def canonicalize(path: Path) -> None:
    """Rewrite a skops file so that the same model gives the same bytes in every process, and so the
    same version and SHA-256: skops names objects and array files by where they lie in memory and
    stamps each entry with the time of writing. Here they are numbered in the order the schema lists
    them, every entry gets ENTRY_TIME, and ADDRESSES are left out."""
    with zipfile.ZipFile(path) as archive:
        schema = json.loads(archive.read(SCHEMA))
        arrays = {name: archive.read(name) for name in archive.namelist() if name != SCHEMA}
        compression = archive.getinfo(SCHEMA).compress_type
    numbers: dict[int, int] = {}
    names: dict[str, str] = {}

    def renumber(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                renumber(item)
        elif isinstance(node, dict):
            for key in ADDRESSES & node.keys():
                del node[key]
            for key, value in node.items():
                if key == "__id__":
                    node[key] = numbers.setdefault(value, len(numbers) + 1)  # from 1: skops skips an id of 0
                elif key == "file" and value in arrays:
                    node[key] = names.setdefault(value, f"{len(names) + 1}{Path(value).suffix}")
                else:
                    renumber(value)

    renumber(schema)
    entries = {SCHEMA: json.dumps(schema, indent=2).encode("utf-8")}
    entries |= {number: arrays[name] for name, number in names.items()}
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in entries.items():
            archive.writestr(zipfile.ZipInfo(name, ENTRY_TIME), content, compress_type=compression)


def load(path: Path, fix: str | None = None) -> Any:
    """What the model file at `path` holds, once it passed every check this module's docstring lists.

    The file is read once, so the bytes checked are the bytes loaded. `fix` says what to do about a
    refused file; by default, rerun the stage that writes it.
    """
    say = messages_here(__file__)
    stage, method = WRITERS[path.name]
    fix = fix or say("models.fix", stage=stage)
    shown, record = shown_path(path), shown_path(record_of(path))
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UntrustedModelError(say("models.missing", file=shown, fix=fix)) from None
    recorded = recorded_sha256(record_of(path))
    if recorded is None:
        raise UntrustedModelError(say("models.unrecorded", file=shown, record=record, stage=stage, fix=fix))
    if hashlib.sha256(data).hexdigest() != recorded:
        raise UntrustedModelError(say("models.changed", file=shown, record=record, stage=stage, fix=fix))
    untrusted = untrusted_types(data, shown, fix)
    if untrusted:
        types = listed(untrusted)
        raise UntrustedModelError(say("models.untrusted", file=shown, types=types, fix=fix))
    try:
        content = skops_io().loads(data, trusted=sorted(TRUSTED_TYPES))
    except Exception as error:  # only trusted types are built, so this is a damaged file, not code run
        raise UntrustedModelError(say("models.damaged", file=shown, error=error, fix=fix)) from None
    if not callable(getattr(content, method, None)):
        held = type(content).__name__
        raise UntrustedModelError(say("models.not_model", file=shown, type=held, method=method, fix=fix))
    return content


def untrusted_types(data: bytes, shown: Path, fix: str) -> list[str]:
    """The types in a skops file that neither skops nor `TRUSTED_TYPES` trusts."""
    say = messages_here(__file__)
    if not data:
        raise UntrustedModelError(say("models.empty", file=shown, fix=fix))
    try:
        named = skops_io().get_untrusted_types(data=data)
    except Exception as error:
        # Listing the types builds nothing from the file, so a failure here only says that skops
        # did not write it: a pickle, a truncated file, another kind of zip, a damaged schema.
        raise UntrustedModelError(say("models.not_skops", file=shown, error=error, fix=fix)) from None
    return [name for name in named if name not in TRUSTED_TYPES]


def recorded_sha256(record: Path) -> str | None:
    """The SHA-256 a record holds; None when there is no record, or it records none."""
    try:
        content = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return content.get(RECORD_KEY) if isinstance(content, dict) else None


def shown_path(path: Path) -> Path:
    """A path as the user reads it in a message: from the folder the command runs in, when inside it."""
    return path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path
