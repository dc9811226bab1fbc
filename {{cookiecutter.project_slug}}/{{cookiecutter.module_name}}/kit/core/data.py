"""Read the team's data and refuse it, with a clear message, when it breaks a data requirement.

Every message names the requirement that is broken (the data checklist's words), what was found,
and how to fix it. Nothing here writes to data/raw/: raw data is never modified.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import math
import re
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pandas.api.types import (
    is_bool_dtype,
    is_datetime64_any_dtype,
    is_numeric_dtype,
    is_object_dtype,
    is_string_dtype,
)
from scipy import sparse

from .config import DELIMITERS, ENCODINGS, DataSettings
from .files import replacing
from .messages import messages_here

READABLE_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".pq")
# What a file is, by its first bytes, when its name says CSV but it is not text.
NOT_TEXT = {
    b"PK\x03\x04": "an Excel workbook (or another zip archive)",
    b"\xd0\xcf\x11\xe0": "an Excel 97-2003 workbook",
    b"\x1f\x8b": "gzip-compressed",
}
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".numbers")
# How much of a file that is not in its configured encoding is read to tell which encoding it is in.
ENCODING_SAMPLE = 16 << 20
# A CSV whose first megabyte holds no line break is not one row per line.
LONGEST_LINE = 1 << 20
# A text column whose values are at least this share numbers is a number column with typos.
MOSTLY_NUMBERS = 0.5

# Text that looks like personal data when nearly every sampled value of a column matches one pattern whole,
# by the kind it is reported as (the words for each kind are in the Analyze stage's messages).
PERSONAL_PATTERNS = {
    "email": re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]{2,}"),
    "postal_code_or_phone": re.compile(r"〒?\s?\d{3}-\d{4}|\d{5}-\d{4}"),
    # 03-1234-5678, 090 1234 5678, (03) 1234-5678, +81-90-1234-5678, 555-123-4567, 403-2562
    "phone": re.compile(r"(?:\+\d{1,3}[- ]?)?(?:\(\d{1,5}\)[- ]?|\d{1,5}[- ])?\d{2,4}[- ]\d{3,4}"),
    "card_or_account": re.compile(r"\d{4}(?:[- ]?\d{4}){2}[- ]?\d{1,7}|\d{7,19}"),
}
PERSONAL_SHARE = 0.8  # of sampled values that must match
PERSONAL_SAMPLE = 1000
# A pattern other than an e-mail address also matches codes and bands (1000-1999) that repeat; personal
# values are many: at least this many distinct ones, or a tenth of the rows when there are fewer.
PERSONAL_DISTINCT = 50
# A column with a different value in nearly every row (this share) identifies rows, as names and ids do.
IDENTIFYING_SHARE = 0.95
IDENTIFYING_ROWS = 20  # fewer rows than this cannot show it
# Whole numbers identify rows when they number them: each row its own number, all within a span at most
# this many times their count (1..N or 10001..10320, in any order, with gaps where rows were removed).
# Amounts, prices, counts and measurements are not packed so densely: drawn from a span this narrow,
# about a fifth of them would repeat. So a column of mostly distinct yen amounts stays a feature.
ROW_NUMBER_SPAN = 2
# Phone, card and account numbers stored as numbers: whole numbers of this many digits, rarely round.
NUMBER_DIGITS = range(9, 20)


class DataError(ValueError):
    """The data breaks a data requirement."""

    def __init__(self, requirement: str, problem: str, fix: str) -> None:
        say = messages_here(__file__)
        super().__init__(say("data.not_met", requirement=requirement, problem=problem, fix=fix))
        self.requirement = requirement


class DataErrors(DataError):
    """The data breaks several data requirements: all are reported at once, so one round fixes them all."""

    def __init__(self, errors: Sequence[DataError]) -> None:
        say = messages_here(__file__)
        listed = "".join(f"\n- {error}" for error in errors)
        ValueError.__init__(self, say("data.several", count=len(errors)) + listed)
        self.requirement = errors[0].requirement
        self.errors = list(errors)


def dense(features: Any) -> np.ndarray:
    """Features as a dense array, whether the preprocessor gave them sparse (with word weights) or not."""
    return features.toarray() if sparse.issparse(features) else np.asarray(features)


def check_all(*checks: Callable[[], object]) -> None:
    """Run every check, then raise one error that reports each broken requirement."""
    errors = []
    for check in checks:
        try:
            check()
        except DataError as error:
            errors.append(error)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise DataErrors(errors)


def read_table(
    path: Path, encoding: str = "utf-8", missing_values: Sequence[str] = (), delimiter: str = ","
) -> pd.DataFrame:
    """Read a CSV (or gzip-compressed CSV) or Parquet file, refusing files that cannot be the data a
    model learns from.

    Empty cells are missing values, and so are the cells that hold one of `missing_values` exactly
    (data.missing_values); every other text, `NA` and `None` included, is a value.
    """
    if not path.is_file():
        raise DataError(
            "the data exists",
            f"There is no file at {path}.",
            "Copy the data there, or set data.path in params.yaml to where it is.",
        )
    if not path.name.lower().endswith(READABLE_SUFFIXES):
        spreadsheet = path.suffix.lower() in SPREADSHEET_SUFFIXES
        raise DataError(
            "the data is in a readable format",
            f"{path.name} is {'a spreadsheet' if spreadsheet else 'neither CSV nor Parquet'}.",
            "Export it as .csv (UTF-8; or CSV from Japanese Excel, with data.encoding: cp932) or .parquet "
            "and point data.path to that file.",
        )
    if path.stat().st_size == 0:
        raise DataError("the data has rows", f"{path.name} is empty.", "Export the data again.")
    if is_csv(path):
        frame = _read_csv(path, encoding, missing_values, delimiter)
    else:
        frame = marked_as_missing(_read_parquet(path), missing_values)
    if frame.empty:
        raise DataError(
            "the data has rows", f"{path.name} has a header but no rows.", "Export the data again."
        )
    return frame


def is_csv(path: Path) -> bool:
    return path.name.lower().endswith((".csv", ".csv.gz"))


def open_bytes(path: Path) -> gzip.GzipFile | io.BufferedReader:
    """A CSV file's bytes, uncompressed when its name ends in .gz."""
    return gzip.open(path) if path.suffix.lower() == ".gz" else path.open("rb")


