"""A demo for the system-level test: the people who know the work try the model on their own examples.

The Product Manager, the Domain Expert and the ML Operator enter an example or upload a file of
them, and see what the model predicts beside what Test measured and what that quality is worth.
Run it from the project folder:

    streamlit run {{ cookiecutter.module_name }}/kit/operations/demo.py
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from {{ cookiecutter.module_name }}.kit.core import models
from {{ cookiecutter.module_name }}.kit.core.config import ValueSettings
from {{ cookiecutter.module_name }}.kit.core.data import READABLE_SUFFIXES, DataError
from {{ cookiecutter.module_name }}.kit.core.pipeline import OUTPUTS, PACKAGE, Project
from {{ cookiecutter.module_name }}.kit.operations.predict import predict
from {{ cookiecutter.module_name }}.kit.process.roles import Text
from {{ cookiecutter.module_name }}.kit.process.value import outlook, payback_text

# What the demo shows: the model, what it was trained on, and what Test measured.
NEEDED = ("model", "model_card", "metrics")

Say = Callable[[str, str], str]


def one_row(values: dict[str, Any], card: dict[str, Any]) -> pd.DataFrame:
    """The form's values as the one-row table `predict` takes; None, an empty field, is a missing value.

    A choice comes back as text, so a column that held numbers in training (an ordered 1–5 rating,
    say) is turned back into numbers: the model would take the text "3" for an unseen category.
    """
    row = pd.DataFrame([values])
    for column, entry in card["schema"].items():
        dtype = pd.api.types.pandas_dtype(entry["dtype"])
        if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
            row[column] = pd.to_numeric(row[column])
    return row


def predict_file(
    project: Project, name: str, content: bytes, model: Any, card: dict[str, Any]
) -> pd.DataFrame:
    """Predictions beside the rows of an uploaded file, which is read and checked as the project's data is."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(name).name
        path.write_bytes(content)
        frame = project.read_table(path)
    return pd.concat([predict(frame, model, card), frame[list(card["schema"])]], axis=1)


@st.cache_resource(show_spinner=False)
def load_model(path: Path, modified: float) -> Any:
    """Load the model once, not on every click; a retrained model has a new `modified` time."""
    return models.load(path)


def show_requirement(results: dict[str, Any], say: Say) -> None:
    """What Test measured on the holdout rows, against the model requirement."""
    verdict = results["value"]
    st.subheader(say("Model requirement", "モデルの要件"))
    required, measured = st.columns(2)
    required.metric(say("Requirement", "要件"), results["requirement"])
    measured.metric(
        say("Measured on the holdout rows", "ホールドアウトでの測定値"), f"{verdict['primary']:.3f}"
    )
    if verdict["meets_requirement"]:
        st.success(say("The model meets its requirement.", "モデルは要件を満たしています。"))
    else:
        st.error(
            say(
                "The model does not meet its requirement: judge its predictions with that in mind.",
                "モデルは要件を満たしていません。そのことを踏まえて予測を評価してください。",
            )
        )


def show_value(value: ValueSettings, share_correct: float, language: str, say: Say) -> None:
    """What the model is worth at the quality Test measured, beside what the plan assumed."""
    st.subheader(say("Business value", "ビジネス価値"))
    titles = {
        "planned": say("As planned", "計画どおりなら"),
        "measured": say("At the measured quality", "測定した品質なら"),
    }
    cases = outlook(value, share_correct)
    for column, (case, result) in zip(st.columns(len(cases)), cases.items(), strict=True):
        column.markdown(f"**{titles[case]}**")
        column.metric(
            say("Value per month", "月あたりの価値"), f"{result['value_per_month']:,.0f} {value.currency}"
        )
        column.metric(say("Pays back in", "回収まで"), payback_text(result["payback_month"], language))


def ask(column: str, entry: dict[str, Any], say: Say) -> Any:
    """The widget for one column: a number, a value seen in training, or free text."""
    if entry["kind"] == "numbers":
        return st.number_input(column, value=None, format="%g")
    if "known_values" in entry:
        return st.selectbox(column, entry["known_values"], index=None, placeholder=say("Choose", "選択"))
    return st.text_input(column) or None


def show_predictions(output: pd.DataFrame, card: dict[str, Any], say: Say) -> None:
    """The predictions, and what the score means: a bare 0.93 does not say of which class."""
    st.dataframe(output, hide_index=True)
    if "score" in output.columns:
        st.caption(
            say(
                f"score: how sure the model is that the answer is {card['positive_label']}, from 0 to 1.",
                f"score: 答えが {card['positive_label']} であるとモデルがどれだけ確信しているか（0〜1）。",
            )
        )


def show_form(model: Any, card: dict[str, Any], say: Say) -> None:
    """One example, entered field by field; a form predicts once it is complete, not on every keystroke."""
    st.caption(
        say(
            "Enter an example as it comes up in the work. An empty field is a missing value.",
            "業務で実際に出てくる例を入力してください。空欄は欠損値として扱います。",
        )
    )
    with st.form("example"):
        values = {column: ask(column, entry, say) for column, entry in card["schema"].items()}
        submitted = st.form_submit_button(say("Predict", "予測する"))
    if submitted:
        show_predictions(predict(one_row(values, card), model, card), card, say)


def show_upload(project: Project, model: Any, card: dict[str, Any], say: Say) -> None:
    """Many examples at once; a file the model cannot take gets its reason, not a traceback."""
    upload = st.file_uploader(
        say(
            "A CSV or Parquet file with the columns the model was trained on",
            "モデルが学習した列を持つ CSV または Parquet ファイル",
        ),
        type=[suffix.lstrip(".") for suffix in READABLE_SUFFIXES],
    )
    if upload is None:
        return
    try:
        output = predict_file(project, upload.name, upload.getvalue(), model, card)
    except DataError as error:
        st.error(str(error))
    else:
        show_predictions(output, card, say)


def main() -> None:
    project = Project.load()
    language = project.settings.project.language

    def say(en: str, ja: str) -> str:
        return Text(en, ja).in_(language)

    name = project.settings.project.name
    st.title(say(f"{name}: demo", f"{name}: デモ"))
    missing = [OUTPUTS[output] for output in NEEDED if not project.path(output).is_file()]
    if missing:
        st.warning(
            say(
                f"There is no tested model yet ({', '.join(missing)} missing). Run "
                f"`python -m {PACKAGE} run all` in the project folder, then reload this page.",
                f"テスト済みのモデルがまだありません（{', '.join(missing)} がありません）。プロジェクトの"
                f"フォルダで `python -m {PACKAGE} run all` を実行してから、このページを再読み込みしてください。",
            )
        )
        st.stop()
    card = json.loads(project.path("model_card").read_text(encoding="utf-8"))
    results = json.loads(project.path("metrics").read_text(encoding="utf-8"))
    try:
        model = load_model(project.path("model"), project.path("model").stat().st_mtime)
    except models.UntrustedModelError as error:
        st.error(str(error))
        st.stop()

    show_requirement(results, say)
    show_value(project.settings.value, results["value"]["share_correct"], language, say)
    st.subheader(say("Try the model", "モデルを試す"))
    one, many = st.tabs([say("One example", "1件の例"), say("A file of examples", "例のファイル")])
    with one:
        show_form(model, card, say)
    with many:
        show_upload(project, model, card, say)


if __name__ == "__main__":
    main()
