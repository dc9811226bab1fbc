"""Bad data gets one clear message naming the broken requirement, and changes nothing."""

import shutil

import pandas as pd
import pytest
import skops.io
import yaml

from {{ cookiecutter.module_name }}.cli import main
from {{ cookiecutter.module_name }}.pipeline import Project


def csv_bytes(frame):
    return frame.to_csv(index=False).encode("utf-8")


def without_target(rows, target):
    return csv_bytes(rows.drop(columns=[target]))


def one_class(rows, target):
    return csv_bytes(rows.assign(**{target: rows[target].iloc[0]}))


def empty_column(rows, target):
    return csv_bytes(rows.assign(empty=None))


def not_utf8(rows, target):
    return csv_bytes(rows).replace(b"\n", "\n\xe9".encode("latin-1"), 3)


def text_target(rows, target):
    return csv_bytes(rows.assign(**{target: "high"}))


def fractional_target(rows, target):
    return csv_bytes(rows.assign(**{target: [0.5 + i / 1000 for i in range(len(rows))]}))


def repeated_header(rows, target):
    header, body = csv_bytes(rows).split(b"\n", 1)
    return header + b"," + header.split(b",")[0] + b"\n" + body.replace(b"\n", b",x\n")


# (case, file name, content from good rows, the requirement the message must name)
BAD_FILES = [
    ("missing target column", "data.csv", without_target, "the columns named in params.yaml exist"),
    ("empty file", "data.csv", lambda rows, target: b"", "the data has rows"),
    ("header only", "data.csv", lambda rows, target: csv_bytes(rows.head(0)), "the data has rows"),
    ("wrong file type", "data.xlsx", lambda rows, target: b"PK\x03\x04", "the data is in a readable format"),
    (
        "broken parquet",
        "data.parquet",
        lambda rows, target: b"not parquet",
        "the data is in a readable format",
    ),
    ("one class only", "data.csv", one_class, "the target has at least two classes"),
    ("all-missing column", "data.csv", empty_column, "every column carries values"),
    ("not UTF-8", "data.csv", not_utf8, "the data is UTF-8 text"),
    ("repeated header", "data.csv", repeated_header, "every column has its own name"),
]
if Project.load().problem_type == "regression":
    BAD_FILES[5] = ("text target", "data.csv", text_target, "the target is a number for a regression problem")
else:
    BAD_FILES.append(("fractional target", "data.csv", fractional_target, "the target is a class label"))


@pytest.fixture()
def scratch(project, tmp_path, monkeypatch):
    """A copy of the test project, already analyzed once, to break the data of."""
    root = tmp_path / "project"
    shutil.copytree(project.root, root, ignore=shutil.ignore_patterns("data", "models", "reports"))
    monkeypatch.chdir(root)
    settings = yaml.safe_load((root / "params.yaml").read_text(encoding="utf-8"))
    rows = project.read_raw().head(300)
    return root, settings, rows


def use_file(root, settings, name, content):
    path = root / "data" / "raw" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    settings["data"].update(path=f"data/raw/{name}", example="none")
    (root / "params.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("case", "name", "content", "requirement"), BAD_FILES, ids=[case[0] for case in BAD_FILES]
)
def test_bad_data_is_refused_with_the_requirement_it_breaks(
    scratch, capsys, case, name, content, requirement
):
    root, settings, rows = scratch
    good = use_file(root, settings, "good.csv", csv_bytes(rows))
    assert main(["run", "analyze"]) == 0
    diagnosis = (root / "reports" / "analyze" / "diagnosis.json").read_bytes()
    capsys.readouterr()

    bad = use_file(root, settings, name, content(rows, settings["data"]["target"]))
    before = bad.read_bytes()

    assert main(["run", "analyze"]) == 2
    message = capsys.readouterr().err
    assert requirement in message and message.count("\n") == 1
    assert bad.read_bytes() == before
    assert good.read_bytes() == csv_bytes(rows)
    assert (root / "reports" / "analyze" / "diagnosis.json").read_bytes() == diagnosis


def test_a_stage_run_out_of_order_says_which_stage_to_run_first(scratch, capsys):
    root, settings, rows = scratch
    use_file(root, settings, "good.csv", csv_bytes(rows))
    assert main(["run", "train"]) == 2
    assert "run the prepare stage first" in capsys.readouterr().err


def test_no_data_yet_says_where_to_put_it(scratch, capsys):
    root, settings, rows = scratch
    settings["data"].update(path="data/raw/missing.csv", example="none")
    (root / "params.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    assert main(["run", "analyze"]) == 2
    assert "Copy your CSV or Parquet file there" in capsys.readouterr().err


def test_a_model_file_with_foreign_types_is_refused(trained, tmp_path, monkeypatch):
    root = tmp_path / "project"
    shutil.copytree(trained.root, root)
    skops.io.dump({"payload": pd.Timestamp("2020-01-01")}, root / "models" / "model.skops")
    monkeypatch.chdir(root)
    assert main(["predict", "--input", str(trained.path("holdout")), "--output", "out.csv"]) == 2
    assert not (root / "out.csv").exists()