def _read_csv(path: Path, encoding: str, missing_values: Sequence[str], delimiter: str) -> pd.DataFrame:
    refuse_binary(path)
    with open_bytes(path) as stream:
        start = stream.read(LONGEST_LINE)
    if len(start) == LONGEST_LINE and b"\n" not in start and b"\r" not in start:
        raise DataError(
            "each row is on a line of its own",
            f"The first {LONGEST_LINE // 2**20} MB of {path.name} hold no line break.",
            "Export it again as CSV with one row per line; quote text cells that hold line breaks.",
        )
    # A UTF-8 file may start with a byte order mark (as Excel writes it); it is not part of the header.
    text_encoding = "utf-8-sig" if encoding == "utf-8" else encoding
    try:
        with io.TextIOWrapper(open_bytes(path), encoding=text_encoding, newline="") as stream:
            header = next(csv.reader(stream, delimiter=delimiter), [])
        refuse_other_delimiter(header, path, delimiter)
        repeated = sorted({name for name in header if header.count(name) > 1})
        if repeated:
            raise DataError(
                "every column has its own name",
                f"The header of {path.name} repeats: {', '.join(repeated)}.",
                "Rename or remove the repeated columns.",
            )
        frame = pd.read_csv(
            path,
            sep=delimiter,
            encoding=text_encoding,
            keep_default_na=False,
            na_values=["", *missing_values],
            low_memory=False,
        )
    except UnicodeDecodeError as error:
        likely = likely_encoding(path, encoding)
        reads_as = (
            f"; it reads as {ENCODINGS[likely]}." if likely else ", nor in another encoding it may be in."
        )
        raise DataError(
            "the data is text in the encoding data.encoding names",
            f"{path.name} is not {ENCODINGS[encoding]} (data.encoding: {encoding}): byte {error.start:,} cannot "
            f"be read{reads_as}",
            f"Set data.encoding: {likely} in params.yaml."
            if likely
            else f"Save it again as UTF-8, or set data.encoding to one of: {', '.join(ENCODINGS)}.",
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error, EOFError, gzip.BadGzipFile) as error:
        raise DataError(
            "the data is well-formed CSV",
            f"{path.name} cannot be parsed: {str(error).strip()}.",
            "Check the delimiter (data.delimiter) and quoting, or export it again.",
        ) from None
    repeats = header_lines(frame)
    if repeats:
        raise DataError(
            "the header comes once, at the top",
            f"Data row(s) {', '.join(map(str, repeats[:5]))} of {path.name} repeat the header, as when two "
            "exports are joined.",
            "Remove the repeated header lines.",
        )
    return frame


