"""Read the team's data and refuse it, with a clear message, when it breaks a data requirement.

Every message names the requirement that is broken (the data checklist's words), what was found,
and how to fix it, in the project's language: the sentences are under data: in this folder's message
files. Nothing here writes to data/raw/: raw data is never modified.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

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

from .config import DELIMITERS, ENCODINGS, DataSettings, shown
from .files import replacing
from .messages import messages_here

READABLE_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".pq")
# What a file is, by its first bytes, when its name says CSV but it is not text (worded under data.file_kind).
NOT_TEXT = {
    b"PK\x03\x04": "workbook",
    b"\xd0\xcf\x11\xe0": "old_workbook",
    b"\x1f\x8b": "gzip",
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
    """The data breaks a data requirement: the requirement, the problem and the fix are sentences in the
    project's language."""

    def __init__(self, requirement: str, problem: str, fix: str) -> None:
        super().__init__(say("data.not_met", requirement=requirement, problem=problem, fix=fix))
        self.requirement = requirement


class DataErrors(DataError):
    """The data breaks several data requirements: all are reported at once, so one round fixes them all."""

    def __init__(self, errors: Sequence[DataError]) -> None:
        heading = say("data.several", count=len(errors))
        ValueError.__init__(self, heading + "".join(f"\n- {error}" for error in errors))
        self.requirement = errors[0].requirement
        self.errors = list(errors)


def say(key: str, /, **values: Any) -> str:
    """A sentence of this folder's messages, in the project's language."""
    return messages_here(__file__)(key, **values)


def broken(requirement: str, problem: str, fix: str, **values: Any) -> DataError:
    """The error for data that breaks `requirement`: keys under data.requirement, data.problem and
    data.fix of this folder's messages, the last two filled in with `values`."""
    return DataError(
        say(f"data.requirement.{requirement}"),
        say(f"data.problem.{problem}", **values),
        say(f"data.fix.{fix}", **values),
    )


def listed(items: Iterable[object]) -> str:
    """Names or values as one list in a sentence."""
    return say("data.separator").join(map(str, items))


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
    check_file(path, encoding, delimiter)
    if is_csv(path):
        frame = _read_csv(path, encoding, missing_values, delimiter)
    else:
        frame = marked_as_missing(_read_parquet(path), missing_values)
    if frame.empty:
        raise header_only(path)
    return frame


def check_file(path: Path, encoding: str, delimiter: str) -> None:
    """What a data file shows before its rows are read: it exists, has a readable format and some
    bytes, and a CSV file is text with line breaks whose header names each column once."""
    if not path.is_file():
        raise broken("exists", "no_file", "copy_there", path=path)
    if not path.name.lower().endswith(READABLE_SUFFIXES):
        spreadsheet = path.suffix.lower() in SPREADSHEET_SUFFIXES
        raise broken("readable", "spreadsheet" if spreadsheet else "other_format", "export", file=path.name)
    if path.stat().st_size == 0:
        raise broken("has_rows", "empty", "export_again", file=path.name)
    if is_csv(path):
        check_csv_start(path, encoding, delimiter)


def header_only(path: Path) -> DataError:
    return broken("has_rows", "header_only", "export_again", file=path.name)


def is_csv(path: Path) -> bool:
    return path.name.lower().endswith((".csv", ".csv.gz"))


def open_bytes(path: Path) -> gzip.GzipFile | io.BufferedReader:
    """A CSV file's bytes, uncompressed when its name ends in .gz."""
    return gzip.open(path) if path.suffix.lower() == ".gz" else path.open("rb")


def text_encoding(encoding: str) -> str:
    """The codec that reads data.encoding: a UTF-8 file may start with a byte order mark (as Excel
    writes it), which is not part of the header."""
    return "utf-8-sig" if encoding == "utf-8" else encoding


