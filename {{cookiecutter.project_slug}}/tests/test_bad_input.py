"""The bad-input matrix: a broken params.yaml or a bad data file gets one clear message, changes nothing.

Each row below is a mistake a team makes. Every one must stop the command with exit code 2 and one
line that names what is wrong and how to fix it, and leave every file of the project as it was:
no output overwritten, none half-written, no temporary file left behind.
"""

import contextlib
import copy
import gzip
import shutil
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml

from {{ cookiecutter.module_name }}.kit.cli import main
from {{ cookiecutter.module_name }}.kit.core import config, data, pipeline
from {{ cookiecutter.module_name }}.kit.core.data import (
    LONGEST_LINE,
    DataError,
    check_target,
    personal_data_kind,
)
from {{ cookiecutter.module_name }}.kit.core.messages import languages
from {{ cookiecutter.module_name }}.kit.core.pipeline import Project
from {{ cookiecutter.module_name }}.kit.process.readiness import skip_reason

THIS_PROJECT = Project.load()
PROBLEM_TYPE = THIS_PROJECT.problem_type
EXPECTED_RANGES = THIS_PROJECT.data.expected_ranges
TIME_COLUMN = THIS_PROJECT.data.time_column
METRIC_NAME = THIS_PROJECT.settings.model.metric
METRIC = config.METRICS[METRIC_NAME]
# A metric of the other problem type, and those of this one.
OTHER_METRIC = "r2" if PROBLEM_TYPE == "classification" else "f1"
FITTING_METRICS = ", ".join(
    name for name, spec in config.METRICS.items() if spec.problem_type == PROBLEM_TYPE
)


def naming(requirement):
    """How a refusal names the data requirement it breaks (a key under data.requirement), in the project's language."""
    return data.say(
        "data.not_met", requirement=data.say(f"data.requirement.{requirement}"), problem="", fix=""
    ).rstrip()


def not_in_the_data(column):
    """What a refusal says of a column params.yaml names that the data lacks, up to the columns the data has."""
    return data.say("data.problem.not_in_data", missing=column, columns="\0").split("\0")[0]


def csv_bytes(frame):
    """The rows as a CSV file in this project's encoding, missing values as empty cells."""
    return frame.to_csv(index=False).encode(THIS_PROJECT.data.encoding)


@pytest.fixture(scope="module")
def analyzed_good_data(project, tmp_path_factory):
    """The test project on 300 rows of good data, analyzed once: the outputs every case must keep."""
    root = tmp_path_factory.mktemp("bad-input") / "project"
    shutil.copytree(project.root, root, ignore=shutil.ignore_patterns("data", "models", "reports"))
    settings = yaml.safe_load((root / "params.yaml").read_text(encoding="utf-8"))
    rows = project.read_raw().head(300)
    use_file(root, settings, "good.csv", csv_bytes(rows))
    with contextlib.chdir(root):
        assert main(["run", "analyze"]) == 0
    return root, rows


@pytest.fixture()
def scratch(analyzed_good_data, tmp_path, monkeypatch):
    """A copy of that project for one case to break."""
    good, rows = analyzed_good_data
    root = tmp_path / "project"
    shutil.copytree(good, root)
    monkeypatch.chdir(root)
    settings = yaml.safe_load((root / "params.yaml").read_text(encoding="utf-8"))
    return SimpleNamespace(root=root, settings=settings, rows=rows)


def write_params(root, settings):
    (root / "params.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")


def use_file(root, settings, name, content):
    path = root / "data" / "raw" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    settings["data"].update(path=f"data/raw/{name}", example="none")
    write_params(root, settings)
    return path


# Config edits: each takes the good settings and returns the text of the broken params.yaml.
def put(section, key, value):
    def edit(settings):
        broken = copy.deepcopy(settings)
        broken[section][key] = value
        return yaml.safe_dump(broken, allow_unicode=True)

    return edit