def refuse_binary(path: Path) -> None:
    """A file named like CSV that is a workbook or compressed is named as what it is, not as bad text."""
    with path.open("rb") as stream:
        start = stream.read(4)
    compressed = path.suffix.lower() == ".gz"
    for magic, kind in NOT_TEXT.items():
        if start.startswith(magic) and not (compressed and kind == "gzip-compressed"):
            fix = (
                f"Rename it to {path.name}.gz (and data.path with it), or decompress it."
                if kind == "gzip-compressed"
                else "Open it in Excel and save it as CSV (UTF-8), or export it as Parquet."
            )
            raise DataError("the data is in a readable format", f"{path.name} is {kind}, not CSV text.", fix)


def refuse_other_delimiter(header: list[str], path: Path, delimiter: str) -> None:
    """A header of one column that holds another delimiter means the file is separated by that one."""
    found = [name for name, other in DELIMITERS.items() if other != delimiter and other in "".join(header)]
    if len(header) == 1 and found:
        raise DataError(
            "the data is well-formed CSV",
            f"The header of {path.name} reads as one column, {header[0][:60]!r}: its values are separated "
            f"by a {found[0]}.",
            f"Set data.delimiter: {found[0]} in params.yaml.",
        )


def likely_encoding(path: Path, tried: str) -> str | None:
    """The other family's encoding when it reads the start of the file: cp932 for a file that is not
    UTF-8, UTF-8 for one that is not Shift_JIS; otherwise None."""
    other = "cp932" if tried.startswith("utf-8") else "utf-8"
    with open_bytes(path) as stream:
        start = stream.read(ENCODING_SAMPLE)
    try:
        # final=False: a character the sample cuts in two is not an error.
        codecs.getincrementaldecoder(other)().decode(start, final=False)
    except UnicodeDecodeError:
        return None
    return other


def marked_as_missing(frame: pd.DataFrame, missing_values: Sequence[str]) -> pd.DataFrame:
    """Parquet's text columns with `missing_values` made missing, and read as numbers when all the rest are."""
    for column in frame.columns:
        values = frame[column]
        if not missing_values or not (is_object_dtype(values) or is_string_dtype(values)):
            continue
        marked = values.isin(missing_values)
        if marked.any():
            values = values.mask(marked)
            numbers = pd.to_numeric(values, errors="coerce")
            frame[column] = numbers if numbers.notna().sum() == values.notna().sum() else values
    return frame


def header_lines(frame: pd.DataFrame) -> list[int]:
    """The numbers (from 1) of the data rows that repeat the header."""
    header = [str(name) for name in frame.columns]
    first = frame.iloc[:, 0].astype(str) == header[0]
    return [
        position + 1
        for position in first.to_numpy().nonzero()[0]
        if frame.iloc[position].astype(str).tolist() == header
    ]


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError) as error:
        raise DataError(
            "the data is in a readable format",
            f"{path.name} is not a readable Parquet file ({error}).",
            "Export it again as Parquet or CSV.",
        ) from None


def check_columns(
    frame: pd.DataFrame,
    data: DataSettings,
    problem_type: str,
    named_elsewhere: Sequence[str] = (),
    min_class_rows: int = 2,
) -> None:
    """The columns params.yaml names (under data:, and `named_elsewhere`) exist, none is empty, each cell
    holds one value, numbers are finite and in their ranges, the time column holds times, and the target
    fits the problem, with `min_class_rows` in each class. Every broken requirement is reported at once."""
    target = data.target
    named: list[str | None] = [target, *data.id_columns, *data.text_columns, *data.personal_data_columns]
    named += data.not_personal_columns
    named += [*data.ignore_columns, data.time_column, data.segment_column, *data.expected_ranges]
    named += named_elsewhere
    missing = list(dict.fromkeys(name for name in named if name is not None and name not in frame.columns))
    if missing:
        raise DataError(
            "the columns named in params.yaml exist",
            f"Not in the data: {', '.join(missing)}. The data has: {', '.join(map(str, frame.columns))}.",
            "Fix the names in params.yaml (under data:, prepare.keep_columns or preprocess.ordinal_columns).",
        )
    time = [] if data.time_column is None else [frame[data.time_column]]
    mixed = dict(mixed_columns(frame, data))
    ranges = [(name, bounds) for name, bounds in data.expected_ranges.items() if name not in mixed]
    check_all(
        partial(check_not_empty, frame, data),
        *(partial(check_single_values, frame[name]) for name in frame if is_object_dtype(frame[name])),
        *(partial(refuse_infinity, frame[name]) for name in frame if is_numeric_dtype(frame[name])),
        *(
            partial(refuse_mixed, name, text, personal_data_kind(frame[name]) is not None)
            for name, text in mixed.items()
        ),
        *(partial(time_order, values) for values in time),  # refuses values that are not dates or times
        *(partial(check_expected_range, frame[name], bounds) for name, bounds in ranges),
        partial(check_target, frame[target], problem_type, data.positive_label, min_class_rows),
    )


