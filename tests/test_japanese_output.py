"""A Japanese project speaks Japanese to its readers: what every command prints, refusals included, and
every report and card block the stages write. Names stay as written: keys, columns, files, commands."""

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import bake, read, run

# Three or more English words in a row: a sentence or a phrase, not a name. Words joined by `_`, `.`, `/`
# or `=` are identifiers, paths or settings and do not count.
ENGLISH_PROSE = re.compile(r"(?<![\w./=-])[A-Za-z][a-z]+(?:(?:,? |-|')[A-Za-z]?[a-z]+){2,}(?![\w./=(-])")
# Text that is code or an address, however many words it holds.
NOT_PROSE = re.compile(
    r"^```.*?^```|`[^`\n]*`|<!--.*?-->|https?://\S+|\]\([^)\n]*\)", re.DOTALL | re.MULTILINE
)
# What a stage writes into a card, between these markers; the rest of a card is the team's document.
CARD_BLOCKS = re.compile(r"<!-- begin:(\w+) -->(.*?)<!-- end:\1 -->", re.DOTALL)


def english_prose(text):
    return ENGLISH_PROSE.findall(NOT_PROSE.sub(" ", text))


def test_the_check_finds_english_sentences_and_lets_names_and_japanese_pass():
    assert english_prose("error: Version 3 is the first release: there is none before it.")
    assert english_prose("| mostly_missing | 75% missing | drop |") == []  # two words: a value, a column
    assert english_prose("run all the stages") == ["run all the stages"]
    japanese = "エラー: `python -m expense_classifier run train` を実行してください（data.target, ROC AUC）。"
    assert english_prose(japanese) == []
    assert english_prose("models/releases/0fce891a70ae/ text_description__co: 0.41") == []


@pytest.fixture(scope="module")
def japanese_project(cookies_session):
    """A Japanese project after `run all`, its model promoted."""
    root = bake(cookies_session, language="ja")
    for command in (["run", "all"], ["value"], ["promote"]):
        result = run(["-m", "expense_classifier", *command], root)
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return root


def said(root, *command):
    """The command as typed, with its exit code, and what it printed on either stream."""
    result = run(["-m", "expense_classifier", *command], root)
    typed = " ".join(Path(word).name if "/" in word else word for word in command)
    return f"{typed} (exit {result.returncode})", result.stdout + result.stderr


def prose_in(outputs):
    """Each English phrase found, once, with where: `outputs` holds (source, text) pairs."""
    found = {f"{source}: {phrase!r}": None for source, text in outputs for phrase in english_prose(text)}
    return list(found)


@pytest.mark.slow  # a whole run of every stage
def test_every_command_of_a_japanese_project_prints_japanese(japanese_project, tmp_path):
    root = japanese_project
    holdout = "data/processed/holdout.parquet"
    rows = pd.read_parquet(root / holdout)
    without_a_column = tmp_path / "rows.csv"
    rows.drop(columns=["amount"]).head(20).to_csv(without_a_column, index=False)
    results = tmp_path / "results.xml"
    results.write_text('<testsuites><testsuite name="pytest" tests="0"/></testsuites>', encoding="utf-8")

    outputs = [
        said(root, "value"),
        said(root, "checklist"),
        said(root, "checklist", "--gate", "train"),
        said(root, "checklist", "--format", "markdown"),
        said(root, "run", "analyze"),  # with its gate's warning: the documents are still the template's
        said(root, "fill-example"),
        said(root, "fill-example"),  # nothing left to fill
        said(root, "checklist", "--all"),
        said(root, "review", "test"),
        said(root, "review", "analyze"),
        said(root, "owners", "--check"),
        said(root, "schema", "--check"),
        said(root, "predict", "--input", holdout, "--output", str(tmp_path / "predictions.csv")),
        said(root, "trace", "--input", holdout, "--row", "0"),
        said(root, "monitor", "--labelled", holdout),
        said(root, "benchmark"),
        said(root, "releases"),
        said(root, "releases", "--check-age"),
        said(root, "readiness", "--results", str(results)),
        said(root, "readiness", "--results", str(results), "--format", "markdown"),
        # Refusals: each says what is wrong and how to fix it, in the project's language.
        said(root, "rollback"),
        said(root, "predict", "--input", "no-such-file.csv", "--output", str(tmp_path / "out.csv")),
        said(root, "predict", "--input", str(without_a_column), "--output", str(tmp_path / "out.csv")),
        said(root, "monitor", "--labelled", str(without_a_column)),
        said(root, "trace", "--input", holdout, "--row", str(len(rows))),
        said(root, "readiness", "--results", str(tmp_path / "missing.xml")),
    ]
    outputs += [said(root, *command, "--help") for command in ([], ["run"], ["predict"], ["checklist"])]
    drifted = prose_in(outputs)
    assert not drifted, "\n".join(drifted)


@pytest.mark.slow  # a whole run of every stage
def test_a_japanese_projects_reports_and_card_blocks_are_japanese(japanese_project):
    root = japanese_project
    written = [(path, path.read_text(encoding="utf-8")) for path in sorted(root.glob("reports/**/*.md"))]
    for stage in ("business_understanding", "test"):  # the review pack's own words, without its markup
        result = run(["-m", "expense_classifier", "review", stage], root)
        assert result.returncode == 0, result.stderr
        pack = read(root, f"reports/review/{stage}.html")
        words = re.sub(r"<style>.*?</style>|<[^>]+>", " ", pack, flags=re.DOTALL)
        written.append((f"review {stage}", words))
    for card in ("docs/data-card.md", "docs/model-card.md"):
        blocks = CARD_BLOCKS.findall(read(root, card))
        assert blocks, f"{card} has no block written by a stage"
        written += [(f"{card} ({name})", block) for name, block in blocks]
    drifted = prose_in(written)
    assert not drifted, "\n".join(drifted)


@pytest.mark.slow  # bakes and runs a stage
def test_a_broken_params_file_is_refused_in_japanese(cookies, tmp_path):
    root = bake(cookies, language="ja")
    params = yaml.safe_load(read(root, "params.yaml"))
    params["model"]["cv_foldz"] = 3
    params["data"]["target"] = ""
    (root / "params.yaml").write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    command, output = said(root, "run", "analyze")
    assert "(exit 2)" in command
    assert "cv_foldz" in output and "data.target" in output
    drifted = prose_in([(command, output)])
    assert not drifted, "\n".join(drifted)