def drop(section, key=None):
    def edit(settings):
        broken = copy.deepcopy(settings)
        del (broken[section] if key else broken)[key or section]
        return yaml.safe_dump(broken, allow_unicode=True)

    return edit


def text(content):
    return lambda settings: content


def first_line_of(key, text):
    """The index of the first line of `text` that sets `key`."""
    return next(number for number, line in enumerate(text.splitlines()) if line.strip().startswith(f"{key}:"))


def twice(key):
    """The same key again below its first line, as when a setting is pasted in without removing the old one."""

    def edit(settings):
        lines = yaml.safe_dump(settings, allow_unicode=True).splitlines(keepends=True)
        first = first_line_of(key, "".join(lines))
        return "".join([*lines[: first + 1], lines[first], *lines[first + 1 :]])

    return edit


def written_twice(key):
    """The refusal of `key` written twice by `twice(key)`: on the line after its first, counted from 1."""

    def expected(scratch):
        first = first_line_of(key, yaml.safe_dump(scratch.settings, allow_unicode=True)) + 1
        return config.say("config.twice", file=config.CONFIG_FILE, key=key, first=first, second=first + 1)

    return expected


def other_metric(settings):
    return put("model", "metric", OTHER_METRIC)(settings)


def problem(key, message, **values):
    """A setting's problem as a line of the refusal names it: `model.cv_folds: <the config.problem message>`."""
    return f"{key}: {config.say(f'config.problem.{message}', **values)}"


def wrong_kind(key, kind, value):
    return problem(key, "wrong_kind", kind=config.say(f"config.kind.{kind}"), value=value)


def threshold_out_of_range(threshold):
    bounds = "threshold_unbounded" if METRIC.highest is None else "threshold_range"
    limits = {"lowest": METRIC.lowest, "highest": METRIC.highest}
    return problem("model.threshold", bounds, metric=METRIC_NAME, threshold=threshold, **limits)


def in_params(scratch):
    """params.yaml as the refusal names it: the whole path, from the folder the command found it in."""
    return scratch.root.resolve() / config.CONFIG_FILE


SECTIONS = ", ".join(config.Settings.model_fields)
PROJECT_KEYS = ", ".join(config.ProjectSettings.model_fields)