def check_single_values(values: pd.Series) -> None:
    """A cell holding a list or a mapping (a Parquet nested column) is no value a model can learn from."""
    sample = values.dropna().head(PERSONAL_SAMPLE)
    nested = sample[sample.map(lambda value: isinstance(value, (list, tuple, dict, set, np.ndarray)))]
    if len(nested):
        raise DataError(
            "each cell holds one value",
            f"Column '{values.name}' holds lists or mappings, such as {type(nested.iloc[0]).__name__} values.",
            "Flatten it into one column per item when you export the data, or list it under "
            "data.ignore_columns in params.yaml.",
        )


def refuse_infinity(values: pd.Series) -> None:
    """Infinity is no measurement: a CSV cell of inf or -inf usually marks a division by zero upstream."""
    if is_bool_dtype(values):
        return
    infinite = int(np.isinf(values.to_numpy(dtype=float, na_value=np.nan)).sum())
    if infinite:
        raise DataError(
            "numbers are finite",
            f"Column '{values.name}' holds infinity in {infinite:,} row(s).",
            "Fix those cells, or leave them empty where the value is unknown (list the marker under "
            "data.missing_values in params.yaml if it stands for missing).",
        )


def check_not_empty(frame: pd.DataFrame, data: DataSettings) -> None:
    empty = [name for name in frame.columns if frame[name].isna().all() and name not in data.ignore_columns]
    if empty:
        raise DataError(
            "every column carries values",
            f"These columns are empty in every row: {', '.join(map(str, empty))}.",
            "Fix the export, or list them under data.ignore_columns in params.yaml.",
        )


def refuse_mixed(name: str, text: pd.Series, personal: bool) -> None:
    """A number column with text in some rows; text that repeats is likely a marker for missing. The
    message shows no value of a column that looks like `personal` data."""
    cells = (
        "those cells (leave a cell empty when the value is missing), or list the column under "
        "data.text_columns or data.ignore_columns in params.yaml."
    )
    repeated = text.value_counts()
    fix = (
        f"If {repeated.index[0]!r} stands for a missing value, list it under data.missing_values in "
        f"params.yaml; otherwise fix {cells}"
        if repeated.iloc[0] > 1 and not personal
        else f"Fix {cells}"
    )
    example = (
        "its values look like personal data, so none is shown" if personal else f"such as {text.iloc[0]!r}"
    )
    raise DataError(
        "each column holds one kind of value",
        f"Column '{name}' holds numbers, but also text in {len(text):,} row(s) ({example}).",
        fix,
    )


def check_expected_range(values: pd.Series, bounds: list[float | None]) -> None:
    """A column of data.expected_ranges holds numbers, all inside its range; missing values pass."""
    if not is_numeric_dtype(values) or is_bool_dtype(values):
        examples = values.dropna().astype(str).unique()[:3]
        raise DataError(
            "a column with an expected range holds numbers",
            f"data.expected_ranges gives a range for '{values.name}', but it holds "
            f"{', '.join(map(repr, examples)) or 'no numbers'}.",
            "Point the range to a number column, or remove it from data.expected_ranges in params.yaml.",
        )
    check_range(
        values,
        bounds,
        "Fix those rows in the data, or widen data.expected_ranges in params.yaml if such values are real.",
    )


