"""A demo for the system-level test: the people who know the work try the model on their own examples.

The Product Manager, the Domain Expert and the ML Operator enter an example or upload a file of
them, and see what the model predicts beside what Test measured and what that quality is worth.
Columns and classes carry the names of data.labels in params.yaml; each answer comes with the
columns that moved it most; a file that holds the true answers shows where the model agrees with
them; and a wrong answer can be corrected: the correction is appended to data.feedback_path, which
`python -m {{ cookiecutter.module_name }} monitor --labelled` reads as newly labelled rows.
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
from {{ cookiecutter.module_name }}.kit.operations.explain import (
    Labels,
    agreement,
    append_feedback,
    feedback_rows,
    reasons,
    reasons_by_row,
)
from {{ cookiecutter.module_name }}.kit.operations.predict import predict
from {{ cookiecutter.module_name }}.kit.process.value import outlook, payback_text

# What the demo shows: the model, what it was trained on, and what Test measured.
NEEDED = ("model", "model_card", "metrics")
# The rows of an uploaded file whose reasons are shown: each costs a prediction per column.
MAX_ROWS_WITH_REASONS = 1000


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


def read_upload(project: Project, name: str, content: bytes) -> pd.DataFrame:
    """The rows of an uploaded file, read and checked as the project's data is."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(name).name
        path.write_bytes(content)
        return project.read_table(path)


def readable(output: pd.DataFrame, card: ModelCard, labels: Labels, say: Messages) -> pd.DataFrame:
    """Predictions as people read them: columns by their data.labels names, the answer by its class's
    name, and each score named by the class it is about."""
    shown = output.copy()
    names: dict[str, str] = {"prediction": say("demo.answer.prediction")}
    if "prediction" in shown.columns and card.problem_type == "classification":
        shown["prediction"] = [labels.answer(value) for value in shown["prediction"]]
    if "score" in shown.columns:
        names["score"] = say("demo.answer.score", label=labels.answer(card.positive_label))
    for label in card.classes:
        names[f"score_{label}"] = say("demo.answer.score", label=labels.answer(label))
    for column in shown.columns:
        names.setdefault(column, labels.column(column))
    return shown.rename(columns=names)


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


def ask(column: str, entry: ColumnSchema, labels: Labels, say: Messages) -> Any:
    """The widget for one column, under its readable name: a number, a value seen in training, or free
    text. Its key is the column's own name, by which tests find it."""
    label, key = labels.column(column), f"field.{column}"
    if entry.kind == "numbers":
        return st.number_input(label, value=None, format="%g", key=key)
    if entry.known_values is not None:
        return st.selectbox(label, entry.known_values, index=None, placeholder=say("demo.choose"), key=key)
    return st.text_input(label, key=key) or None


def show_predictions(output: pd.DataFrame, card: ModelCard, labels: Labels, say: Messages) -> None:
    """The predictions, and what the score means: a bare 0.93 does not say of which class."""
    st.dataframe(readable(output, card, labels, say), hide_index=True)
    if "score" in output.columns:
        st.caption(say("demo.score", label=labels.answer(card.positive_label)))


def show_reasons(
    row: pd.DataFrame, answer: Any, model: Any, card: ModelCard, labels: Labels, say: Messages
) -> None:
    """The columns that moved this answer most, each with its value and how far it moved it."""
    st.markdown(f"**{say('demo.reasons.title')}**")
    found = reasons(row, model, card)
    if not found:
        st.markdown(say("demo.reasons.none"))
        return
    for reason in found:
        direction = "towards" if reason.contribution > 0 else "against"
        st.markdown(
            "- "
            + say(
                f"demo.reasons.{direction}",
                column=labels.column(reason.column),
                value=cell(reason.value),
                answer=labels.answer(answer),
                change=reason.contribution,
            )
        )
    st.caption(say("demo.reasons.caption"))


def cell(value: Any) -> str:
    """A value as a person entered it: 3000.0 as 3000."""
    if isinstance(value, float) and value.is_integer():
        return f"{value:.0f}"
    return str(value)


def ask_right_answer(card: ModelCard, labels: Labels, key: str, say: Messages) -> Any:
    """The expert's answer: one of the model's classes by its readable name, or a number."""
    if card.problem_type == "classification":
        return st.selectbox(
            say("demo.feedback.right_answer"),
            card.classes,
            index=None,
            format_func=labels.answer,
            placeholder=say("demo.choose"),
            key=key,
        )
    return st.number_input(say("demo.feedback.right_answer"), value=None, format="%g", key=key)


def record_feedback(
    project: Project, rows: pd.DataFrame, model_answers: Any, right: Any, card: ModelCard, say: Messages
) -> None:
    path = append_feedback(project, feedback_rows(rows, model_answers, right, card, project))
    shown = path.relative_to(project.root).as_posix()
    st.success(say("demo.feedback.recorded", rows=len(rows), path=shown))


