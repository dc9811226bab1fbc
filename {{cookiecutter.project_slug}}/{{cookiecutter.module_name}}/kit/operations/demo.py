"""A demo for the system-level test: the people who know the work try the model on their own examples.

The Product Manager, the Domain Expert and the ML Operator enter an example or upload a file of
them, and see what the model predicts beside what Test measured and what that quality is worth.
Run it from the project folder:

    streamlit run {{ cookiecutter.module_name }}/kit/operations/demo.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from {{ cookiecutter.module_name }}.kit.core import models
from {{ cookiecutter.module_name }}.kit.core.config import ValueSettings
from {{ cookiecutter.module_name }}.kit.core.data import READABLE_SUFFIXES, DataError
from {{ cookiecutter.module_name }}.kit.core.messages import Messages, messages_beside
from {{ cookiecutter.module_name }}.kit.core.pipeline import OUTPUTS, Project
from {{ cookiecutter.module_name }}.kit.core.records import ColumnSchema, Evaluation, ModelCard, RecordError
from {{ cookiecutter.module_name }}.kit.operations.predict import predict
from {{ cookiecutter.module_name }}.kit.process.value import outlook, payback_text

# What the demo shows: the model, what it was trained on, and what Test measured.
NEEDED = ("model", "model_card", "metrics")


def one_row(values: dict[str, Any], columns: dict[str, ColumnSchema]) -> pd.DataFrame:
    """The form's values as the one-row table `predict` takes; None, an empty field, is a missing value.

    A choice comes back as text, so a column that held numbers in training (an ordered 1–5 rating,
    say) is turned back into numbers: the model would take the text "3" for an unseen category.
    """
    row = pd.DataFrame([values])
    for column, entry in columns.items():
        dtype = pd.api.types.pandas_dtype(entry.dtype)
        if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
            row[column] = pd.to_numeric(row[column])
    return row


def predict_file(project: Project, name: str, content: bytes, model: Any, card: ModelCard) -> pd.DataFrame:
    """Predictions beside the rows of an uploaded file, which is read and checked as the project's data is."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(name).name
        path.write_bytes(content)
        frame = project.read_table(path)
    return pd.concat([predict(frame, model, card), frame[list(card.columns)]], axis=1)


@st.cache_resource(show_spinner=False)
def load_model(path: Path, modified: float) -> Any:
    """Load the model once, not on every click; a retrained model has a new `modified` time."""
    return models.load(path)


def show_requirement(results: Evaluation, say: Messages) -> None:
    """What Test measured on the holdout rows, against the model requirement."""
    verdict = results.value
    st.subheader(say("demo.requirement.title"))
    required, measured = st.columns(2)
    required.metric(say("demo.requirement.requirement"), results.requirement)
    measured.metric(say("demo.requirement.measured"), f"{verdict.primary:.3f}")
    if verdict.meets_requirement:
        st.success(say("demo.requirement.met"))
    else:
        st.error(say("demo.requirement.not_met"))


def show_value(value: ValueSettings, share_correct: float, say: Messages) -> None:
    """What the model is worth at the quality Test measured, beside what the plan assumed."""
    st.subheader(say("demo.value.title"))
    cases = outlook(value, share_correct)
    for column, (case, result) in zip(st.columns(len(cases)), cases.items(), strict=True):
        title = say(f"demo.case.{case}")
        column.markdown(f"**{title}**")
        column.metric(say("demo.value.per_month"), f"{result['value_per_month']:,.0f} {value.currency}")
        column.metric(say("demo.value.pays_back_in"), payback_text(result["payback_month"], say.language))


def ask(column: str, entry: ColumnSchema, say: Messages) -> Any:
    """The widget for one column: a number, a value seen in training, or free text."""
    if entry.kind == "numbers":
        return st.number_input(column, value=None, format="%g")
    if entry.known_values is not None:
        return st.selectbox(column, entry.known_values, index=None, placeholder=say("demo.choose"))
    return st.text_input(column) or None


def show_predictions(output: pd.DataFrame, card: ModelCard, say: Messages) -> None:
    """The predictions, and what the score means: a bare 0.93 does not say of which class."""
    st.dataframe(output, hide_index=True)
    if "score" in output.columns:
        st.caption(say("demo.score", label=card.positive_label))


def show_form(model: Any, card: ModelCard, say: Messages) -> None:
    """One example, entered field by field; a form predicts once it is complete, not on every keystroke."""
    st.caption(say("demo.form_caption"))
    with st.form("example"):
        values = {column: ask(column, entry, say) for column, entry in card.columns.items()}
        submitted = st.form_submit_button(say("demo.predict"))
    if submitted:
        show_predictions(predict(one_row(values, card.columns), model, card), card, say)


def show_upload(project: Project, model: Any, card: ModelCard, say: Messages) -> None:
    """Many examples at once; a file the model cannot take gets its reason, not a traceback."""
    upload = st.file_uploader(
        say("demo.upload"),
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
    say = messages_beside(__file__, project.settings.project.language)
    st.title(say("demo.title", name=project.settings.project.name))
    missing = [OUTPUTS[output] for output in NEEDED if not project.path(output).is_file()]
    if missing:
        st.warning(say("demo.no_tested_model", missing=say("separator").join(missing)))
        st.stop()
    try:
        card = project.read(ModelCard, "model_card")
        results = project.read(Evaluation, "metrics")
        model = load_model(project.path("model"), project.path("model").stat().st_mtime)
    except (RecordError, models.UntrustedModelError) as error:
        st.error(str(error))
        st.stop()

    show_requirement(results, say)
    show_value(project.settings.value, results.value.share_correct, say)
    st.subheader(say("demo.try"))
    one, many = st.tabs([say("demo.one_example"), say("demo.many_examples")])
    with one:
        show_form(model, card, say)
    with many:
        show_upload(project, model, card, say)


if __name__ == "__main__":
    main()