@contextmanager
def decoded_as(path: Path, encoding: str) -> Iterator[None]:
    """Bytes that data.encoding cannot read, refused with the encoding that reads them, if one does."""
    try:
        yield
    except UnicodeDecodeError as error:
        likely = likely_encoding(path, encoding)
        raise broken(
            "encoding",
            "reads_as_other" if likely else "reads_as_none",
            "set_encoding" if likely else "save_as_utf8",
            file=path.name,
            encoding=encoding,
            encoding_name=say(f"data.encoding_name.{encoding}"),
            byte=error.start,
            likely=likely,
            likely_name=likely and say(f"data.encoding_name.{likely}"),
            encodings=listed(ENCODINGS),
        ) from None
    except (csv.Error, EOFError, gzip.BadGzipFile) as error:
        raise unparsable(path, error) from None


def unparsable(path: Path, error: Exception) -> DataError:
    return broken("well_formed", "unparsable", "check_delimiter", file=path.name, error=str(error).strip())


def check_csv_start(path: Path, encoding: str, delimiter: str) -> None:
    """A CSV file is text, not a workbook or an archive, has line breaks, and its header names each
    column once, separated by data.delimiter."""
    refuse_binary(path)
    with open_bytes(path) as stream:
        start = stream.read(LONGEST_LINE)
    if len(start) == LONGEST_LINE and b"\n" not in start and b"\r" not in start:
        raise broken(
            "row_per_line", "no_line_break", "row_per_line", megabytes=LONGEST_LINE // 2**20, file=path.name
        )
    with (
        decoded_as(path, encoding),
        io.TextIOWrapper(open_bytes(path), encoding=text_encoding(encoding), newline="") as stream,
    ):
        header = next(csv.reader(stream, delimiter=delimiter), [])
    refuse_other_delimiter(header, path, delimiter)
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise broken(
            "own_names", "repeated_names", "rename_repeated", file=path.name, columns=listed(repeated)
        )


def check_decodable(path: Path, encoding: str) -> None:
    """Every byte of a CSV file reads in data.encoding: for a reader that would silently replace those
    that do not (Spark does)."""
    decoder = codecs.getincrementaldecoder(text_encoding(encoding))()
    with decoded_as(path, encoding), open_bytes(path) as stream:
        read = 0
        while chunk := stream.read(ENCODING_SAMPLE):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:  # counted from the file's start, as pandas counts
                raise UnicodeDecodeError(
                    error.encoding, error.object, read + error.start, read + error.end, error.reason
                ) from None
            read += len(chunk)
        decoder.decode(b"", final=True)


def refuse_repeated_header(path: Path, rows: Sequence[int]) -> None:
    """Rows that repeat the header, as a file joined from several exports has them: `rows` from 1."""
    if rows:
        raise broken(
            "header_once", "header_repeated", "remove_headers", rows=listed(rows[:5]), file=path.name
        )


def _read_csv(path: Path, encoding: str, missing_values: Sequence[str], delimiter: str) -> pd.DataFrame:
    try:
        with decoded_as(path, encoding):
            frame = pd.read_csv(
                path,
                sep=delimiter,
                encoding=text_encoding(encoding),
                keep_default_na=False,
                na_values=["", *missing_values],
                low_memory=False,
            )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise unparsable(path, error) from None
    refuse_repeated_header(path, header_lines(frame))
    return frame


def refuse_binary(path: Path) -> None:
    """A file named like CSV that is a workbook or compressed is named as what it is, not as bad text."""
    with path.open("rb") as stream:
        start = stream.read(4)
    compressed = path.suffix.lower() == ".gz"
    for magic, kind in NOT_TEXT.items():
        if start.startswith(magic) and not (compressed and kind == "gzip"):
            fix = "rename_to_gz" if kind == "gzip" else "save_as_csv"
            raise broken("readable", "not_text", fix, file=path.name, kind=say(f"data.file_kind.{kind}"))