# (case, edit, what the message must say, or how to say it from the case's scratch project)
BAD_CONFIGS = [
    (
        "missing key",
        drop("model", "metric"),
        "params.yaml: " + problem("model.metric", "missing", schema=config.SCHEMA_FILE),
    ),
    (
        "missing section",
        drop("split"),
        "params.yaml: " + problem("split", "missing", schema=config.SCHEMA_FILE),
    ),
    (
        "unknown key",
        put("project", "colour", "blue"),
        "params.yaml: " + problem("project.colour", "unknown", known=PROJECT_KEYS),
    ),
    ("misspelt key", put("model", "cv_fold", 5), problem("model.cv_fold", "unknown_like", match="cv_folds")),
    (
        "section not a mapping",
        lambda s: yaml.safe_dump({**s, "model": "f1"}),
        problem("model", "not_mapping", value="f1"),
    ),
    ("text for a number", put("model", "threshold", "high"), wrong_kind("model.threshold", "number", "high")),
    (
        "infinite number",
        put("model", "threshold", float("inf")),
        wrong_kind("model.threshold", "number", float("inf")),
    ),
    ("text for a list", put("data", "id_columns", "id"), wrong_kind("data.id_columns", "columns", "id")),
    ("text for a flag", put("gates", "blocking", "yes"), wrong_kind("gates.blocking", "flag", "yes")),
    (
        "fraction for a whole number",
        put("model", "cv_folds", 2.5),
        wrong_kind("model.cv_folds", "whole_number", 2.5),
    ),
    ("too few folds", put("model", "cv_folds", 1), problem("model.cv_folds", "at_least", limit=2, value=1)),
    (
        "unknown metric",
        put("model", "metric", "bleu"),
        problem("model.metric", "not_choice", choices=", ".join(config.METRICS), value="bleu"),
    ),
    (
        "metric of the other problem type",
        other_metric,
        problem(
            "model.metric",
            "metric_unfit",
            metric=OTHER_METRIC,
            problem_type=PROBLEM_TYPE,
            choices=FITTING_METRICS,
        ),
    ),
    ("threshold out of range", put("model", "threshold", 7), threshold_out_of_range(7)),
    (
        "share out of range",
        put("split", "holdout_size", 0.9),
        problem("split.holdout_size", "at_most", limit=0.5, value=0.9),
    ),
    (
        "unknown choice",
        put("project", "ci", "jenkins"),
        problem("project.ci", "not_choice", choices="github, gitlab, none", value="jenkins"),
    ),
    (
        "language the project has no messages in",
        put("project", "language", "fr"),
        problem("project.language", "not_choice", choices=", ".join(languages()), value="fr"),
    ),
    (
        "owner that is no owner",
        put("owners", "sponsor", "alice"),
        "owners.sponsor: " + config.say("config.not_owner", owner="alice"),
    ),
    (
        "data path outside the project",
        put("data", "path", "../elsewhere/x.csv"),
        problem("data.path", "outside", path="../elsewhere/x.csv"),
    ),
    (
        "absolute data path",
        put("data", "path", "/etc/hosts"),
        problem("data.path", "outside", path="/etc/hosts"),
    ),
    ("column not in the data", put("data", "target", "no_such_column"), not_in_the_data("no_such_column")),
    ("kept column not in the data", put("prepare", "keep_columns", ["no_such"]), not_in_the_data("no_such")),
    (
        "ordered column not in the data",
        put("preprocess", "ordinal_columns", {"no_such": [1]}),
        not_in_the_data("no_such"),
    ),
    (
        "range for a column not in the data",
        put("data", "expected_ranges", {"no_such_column": [0, 1]}),
        not_in_the_data("no_such_column"),
    ),
    (
        "seed out of range",
        put("split", "seed", 99999999999),
        problem("split.seed", "at_most", limit="4,294,967,295", value=99999999999),
    ),
    (
        "unknown delimiter",
        put("data", "delimiter", ";"),
        problem("data.delimiter", "not_choice", choices="comma, semicolon, tab, pipe", value=";"),
    ),
    (
        "unknown text analyzer",
        put("preprocess", "text_analyzer", "ngrams"),
        problem(
            "preprocess.text_analyzer",
            "not_choice",
            choices="auto, words, characters, morphemes",
            value="ngrams",
        ),
    ),
    ("key written twice", twice("threshold"), written_twice("threshold")),
    # PyYAML says what it found in English only, whatever the project's language.
    (
        "not YAML",
        text("model: [unclosed\n"),
        lambda scratch: config.say(
            "config.not_yaml",
            path=in_params(scratch),
            problem=config.say(
                "config.yaml_place", problem="expected ',' or ']', but got '<stream end>'", line=2, column=1
            ),
        ),
    ),
    ("tab indentation", text("model:\n\tmetric: f1\n"), "found character '\\t' that cannot start any token"),
    (
        "a list, not sections",
        text("- model\n- data\n"),
        "params.yaml: " + config.say("config.problem.not_sections", sections=SECTIONS),
    ),
    ("empty file", text(""), "params.yaml: " + config.say("config.problem.not_sections", sections=SECTIONS)),
    (
        "not UTF-8",
        text("project:\n  name: caf\xe9\n".encode("latin-1")),
        lambda scratch: config.say("config.not_utf8", path=in_params(scratch)),
    ),
]


@pytest.mark.parametrize(("case", "edit", "expected"), BAD_CONFIGS, ids=[row[0] for row in BAD_CONFIGS])
def test_a_broken_config_is_refused_by_name_and_nothing_runs(scratch, refused, case, edit, expected):
    content = edit(scratch.settings)
    params = scratch.root / "params.yaml"
    params.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    refused(scratch.root, ["run", "all"], expected(scratch) if callable(expected) else expected)