def check_range(values: pd.Series, bounds: Sequence[float | None], fix: str) -> None:
    """Refuse numbers outside [lowest, highest], where None leaves that side open; missing values pass.

    Raw data and rows sent for prediction are held to the same range, so a model never answers for
    values it was not meant to see.
    """
    lowest, highest = bounds
    numbers = pd.to_numeric(values, errors="coerce")
    numbers = numbers[np.isfinite(numbers)]  # infinity is refused on its own, as no measurement at all
    low = -math.inf if lowest is None else lowest
    high = math.inf if highest is None else highest
    outside = numbers[(numbers < low) | (numbers > high)]
    if len(outside):
        raise DataError(
            "each number lies in its expected range",
            f"Column '{values.name}' should be {range_text(lowest, highest)} (data.expected_ranges), but "
            f"{len(outside):,} row(s) are not, such as {outside.tolist()[0]!r}.",
            fix,
        )


def range_text(lowest: float | None, highest: float | None) -> str:
    """A range as people say it: from 0 to 120, at least 0, at most 120."""
    if lowest is None:
        return f"at most {highest:g}"
    return f"at least {lowest:g}" if highest is None else f"from {lowest:g} to {highest:g}"


def mixed_columns(frame: pd.DataFrame, data: DataSettings) -> list[tuple[str, pd.Series]]:
    """The text columns that are mostly numbers, each with its values that are not numbers."""
    declared = {data.target, *data.id_columns, *data.text_columns, *data.ignore_columns}
    declared |= set(data.personal_data_columns)
    found = []
    for name in frame.columns:
        if name in declared or not (is_object_dtype(frame[name]) or is_string_dtype(frame[name])):
            continue
        values = frame[name].dropna()
        numbers = pd.to_numeric(values, errors="coerce")
        if MOSTLY_NUMBERS <= numbers.notna().mean() < 1:
            found.append((str(name), values[numbers.isna()]))
    return found


def time_order(values: pd.Series) -> pd.Series:
    """The time column as values that sort in time: numbers and times as they are, text read as dates."""
    if is_numeric_dtype(values) or is_datetime64_any_dtype(values):
        return values
    # Each value read on its own, in UTC, so that formats and time zones may differ from row to row.
    parsed = pd.to_datetime(values, errors="coerce", format="mixed", utc=True)
    unreadable = values[parsed.isna() & values.notna()]
    if len(unreadable):
        raise DataError(
            "the time column holds dates or times",
            f"Column '{values.name}' (data.time_column) holds {len(unreadable):,} value(s) that are not dates "
            f"or times, such as {unreadable.iloc[0]!r}.",
            "Correct them (for example 2024-03-31 or 2024-03-31 14:05), or set data.time_column to null "
            "in params.yaml.",
        )
    return parsed


def check_target(target: pd.Series, problem_type: str, positive_label: Any, min_class_rows: int = 2) -> None:
    labels = target.dropna()
    if problem_type == "regression":
        if not pd.api.types.is_numeric_dtype(labels) or pd.api.types.is_bool_dtype(labels):
            raise DataError(
                "the target is a number for a regression problem",
                f"The target '{target.name}' holds values such as {labels.iloc[0]!r}.",
                "Point data.target to a numeric column, or set model.problem_type to classification.",
            )
        return
    classes = labels.unique()
    if len(classes) < 2:
        raise DataError(
            "the target has at least two classes",
            f"Every labelled row of '{target.name}' is {classes[0]!r}."
            if len(classes)
            else "No row is labelled.",
            "Collect examples of the other classes (Prepare drafts the request).",
        )
    if pd.api.types.is_float_dtype(labels) and not labels.apply(float.is_integer).all():
        raise DataError(
            "the target is a class label for a classification problem",
            f"The target '{target.name}' holds fractional numbers such as {labels.iloc[0]!r}.",
            "Set model.problem_type to regression, or point data.target to a label column.",
        )
    counts = labels.value_counts()
    few = counts[counts < min_class_rows]
    if len(few):
        listed = ", ".join(f"{label!r} ({count:,})" for label, count in few.items())
        raise DataError(
            "each class has enough rows to train and test on",
            f"Class(es) of '{target.name}' with fewer than {min_class_rows} rows: {listed}. With "
            "split.holdout_size held out, each class needs model.cv_folds rows in training and one to test.",
            "Collect more rows of these classes, merge them into similar classes, or remove their rows "
            "(or lower model.cv_folds in params.yaml).",
        )
    if positive_label is not None and len(classes) > 2:
        raise DataError(
            "a positive class is named only for two classes",
            f"The target '{target.name}' has {len(classes)} classes, and data.positive_label is {positive_label!r}.",
            "Set data.positive_label: null in params.yaml; f1, precision, recall and roc_auc then average "
            "their per-class scores as model.average says (macro or weighted).",
        )
    if positive_label is not None and positive_label not in set(classes.tolist()):
        twin = next((label for label in classes.tolist() if str(label) == str(positive_label)), None)
        if twin is not None:
            text = isinstance(twin, str)
            raise DataError(
                "the positive class occurs in the target",
                f"data.positive_label is {positive_label!r}, but '{target.name}' holds {twin!r}: the same "
                f"characters, but {'text' if text else 'a number'}.",
                f"Write positive_label: {repr(twin) if text else twin} in params.yaml "
                f"({'in quotes' if text else 'without quotes'}).",
            )
        raise DataError(
            "the positive class occurs in the target",
            f"data.positive_label is {positive_label!r}, but '{target.name}' holds {sorted(map(str, classes))}.",
            "Set data.positive_label in params.yaml to one of these.",
        )