def show_form(project: Project, model: Any, card: ModelCard, labels: Labels, say: Messages) -> None:
    """One example, entered field by field; a form predicts once it is complete, not on every keystroke.
    The example stays on the page after that, so its answer can be corrected."""
    st.caption(say("demo.form_caption"))
    with st.form("example"):
        values = {column: ask(column, entry, labels, say) for column, entry in card.columns.items()}
        if st.form_submit_button(say("demo.predict")):
            st.session_state["entered"] = values
    if "entered" not in st.session_state:
        return
    row = one_row(st.session_state["entered"], card.columns)
    try:
        output = predict(row, model, card)
    except DataError as error:
        st.error(str(error))
        return
    answer = output["prediction"].iloc[0]
    st.subheader(say("demo.answer.title"))
    st.metric(say("demo.answer.prediction"), labels.answer(answer))
    show_predictions(output, card, labels, say)
    show_reasons(row, answer, model, card, labels, say)
    st.markdown(f"**{say('demo.feedback.title')}**")
    right = ask_right_answer(card, labels, "feedback.answer", say)
    if st.button(say("demo.feedback.record"), key="feedback.record"):
        if right is None:
            st.warning(say("demo.feedback.choose_answer"))
        else:
            record_feedback(project, row, [answer], right, card, say)


def show_agreement(frame: pd.DataFrame, model: Any, card: ModelCard, project: Project, say: Messages) -> Any:
    """For a file that holds the true answers: how often the model gives them, the project's metric on
    those rows, and which rows it disagrees with. Returns the rows' agreement, or None."""
    found = agreement(frame, model, card, project)
    if found is None:
        return None
    target = Labels.of(project.data.labels).column(project.data.target)
    st.subheader(say("demo.agreement.title"))
    st.caption(say("demo.agreement.rows", rows=found.rows, target=target))
    share, metric = st.columns(2)
    share.metric(say("demo.agreement.share", target=target), f"{found.share:.1%}")
    metric.metric(
        say("demo.agreement.metric", metric=found.metric),
        "—" if found.value is None else f"{found.value:.3f}",
    )
    wrong = [
        str(number) for number in (frame.index + 1)[found.agrees.eq(False).fillna(False).to_numpy(dtype=bool)]
    ]
    if wrong:
        st.warning(say("demo.agreement.disagree", rows=say("separator").join(wrong)))
    return found.agrees


@st.cache_data(show_spinner=False, max_entries=4)
def file_reasons(content: bytes, modified: float, _frame: pd.DataFrame, _model: Any, _card: ModelCard) -> Any:
    """The reasons of every row of an uploaded file, worked out once per file and model: every click on
    the page runs the script again."""
    return reasons_by_row(_frame, _model, _card)


def show_upload(project: Project, model: Any, card: ModelCard, labels: Labels, say: Messages) -> None:
    """Many examples at once; a file the model cannot take gets its reason, not a traceback. Rows are
    numbered from 1, by which wrong answers are chosen for correction."""
    upload = st.file_uploader(
        say("demo.upload"),
        type=[suffix.lstrip(".") for suffix in READABLE_SUFFIXES],
    )
    if upload is None:
        return
    try:
        frame = read_upload(project, upload.name, upload.getvalue()).reset_index(drop=True)
        output = pd.concat([predict(frame, model, card), frame[list(card.columns)]], axis=1)
        agrees = show_agreement(frame, model, card, project, say)
    except DataError as error:
        st.error(str(error))
        return
    if agrees is not None:
        target = labels.column(project.data.target)
        output.insert(
            output.columns.get_loc("prediction") + 1, say("demo.agreement.agrees", target=target), agrees
        )
    if len(frame) <= MAX_ROWS_WITH_REASONS:
        by_row = file_reasons(upload.getvalue(), project.path("model").stat().st_mtime, frame, model, card)
        output.insert(
            output.columns.get_loc("prediction") + 1,
            say("demo.reasons.column"),
            [say("separator").join(labels.column(reason.column) for reason in found) for found in by_row],
        )
    output.insert(0, say("demo.row"), output.index + 1)
    show_predictions(output, card, labels, say)
    st.markdown(f"**{say('demo.feedback.title')}**")
    numbers = st.multiselect(say("demo.feedback.rows"), list(range(1, len(frame) + 1)), key="feedback.rows")
    right = ask_right_answer(card, labels, "feedback.upload_answer", say)
    if st.button(say("demo.feedback.record"), key="feedback.upload_record"):
        if not numbers or right is None:
            st.warning(say("demo.feedback.choose_rows"))
        else:
            chosen = [number - 1 for number in numbers]
            record_feedback(project, frame.iloc[chosen], output["prediction"].iloc[chosen], right, card, say)


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

    labels = Labels.of(project.data.labels)
    show_requirement(results, say)
    show_value(project.settings.value, results.value.share_correct, say)
    st.subheader(say("demo.try"))
    one, many = st.tabs([say("demo.one_example"), say("demo.many_examples")])
    with one:
        show_form(project, model, card, labels, say)
    with many:
        show_upload(project, model, card, labels, say)


if __name__ == "__main__":
    main()