def test_every_mistake_in_the_config_is_reported_at_once(scratch, refused):
    """One round of fixes mends the file: a line per mistake, each naming its key."""
    broken = copy.deepcopy(scratch.settings)
    broken["model"]["cv_folds"] = 1
    broken["split"]["seed"] = -1
    broken["project"]["colour"] = "blue"
    write_params(scratch.root, broken)
    heading = config.say("config.several", count=3, file=config.CONFIG_FILE)
    message = refused(scratch.root, ["run", "all"], heading, problems=3)
    assert "- " + problem("model.cv_folds", "at_least", limit=2, value=1) in message
    assert "- " + problem("split.seed", "at_least", limit=0, value=-1) in message
    assert "- project.colour: " + config.say("config.problem.unknown", known=PROJECT_KEYS) in message


# Bad data files: each takes 300 good rows and the target's name and returns the file's bytes.
def without_target(rows, target):
    return csv_bytes(rows.drop(columns=[target]))


def one_class(rows, target):
    return csv_bytes(rows.assign(**{target: rows[target].iloc[0]}))


def text_target(rows, target):
    return csv_bytes(rows.assign(**{target: "high"}))


def fractional_target(rows, target):
    return csv_bytes(rows.assign(**{target: [0.5 + i / 1000 for i in range(len(rows))]}))


def empty_column(rows, target):
    return csv_bytes(rows.assign(empty=None))


def not_in_its_encoding(rows, target):
    """A byte that no encoding data.encoding accepts can read (a Shift_JIS lead byte ending a line)."""
    return csv_bytes(rows).replace(b"\n", b"\x81\n", 3)


def repeated_column_name(rows, target):
    header, body = csv_bytes(rows).split(b"\n", 1)
    return header + b"," + header.split(b",")[0] + b"\n" + body.replace(b"\n", b",x\n")


def header_twice(rows, target):
    """Two exports joined: the second one's header lands among the rows."""
    return csv_bytes(rows.head(150)) + csv_bytes(rows.tail(150))


