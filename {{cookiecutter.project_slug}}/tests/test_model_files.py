"""A model file never runs code when it is opened.

Each bad file is built here as an attacker or an accident would leave it and put where the model
goes; every command that loads the model must refuse it with one message, write nothing, and run
none of what the file names. The files that name a function are live: loaded with every type
trusted, each writes a canary file into the folder it runs in, so a check that let one through
would show.
"""

import importlib
import io
import json
import pickle
{%- if cookiecutter.serving == "fastapi" %}
import re
{%- endif %}
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import skops.io
from sklearn.preprocessing import StandardScaler

from {{ cookiecutter.module_name }}.kit.core import models, records
from {{ cookiecutter.module_name }}.kit.core.files import sha256
from {{ cookiecutter.module_name }}.kit.core.messages import messages_here
from {{ cookiecutter.module_name }}.kit.core.pipeline import OUTPUTS, PACKAGE, Project
from {{ cookiecutter.module_name }}.kit.core.records import ModelCard
from {{ cookiecutter.module_name }}.kit.operations import releases
{%- if cookiecutter.serving == "fastapi" %}
from {{ cookiecutter.module_name }}.kit.operations.serve import create_app
{%- endif %}

# What the crafted files write, relative to the folder they are opened in: the project's copy.
CANARY = "ran.txt"
WRITE_THE_CANARY = f"open({CANARY!r}, 'w').write('ran')"
# Every command that loads the trained model, run on the test project's holdout rows. (The service
# is checked through create_app: were its check to fail, `serve` would wait for requests forever.)
LOADING_COMMANDS = {
    "predict": ["predict", "--input", "{holdout}", "--output", "predictions.csv"],
    "trace": ["trace", "--input", "{holdout}", "--row", "0"],
    "monitor": ["monitor", "--labelled", "{holdout}"],
    "test": ["run", "test"],
    "promote": ["promote"],
}
# Where a refusal's own words end: before the fix, which the loading command may give, skops's words,
# or the list of types a file holds.
CUT = "\0"


def refusal(key, file=OUTPUTS["model"], **values):
    """The start of the refusal `key` of a model file, the trained model's by default, up to the words
    that are not its own."""
    said = messages_here(models.__file__)(key, file=file, **values, fix=CUT, error=CUT, types=CUT)
    return said.split(CUT)[0]


def not_written_by(stage, output):
    """The refusal of the model file `output` (an OUTPUTS key) that is not the one `stage` wrote."""
    file = Path(OUTPUTS[output])
    return refusal("models.changed", file=file, record=models.record_of(file), stage=stage)