def refuse_other_delimiter(header: list[str], path: Path, delimiter: str) -> None:
    """A header of one column that holds another delimiter means the file is separated by that one."""
    found = [name for name, other in DELIMITERS.items() if other != delimiter and other in "".join(header)]
    if len(header) == 1 and found:
        raise broken(
            "well_formed",
            "one_column",
            "set_delimiter",
            file=path.name,
            header=header[0][:60],
            delimiter=found[0],
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
        raise broken(
            "readable", "bad_parquet", "export_parquet_or_csv", file=path.name, error=error
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
        raise broken(
            "columns_exist",
            "not_in_data",
            "fix_names",
            missing=listed(missing),
            columns=listed(frame.columns),
        )
    # After the columns the stages need: a name to show is the lesser fault.
    check_labelled_columns(frame, data)
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


def check_labelled_columns(frame: pd.DataFrame, data: DataSettings) -> None:
    """Every column data.labels names is in the data: a misspelt name would otherwise never be shown."""
    unknown = [name for name in data.labels.columns if name not in frame.columns]
    if unknown:
        names = listed(map(repr, unknown))
        raise DataError(
            say("labels.requirement"),
            say("labels.unknown", names=names, columns=listed(frame.columns)),
            say("labels.fix", names=names),
        )


def check_single_values(values: pd.Series) -> None:
    """A cell holding a list or a mapping (a Parquet nested column) is no value a model can learn from."""
    sample = values.dropna().head(PERSONAL_SAMPLE)
    nested = sample[sample.map(lambda value: isinstance(value, (list, tuple, dict, set, np.ndarray)))]
    if len(nested):
        raise broken("one_value", "nested", "flatten", column=values.name, type=type(nested.iloc[0]).__name__)


def refuse_infinity(values: pd.Series) -> None:
    """Infinity is no measurement: a CSV cell of inf or -inf usually marks a division by zero upstream."""
    if is_bool_dtype(values):
        return
    infinite = int(np.isinf(values.to_numpy(dtype=float, na_value=np.nan)).sum())
    if infinite:
        raise broken("finite", "infinity", "infinity", column=values.name, rows=infinite)


def check_not_empty(frame: pd.DataFrame, data: DataSettings) -> None:
    empty = [name for name in frame.columns if frame[name].isna().all() and name not in data.ignore_columns]
    if empty:
        raise broken("carries_values", "empty_columns", "empty_columns", columns=listed(empty))


def refuse_mixed(name: str, text: pd.Series, personal: bool) -> None:
    """A number column with text in some rows; text that repeats is likely a marker for missing. The
    message shows no value of a column that looks like `personal` data."""
    repeated = text.value_counts()
    raise broken(
        "one_kind",
        "mixed_personal" if personal else "mixed",
        "missing_marker" if repeated.iloc[0] > 1 and not personal else "mixed",
        column=name,
        rows=len(text),
        value=text.iloc[0],
        marker=repeated.index[0],
    )


def check_expected_range(values: pd.Series, bounds: list[float | None]) -> None:
    """A column of data.expected_ranges holds numbers, all inside its range; missing values pass."""
    if not is_numeric_dtype(values) or is_bool_dtype(values):
        examples = values.dropna().astype(str).unique()[:3]
        raise broken(
            "ranged_numbers",
            "range_of_text" if len(examples) else "range_of_nothing",
            "range_of_text",
            column=values.name,
            values=listed(map(repr, examples)),
        )
    check_range(values, bounds, say("data.fix.outside_range"))


def check_range(values: pd.Series, bounds: Sequence[float | None], fix: str) -> None:
    """Refuse numbers outside [lowest, highest], where None leaves that side open; missing values pass.

    Raw data and rows sent for prediction are held to the same range, so a model never answers for
    values it was not meant to see; `fix` says how to mend each kind of input.
    """
    lowest, highest = bounds
    numbers = pd.to_numeric(values, errors="coerce")
    numbers = numbers[np.isfinite(numbers)]  # infinity is refused on its own, as no measurement at all
    low = -math.inf if lowest is None else lowest
    high = math.inf if highest is None else highest
    outside = numbers[(numbers < low) | (numbers > high)]
    if len(outside):
        problem = say(
            "data.problem.outside_range",
            column=values.name,
            range=range_text(lowest, highest),
            rows=len(outside),
            value=shown(outside.tolist()[0]),  # -1 and -1.0 alike, whatever the column's type
        )
        raise DataError(say("data.requirement.in_range"), problem, fix)


def range_text(lowest: float | None, highest: float | None) -> str:
    """A range as people say it: from 0 to 120, at least 0, at most 120."""
    side = "at_most" if lowest is None else "at_least" if highest is None else "between"
    return say(f"data.range.{side}", lowest=lowest, highest=highest)


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
        raise broken(
            "times",
            "not_times",
            "not_times",
            column=values.name,
            rows=len(unreadable),
            value=unreadable.iloc[0],
        )
    return parsed


def check_target(target: pd.Series, problem_type: str, positive_label: Any, min_class_rows: int = 2) -> None:
    labels = target.dropna()
    if problem_type == "regression":
        if not pd.api.types.is_numeric_dtype(labels) or pd.api.types.is_bool_dtype(labels):
            raise broken(
                "numeric_target",
                "target_not_numbers",
                "numeric_target",
                target=target.name,
                value=labels.tolist()[0],
            )
        return
    classes = labels.unique()
    if len(classes) < 2:
        raise broken(
            "two_classes",
            "one_class" if len(classes) else "no_labels",
            "other_classes",
            target=target.name,
            label=classes.tolist()[0] if len(classes) else None,
        )
    if pd.api.types.is_float_dtype(labels) and not labels.apply(float.is_integer).all():
        raise broken(
            "class_labels", "fractional_target", "class_labels", target=target.name, value=labels.tolist()[0]
        )
    counts = labels.value_counts()
    few = counts[counts < min_class_rows]
    if len(few):
        classes_and_rows = listed(
            say("data.class_rows", label=label, rows=count) for label, count in few.items()
        )
        raise broken(
            "rows_per_class",
            "few_rows",
            "few_rows",
            target=target.name,
            rows=min_class_rows,
            classes=classes_and_rows,
        )
    if positive_label is not None and len(classes) > 2:
        raise broken(
            "positive_of_two",
            "positive_of_many",
            "positive_of_many",
            target=target.name,
            classes=len(classes),
            label=positive_label,
        )
    if positive_label is not None and positive_label not in set(classes.tolist()):
        twin = next((label for label in classes.tolist() if str(label) == str(positive_label)), None)
        if twin is not None:
            kind = "text" if isinstance(twin, str) else "number"
            raise broken(
                "positive_in_target",
                f"positive_as_{kind}",
                f"positive_as_{kind}",
                target=target.name,
                label=positive_label,
                twin=twin,
            )
        raise broken(
            "positive_in_target",
            "positive_missing",
            "positive_missing",
            target=target.name,
            label=positive_label,
            classes=sorted(map(str, classes)),
        )


class Whole(NamedTuple):
    """A column counted over every row, when `values` are only a sample of them: how many are present,
    how many distinct, and the span of their numbers (None for text)."""

    present: int
    distinct: int
    span: float | None


def personal_data_kind(values: pd.Series, whole: Whole | None = None) -> str | None:
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
    count, distinct = (len(present), present.nunique()) if whole is None else whole[:2]
    identifying = count >= IDENTIFYING_ROWS and distinct >= IDENTIFYING_SHARE * count
    # Numbers, also when a few typed as text made the column text: judged as numbers.
    numbers = sample if is_numeric_dtype(values) else pd.to_numeric(sample, errors="coerce")
    if numbers.notna().mean() >= PERSONAL_SHARE:
        span = None if whole is None else whole.span
        row_numbers = identifying and packed_like_row_numbers(present, count, span)
        return number_kind(numbers.dropna().astype(float), row_numbers)
    text = sample.astype(str).str.strip()
    many = distinct >= min(PERSONAL_DISTINCT, len(present) / 10)
    for kind, pattern in PERSONAL_PATTERNS.items():
        matching = text.str.fullmatch(pattern).mean() >= PERSONAL_SHARE
        if matching and (many or kind == "email"):
            return kind
    codes = text.str.fullmatch(r"\S*\d\S*").mean() >= PERSONAL_SHARE
    return "row_codes" if identifying and codes else None


def packed_like_row_numbers(values: pd.Series, count: int, span: float | None = None) -> bool:
    """Whether a column's `count` numbers are packed as densely as numbers given to rows: their span at
    most ROW_NUMBER_SPAN times their count. The span is measured on `values` unless given."""
    if span is None:
        numbers = pd.to_numeric(values, errors="coerce").dropna().astype(float)  # float: no overflow
        span, count = numbers.max() - numbers.min(), len(numbers)
    return bool(span < ROW_NUMBER_SPAN * count)


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