def personal_data_kind(values: pd.Series) -> str | None:
    """The kind of personal data a column's values look like, or None: a key of PERSONAL_PATTERNS or
    one of the number and code kinds below, each worded in the Analyze stage's messages (personal_kind).

    Found by value, not by name: e-mail addresses, postal codes, phone, card and account numbers
    (as text or as numbers), text codes that identify one row each, and whole numbers that number the
    rows (ids, row numbers). Other whole numbers, such as amounts, prices and counts, are not personal
    even when nearly every row holds its own.
    """
    present = values.dropna()
    if present.empty or is_bool_dtype(values) or is_datetime64_any_dtype(values):
        return None
    sample = present.sample(min(len(present), PERSONAL_SAMPLE), random_state=0)
    distinct = present.nunique()
    identifying = len(present) >= IDENTIFYING_ROWS and distinct >= IDENTIFYING_SHARE * len(present)
    # Numbers, also when a few typed as text made the column text: judged as numbers.
    numbers = sample if is_numeric_dtype(values) else pd.to_numeric(sample, errors="coerce")
    if numbers.notna().mean() >= PERSONAL_SHARE:
        row_numbers = identifying and packed_like_row_numbers(present)
        return number_kind(numbers.dropna().astype(float), row_numbers)
    text = sample.astype(str).str.strip()
    many = distinct >= min(PERSONAL_DISTINCT, len(present) / 10)
    for kind, pattern in PERSONAL_PATTERNS.items():
        matching = text.str.fullmatch(pattern).mean() >= PERSONAL_SHARE
        if matching and (many or kind == "email"):
            return kind
    codes = text.str.fullmatch(r"\S*\d\S*").mean() >= PERSONAL_SHARE
    return "row_codes" if identifying and codes else None


def packed_like_row_numbers(values: pd.Series) -> bool:
    """Whether a column's numbers are packed as densely as numbers given to rows: their span at most
    ROW_NUMBER_SPAN times their count."""
    numbers = pd.to_numeric(values, errors="coerce").dropna().astype(float)  # float: no overflow
    return bool(numbers.max() - numbers.min() < ROW_NUMBER_SPAN * len(numbers))


def number_kind(numbers: pd.Series, row_numbers: bool) -> str | None:
    """The kind of personal data numbers look like: long whole numbers that are rarely round (phone,
    card, account), or whole numbers that number the rows (`row_numbers`: distinct and packed); else None."""
    if not (numbers % 1 == 0).all():
        return None
    digits = numbers.abs().map(lambda number: len(f"{number:.0f}"))
    many_digits = digits.isin(NUMBER_DIGITS).mean() >= PERSONAL_SHARE
    if many_digits and (numbers % 1000 == 0).mean() < 1 - PERSONAL_SHARE:
        return "stored_as_numbers"
    return "row_numbers" if row_numbers else None


def write_table(frame: pd.DataFrame, path: Path) -> None:
    with replacing(path) as temporary:
        frame.to_parquet(temporary, index=False)


def write_table_in_parts(parts: Iterable[pd.DataFrame], path: Path) -> None:
    """Write frames of the same columns one after another as one Parquet table, so that only one of
    them is ever held in memory."""
    with replacing(path) as temporary:
        writer = None
        try:
            for part in parts:
                table = pa.Table.from_pandas(part, preserve_index=False)
                writer = writer or pq.ParquetWriter(temporary, table.schema)
                writer.write_table(table)
        finally:
            if writer is not None:
                writer.close()