def skops_file(tree):
    """A skops file whose schema is `tree`, under the protocol of the installed skops."""
    with zipfile.ZipFile(io.BytesIO(skops.io.dumps({}))) as real:
        header = json.loads(real.read("schema.json"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        schema = {**tree, "protocol": header["protocol"], "_skops_version": header["_skops_version"]}
        archive.writestr("schema.json", json.dumps(schema))
    return buffer.getvalue()


def node(loader, module, name, **content):
    return {"__loader__": loader, "__module__": module, "__class__": name, **content}


def text(value):
    return node("JsonNode", "builtins", "str", content=json.dumps(value), is_json=True)


def calling(function, argument):
    """A skops file that calls `function` (a node) with `argument` as it loads: skops builds a dict's
    keys by calling its key types on them."""
    key_types = node("ListNode", "builtins", "list", content=[function])
    return skops_file(node("DictNode", "builtins", "dict", content={argument: text(1)}, key_types=key_types))


def bound_method(module, cls, method, argument):
    """`module.cls(argument).method` as a node: the project's re-exported `Path(...).write_text`, say."""
    arguments = node("TupleNode", "builtins", "tuple", content=[text(argument)])
    instance = node("ConstructorFromReduceNode", module, cls, content=arguments)
    return node("MethodNode", module, cls, content={"func": method, "obj": instance})


class Payload:
    """Pickled, it writes the canary when it is opened."""

    def __reduce__(self):
        return eval, (WRITE_THE_CANARY,)


# Files that write the canary as they load, with the name the refusal must give.
CODE_RUNNING_FILES = {
    f"Path.write_text through {module}": (
        calling(bound_method(f"{PACKAGE}.{module}", "Path", "write_text", CANARY), "ran"),
        f"{PACKAGE}.{module}.Path",
    )
    for module in ("kit.core.models", "kit.core.files")
} | {
    "os.system": (calling(node("FunctionNode", "os", "system"), f"echo ran > {CANARY}"), "os.system"),
    "builtins.eval": (calling(node("FunctionNode", "builtins", "eval"), WRITE_THE_CANARY), "builtins.eval"),
}


def another_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("rows.csv", "a,b\n1,2\n")
    return buffer.getvalue()


A_SKOPS_MODEL = skops.io.dumps(StandardScaler().fit([[0.0], [1.0]]))
# Every kind of bad model file, with what its refusal says.
BAD_FILES = {
    **{
        name: (content, refusal("models.untrusted") + type_name)
        for name, (content, type_name) in CODE_RUNNING_FILES.items()
    },
    "a pickle": (pickle.dumps(Payload()), refusal("models.not_skops")),
    "a truncated skops file": (A_SKOPS_MODEL[: len(A_SKOPS_MODEL) // 2], refusal("models.not_skops")),
    "an empty file": (b"", refusal("models.empty")),
    "a zip that is not a skops file": (another_zip(), refusal("models.not_skops")),
    "a dict saved with skops": (
        skops.io.dumps({"predict": "yes"}),
        refusal("models.not_model", type="dict", method="predict"),
    ),
}


@pytest.fixture()
def copy(finished):
    """A copy of the tested project, as the folder the commands run in."""
    return Project.load(finished)


def loading_commands(project):
    holdout = str(project.path("holdout"))
    return [
        [holdout if part == "{holdout}" else part for part in command]
        for command in LOADING_COMMANDS.values()
    ]


def put_model(project, content, record_it):
    """`content` as the trained model; with `record_it`, its SHA-256 in the card too, as someone who
    can write both files would leave them."""
    project.path("model").write_bytes(content)
    if record_it:
        card = json.loads(project.path("model_card").read_text(encoding="utf-8"))
        card[models.RECORD_KEY] = sha256(project.path("model"))
        project.path("model_card").write_text(json.dumps(card), encoding="utf-8")


def test_the_crafted_files_run_code_when_every_type_is_trusted(tmp_path, monkeypatch):
    """The refusals below mean something only if these files are live."""
    monkeypatch.chdir(tmp_path)
    for name, (content, _) in CODE_RUNNING_FILES.items():
        skops.io.loads(content, trusted=skops.io.get_untrusted_types(data=content))
        assert (tmp_path / CANARY).exists(), name
        (tmp_path / CANARY).unlink()
    pickle.loads(BAD_FILES["a pickle"][0])
    assert (tmp_path / CANARY).exists()


def refused_by_every_loader(project, refused, expected):
    """Every command that loads the model refuses it with `expected`{% if cookiecutter.serving == "fastapi" %}, and so does the service{% endif %}."""
    for command in loading_commands(project):
        refused(project.root, command, expected)
{%- if cookiecutter.serving == "fastapi" %}
    with pytest.raises(models.UntrustedModelError, match=re.escape(expected)):
        create_app(project)
{%- endif %}


@pytest.mark.parametrize("bad_file", BAD_FILES)
def test_a_bad_model_file_is_refused_by_every_command_without_running_code(copy, refused, bad_file):
    content, message = BAD_FILES[bad_file]
    # Not the file the card records: refused before skops opens it.
    put_model(copy, content, record_it=False)
    refused_by_every_loader(copy, refused, not_written_by("train", "model"))
    # Recorded in the card as if the train stage had written it: refused for what it holds.
    put_model(copy, content, record_it=True)
    refused_by_every_loader(copy, refused, message)
    assert not (copy.root / CANARY).exists()


def test_a_model_swapped_after_training_is_refused(copy, refused):
    """A valid model, but not the one the train stage wrote and the Test stage judged."""
    model = models.load(copy.path("model"))
    train = pd.read_parquet(copy.path("train")).iloc[::2]
    features = model.named_steps["preprocess"].transform(train[copy.feature_columns(train)])
    model.named_steps["model"].fit(features, train[copy.data.target])
    skops.io.dump(model, copy.path("model"))
    refused_by_every_loader(copy, refused, not_written_by("train", "model"))


def test_a_preprocessor_changed_after_preprocess_is_refused_by_train(copy, refused):
    copy.path("preprocessor").write_bytes(CODE_RUNNING_FILES["builtins.eval"][0])
    refused(copy.root, ["run", "train"], not_written_by("preprocess", "preprocessor"))


def test_a_changed_release_is_refused_until_it_is_promoted_again(copy, command, refused):
    command(["promote"])
    released = releases.served_files(copy).model
    released.write_bytes(CODE_RUNNING_FILES["Path.write_text through kit.core.models"][0])
    rollback = f"python -m {PACKAGE} rollback"
    refused(copy.root, loading_commands(copy)[0], rollback)
{%- if cookiecutter.serving == "fastapi" %}
    with pytest.raises(models.UntrustedModelError, match=re.escape(rollback)):
        create_app(copy)
{%- endif %}
    assert not (copy.root / CANARY).exists()

    command(["promote"])  # the trained model is intact, so promoting it again puts the release right
    assert sha256(released) == sha256(copy.path("model"))
    assert releases.served(copy)[2] == releases.model_version(copy.path("model"))


def test_the_allow_list_names_classes_only():
    """A name that is a function or a module's attribute could be called while a file loads."""
    for name in models.TRUSTED_TYPES:
        module, _, attribute = name.rpartition(".")
        assert isinstance(getattr(importlib.import_module(module), attribute), type), name


@pytest.mark.parametrize("damage", ["a field lost", "a number written as text", "an unknown kind of column"])
def test_a_model_card_that_lost_a_field_or_holds_a_wrong_type_is_refused(copy, refused, damage):
    """Refused by every command that reads the card, with the key to look at and the stage to rerun,
    never a KeyError from deep inside a command."""
    path = copy.path("model_card")
    card = json.loads(path.read_text(encoding="utf-8"))
    column = next(iter(card["schema"]))
    say = copy.messages(records.__file__)
    if damage == "a field lost":
        del card["schema"]
        problem = say("records.missing", key="schema")
    elif damage == "a number written as text":
        card["training_rows"] = str(card["training_rows"])
        problem = say("records.wrong", key="training_rows", found=json.dumps(card["training_rows"]))
    else:
        card["schema"][column]["kind"] = "pictures"
        problem = say("records.wrong", key=f"schema.{column}.kind", found='"pictures"')
    path.write_text(json.dumps(card), encoding="utf-8")
    fix = say("records.fix", stage="train")
    shown = path.relative_to(copy.root)
    expected = say("records.refused", file=shown, stage="train", problems=problem, fix=fix)
    for command in loading_commands(copy):
        refused(copy.root, command, expected)
{%- if cookiecutter.serving == "fastapi" %}
    with pytest.raises(records.RecordError, match=re.escape(expected)):
        create_app(copy)
{%- endif %}


def test_a_card_from_before_a_field_was_recorded_or_after_one_was_added_still_loads(copy, tmp_path):
    """A release keeps the card of its day: serving reads the fields it lacks as it did then, and keeps
    a field it does not know."""
    card = json.loads(copy.path("model_card").read_text(encoding="utf-8"))
    for key in ("trained_at", "training_seconds", "peak_memory_mb", "unseen_categories"):
        del card[key]
    for entry in card["schema"].values():
        del entry["value_types"]
    card["recorded_later"] = {"by": "a newer version"}
    older = tmp_path / "model.json"
    older.write_text(json.dumps(card), encoding="utf-8")

    loaded = ModelCard.read(older, copy.settings.project.language)
    assert loaded.trained_at is None and releases.age_days(loaded) is None
    assert loaded.unseen_categories == "refuse"
    assert all(entry.value_types is None for entry in loaded.columns.values())
    assert loaded.content() == card
