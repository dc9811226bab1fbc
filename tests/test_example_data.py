"""The expenses example speaks the project's language: a Japanese project's lines read as a Japanese
sole proprietor's statement shows them, drawn from the same random numbers as an English project's,
so both teach a model the same thing."""

import pandas as pd
import pytest
from conftest import CJK, bake, run

# Columns of words: their values are in the project's language.
CATEGORY_COLUMNS = ["business_type", "direction", "counterparty_category", "payment_method"]
# Lines whose description prints the merchant's own name; transfers and direct debits print katakana.
NAMED_PAYMENTS = ["card", "cash"]
MAKE_EXAMPLE = (
    "from expense_classifier.kit.core.pipeline import Project; "
    "Project.load().example().to_parquet('example.parquet')"
)


@pytest.fixture(scope="module")
def examples(cookies_session):
    """The expenses example as an English and a Japanese project write it, by language."""
    made = {}
    for language in ("en", "ja"):
        root = bake(cookies_session, language=language)
        result = run(["-c", MAKE_EXAMPLE], root)
        assert result.returncode == 0, result.stderr[-3000:]
        made[language] = pd.read_parquet(root / "example.parquet")
    return made


def in_japanese(values):
    return values.dropna().astype(str).str.contains(CJK)


def test_a_japanese_project_gets_japanese_categories_memos_and_statement_lines(examples):
    english, japanese = examples["en"], examples["ja"]
    for column in [*CATEGORY_COLUMNS, "memo"]:
        assert in_japanese(japanese[column]).all(), column
    named = english["payment_method"].isin(NAMED_PAYMENTS)
    assert in_japanese(japanese.loc[named, "description"]).mean() > 0.8
    # Fares of railway companies are among the travel lines, as on a Japanese statement.
    travel = japanese.loc[english["counterparty_category"] == "travel", "description"]
    assert travel.str.startswith("JR東日本 ").any()


def test_an_english_project_gets_no_japanese_categories_or_merchant_names(examples):
    english = examples["en"]
    for column in CATEGORY_COLUMNS:
        assert not in_japanese(english[column]).any(), column
    named = english["payment_method"].isin(NAMED_PAYMENTS)
    assert not in_japanese(english.loc[named, "description"]).any()


def test_both_languages_draw_the_same_lines_and_labels(examples):
    english, japanese = (split_descriptions(examples[language]) for language in ("en", "ja"))
    worded = [*CATEGORY_COLUMNS, "memo", "payee"]
    for column in worded:
        # The same line says the same thing: each English value has one Japanese counterpart.
        assert english[column].isna().equals(japanese[column].isna()), column
        pairs = pd.DataFrame({"en": english[column], "ja": japanese[column]}).dropna().drop_duplicates()
        assert pairs["en"].is_unique, column
    for column in CATEGORY_COLUMNS:
        assert english[column].nunique() == japanese[column].nunique(), column
    pd.testing.assert_frame_equal(english.drop(columns=worded), japanese.drop(columns=worded))


def split_descriptions(frame):
    """`frame` with each description split into the payee's name and the statement's reference number."""
    parts = frame["description"].str.rsplit(" ", n=1, expand=True)
    return frame.drop(columns="description").assign(payee=parts[0], reference=parts[1])