def one_huge_line(rows, target):
    """Rows joined without line breaks, as from an export with the wrong line endings."""
    line = csv_bytes(rows).replace(b"\n", b",")
    return line * (2 * LONGEST_LINE // len(line) + 1)


def mixed_types(rows, target):
    """A number column with a few cells typed as text."""
    column = number_column(rows)
    broken = rows.astype({column: object})
    broken.loc[broken.index[:3], column] = "about 12"
    return csv_bytes(broken)


def outside_a_range(rows, target):
    """A number beyond its range in data.expected_ranges, as a mistyped sign or unit gives."""
    column, (lowest, highest) = next(iter(EXPECTED_RANGES.items()))
    broken = rows.astype({column: float})
    broken.loc[broken.index[0], column] = lowest - 1 if lowest is not None else highest + 1
    return csv_bytes(broken)


def words_in_a_ranged_column(rows, target):
    """Words where data.expected_ranges expects numbers, as when the range names the wrong column."""
    return csv_bytes(rows.assign(**{next(iter(EXPECTED_RANGES)): "unknown"}))


def words_in_the_time_column(rows, target):
    """Words where data.time_column expects dates, as a free-text date field gives."""
    broken = rows.astype({TIME_COLUMN: object})
    broken.loc[broken.index[:3], TIME_COLUMN] = "soon"
    return csv_bytes(broken)


def infinity(rows, target):
    """A division by zero upstream: inf in a number column."""
    column = number_column(rows)
    return csv_bytes(rows.astype({column: float}).assign(**{column: float("inf")}))


def nested_values(rows, target):
    """A Parquet column of lists, as a nested export gives."""
    return rows.assign(tags=[["a", "b"]] * len(rows)).to_parquet(index=False)


def a_rare_class(rows, target):
    """Two rows of a class: too few to hold one out and cross-validate."""
    rare = rows.astype({target: object})
    rare.loc[rare.index[:2], target] = "rare-class"
    return csv_bytes(rare)


TARGET_CASE = {
    "classification": ("fractional target", "data.csv", fractional_target, "class_labels"),
    "regression": ("text target", "data.csv", text_target, "numeric_target"),
}[PROBLEM_TYPE]

# (case, file name, content, the data requirement the message must name: its key under data.requirement)
BAD_FILES = [
    ("missing target column", "data.csv", without_target, "columns_exist"),
    ("empty file", "data.csv", lambda rows, target: b"", "has_rows"),
    ("header only", "data.csv", lambda rows, target: csv_bytes(rows.head(0)), "has_rows"),
    ("wrong file type", "data.xlsx", lambda rows, target: b"PK\x03\x04", "readable"),
    ("broken parquet", "data.parquet", lambda rows, target: b"PAR1", "readable"),
    ("one class only", "data.csv", one_class, "two_classes"),
    TARGET_CASE,
    ("all-missing column", "data.csv", empty_column, "carries_values"),
    ("unreadable byte", "data.csv", not_in_its_encoding, "encoding"),
    ("repeated column name", "data.csv", repeated_column_name, "own_names"),
    ("header twice", "data.csv", header_twice, "header_once"),
    ("one huge line", "data.csv", one_huge_line, "row_per_line"),
    ("mixed types in a column", "data.csv", mixed_types, "one_kind"),
    ("infinity in a number column", "data.csv", infinity, "finite"),
    ("lists in a column", "data.parquet", nested_values, "one_value"),
    ("a class with two rows", "data.csv", a_rare_class, "rows_per_class"),
]
if PROBLEM_TYPE == "regression":
    BAD_FILES = [row for row in BAD_FILES if row[0] not in ("one class only", "a class with two rows")]
if EXPECTED_RANGES:
    BAD_FILES += [
        ("value outside its range", "data.csv", outside_a_range, "in_range"),
        ("words in a column with a range", "data.csv", words_in_a_ranged_column, "ranged_numbers"),
    ]

if TIME_COLUMN:
    BAD_FILES += [("words in the time column", "data.csv", words_in_the_time_column, "times")]


@pytest.mark.parametrize(
    ("case", "name", "content", "requirement"), BAD_FILES, ids=[row[0] for row in BAD_FILES]
)
def test_bad_data_is_refused_with_the_requirement_it_breaks(
    scratch, refused, case, name, content, requirement
):
    bad = content(scratch.rows, scratch.settings["data"]["target"])
    use_file(scratch.root, scratch.settings, name, bad)
    refused(scratch.root, ["run", "analyze"], naming(requirement))


# (case, file name, content, what the message says the file is, or which setting reads it)
MISNAMED_FILES = [
    (
        "workbook named .csv",
        "data.csv",
        lambda rows: b"PK\x03\x04" + bytes(100),
        data.say("data.problem.not_text", file="data.csv", kind=data.say("data.file_kind.workbook")),
    ),
    (
        "old workbook named .csv",
        "data.csv",
        lambda rows: b"\xd0\xcf\x11\xe0" + bytes(100),
        data.say("data.problem.not_text", file="data.csv", kind=data.say("data.file_kind.old_workbook")),
    ),
    (
        "spreadsheet",
        "data.xlsx",
        lambda rows: b"PK\x03\x04",
        data.say("data.problem.spreadsheet", file="data.xlsx"),
    ),
    (
        "gzip named .csv",
        "data.csv",
        lambda rows: gzip.compress(csv_bytes(rows)),
        data.say("data.fix.rename_to_gz", file="data.csv"),
    ),
    (
        "semicolons",
        "data.csv",
        lambda rows: rows.to_csv(index=False, sep=";").encode(THIS_PROJECT.data.encoding),
        data.say("data.fix.set_delimiter", delimiter="semicolon"),
    ),
]


@pytest.mark.parametrize(
    ("case", "name", "content", "expected"), MISNAMED_FILES, ids=[row[0] for row in MISNAMED_FILES]
)
def test_a_file_that_is_not_what_its_name_says_is_named_as_what_it_is(
    scratch, refused, case, name, content, expected
):
    use_file(scratch.root, scratch.settings, name, content(scratch.rows))
    refused(scratch.root, ["run", "analyze"], expected)


def test_gzip_and_semicolon_files_read_as_the_settings_say(scratch):
    rows = scratch.rows
    use_file(scratch.root, scratch.settings, "data.csv.gz", gzip.compress(csv_bytes(rows)))
    compressed = Project.load(scratch.root).read_raw()
    semicolons = rows.to_csv(index=False, sep=";").encode(THIS_PROJECT.data.encoding)
    scratch.settings["data"]["delimiter"] = "semicolon"
    use_file(scratch.root, scratch.settings, "data.csv", semicolons)
    separated = Project.load(scratch.root).read_raw()
    assert list(compressed.columns) == list(separated.columns) == list(rows.columns)
    pd.testing.assert_frame_equal(compressed, separated)
    assert len(compressed) == len(rows)


def test_params_yaml_that_is_a_folder_is_named_as_one(scratch, refused):
    (scratch.root / "params.yaml").unlink()
    (scratch.root / "params.yaml").mkdir()
    refused(scratch.root, ["run", "all"], config.say("config.folder", path=in_params(scratch)))


def test_a_data_path_that_links_out_of_the_project_is_refused_as_a_link(scratch, refused, tmp_path):
    outside = tmp_path / "elsewhere.csv"
    outside.write_bytes(csv_bytes(scratch.rows))
    link = scratch.root / "data" / "raw" / "linked.csv"
    link.symlink_to(outside)
    scratch.settings["data"].update(path="data/raw/linked.csv", example="none")
    write_params(scratch.root, scratch.settings)
    expected = problem("data.path", "link", path="data/raw/linked.csv", target=outside.resolve())
    refused(scratch.root, ["run", "analyze"], expected)


def test_a_positive_label_written_as_text_for_a_number_class_says_how_to_write_it():
    target = pd.Series([0, 1] * 10, name="churned")
    with pytest.raises(DataError) as refused:
        check_target(target, "classification", "1")
    message = str(refused.value)
    assert data.say("data.problem.positive_as_number", label="1", target="churned", twin=1) in message
    assert data.say("data.fix.positive_as_number", twin=1) in message
    words = pd.Series(["0", "1"] * 10, name="churned")
    with pytest.raises(DataError) as refused:
        check_target(words, "classification", 1)
    assert data.say("data.fix.positive_as_text", twin="1") in str(refused.value)


def number_column(rows, shown=False):
    """A number column that is not the target; the test skips when the data has none. `shown`: one
    whose values a message may show, as none of a column that looks like personal data is shown."""
    target = THIS_PROJECT.data.target
    numbers = [name for name in rows.select_dtypes("number").columns if name != target]
    if shown:
        numbers = [name for name in numbers if personal_data_kind(rows[name]) is None]
        if not numbers:
            pytest.skip(skip_reason("no_other_impersonal_number_column"))
    if not numbers:
        pytest.skip(skip_reason("no_other_number_column"))
    return numbers[0]


def test_a_file_in_another_encoding_is_refused_with_the_setting_that_reads_it(scratch, refused, command):
    if not scratch.settings["data"]["encoding"].startswith("utf-8"):
        pytest.skip(skip_reason("reads_shift_jis"))
    rows = scratch.rows.assign(note="領収書あり")
    use_file(scratch.root, scratch.settings, "data.csv", rows.to_csv(index=False).encode("cp932", "replace"))
    message = refused(scratch.root, ["run", "analyze"], data.say("data.fix.set_encoding", likely="cp932"))
    assert data.say("data.encoding_name.cp932") in message

    scratch.settings["data"]["encoding"] = "cp932"
    write_params(scratch.root, scratch.settings)
    command(["run", "analyze"])
    assert set(Project.load(scratch.root).read_raw()["note"]) == {"領収書あり"}


def test_a_missing_marker_is_named_and_once_listed_reads_as_missing_while_other_text_stays(scratch, refused):
    column = number_column(scratch.rows, shown=True)
    rows = scratch.rows.astype({column: object}).assign(kind="None")
    rows.loc[rows.index[:4], column] = "?"
    rows.loc[rows.index[4], "kind"] = "NA"
    scratch.settings["data"]["missing_values"] = []
    use_file(scratch.root, scratch.settings, "data.csv", csv_bytes(rows))
    refused(scratch.root, ["run", "analyze"], data.say("data.fix.missing_marker", marker="?"))

    scratch.settings["data"]["missing_values"] = ["?"]
    write_params(scratch.root, scratch.settings)
    raw = Project.load(scratch.root).read_raw()
    assert raw[column].isna().sum() == rows[column].isna().sum() + 4
    assert pd.api.types.is_numeric_dtype(raw[column])
    assert raw["kind"].value_counts().to_dict() == {"None": len(rows) - 1, "NA": 1}


def test_every_broken_requirement_of_a_file_is_reported_in_one_run(scratch, refused):
    column = number_column(scratch.rows)
    rows = scratch.rows.astype({column: object}).assign(empty=None, other=1.5)
    rows.loc[rows.index[:3], column] = "about 12"
    rows["other"] = rows["other"].astype(object)
    rows.loc[rows.index[:3], "other"] = "n/a"
    use_file(scratch.root, scratch.settings, "data.csv", csv_bytes(rows))
    empty = data.say("data.problem.empty_columns", columns="empty")
    message = refused(scratch.root, ["run", "analyze"], empty, problems=3)
    assert data.say("data.problem.mixed", column="other", rows=3, value="n/a") in message
    # The column's values may look like personal data, and are then not shown.
    said = [
        data.say(problem, column=column, rows=3, value="about 12")
        for problem in ("data.problem.mixed", "data.problem.mixed_personal")
    ]
    assert any(sentence in message for sentence in said), message


def test_a_positive_class_with_more_than_two_classes_is_refused_with_the_setting_to_change():
    target = pd.Series(["red", "green", "blue"] * 5, name="colour")
    with pytest.raises(DataError) as refused:
        check_target(target, "classification", "red")
    message = str(refused.value)
    assert data.say("data.problem.positive_of_many", target="colour", classes=3, label="red") in message
    assert data.say("data.fix.positive_of_many") in message
    check_target(target, "classification", None)


def test_data_that_changed_after_analyze_is_refused_by_the_next_stage(scratch, refused):
    path = scratch.settings["data"]["path"]
    (scratch.root / path).write_bytes(csv_bytes(scratch.rows.iloc[:-1]))
    say = Project.load(scratch.root).messages(pipeline.__file__)
    refused(scratch.root, ["run", "prepare"], say("pipeline.files_changed", files=path))


def test_a_stage_run_out_of_order_says_which_stage_to_run_first(scratch, refused):
    project = Project.load(scratch.root)
    say = project.messages(pipeline.__file__)
    record = project.record("prepare").relative_to(scratch.root)
    refused(scratch.root, ["run", "train"], say("pipeline.no_record", stage="prepare", record=record))


def test_no_data_yet_says_where_to_put_it(scratch, refused):
    scratch.settings["data"].update(path="data/raw/missing.csv", example="none")
    write_params(scratch.root, scratch.settings)
    refused(scratch.root, ["run", "analyze"], data.say("data.fix.copy_your_file"))


def test_an_output_folder_that_cannot_be_written_is_named_and_nothing_changes(scratch, refused):
    """A file where the report folder should be stands for any folder the command may not write to
    (a read-only one is writable to root, so it would not fail in every CI)."""
    reports = scratch.root / "reports" / "analyze"
    shutil.rmtree(reports)
    reports.write_text("not a folder", encoding="utf-8")
    refused(scratch.root, ["run", "analyze"], "reports/analyze")
