"""The Spark engine (params.yaml `engine: spark`): Analyze and Prepare on every row, through PySpark.

Analyze measures the data with aggregates and judges only what it judges on a sample anyway on a
bounded sample; Prepare cleanses and splits on Spark and writes the same Parquet files the pandas
engine writes, so Preprocess, Train and Test read them as they always do. PySpark is imported only
here and only when the engine is chosen: a pandas project needs neither it nor Java.
"""

from __future__ import annotations

import glob
import logging
import math
import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from .data import broken, check_decodable, check_file, header_only, is_csv
from .data import refuse_repeated_header as refuse_header_rows
from .files import fingerprint as file_fingerprint
from .files import replacing
from .messages import messages_here
from .tables import ColumnFacts, TargetAs, fences

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

    from .pipeline import Project

# Rows of the sample Analyze judges leakage, personal data and its figures on; every row below it.
ANALYSIS_SAMPLE_ROWS = 100_000
# Each class keeps up to this many rows in a sample however rare it is, so its checks see it whole.
CLASS_FLOOR_ROWS = 1_000
# Distinct counts and quartiles are exact up to this many rows; beyond, distinct counts are within 1%
# and quartiles within 1 / QUANTILE_ACCURACY of the rows, which keeps memory bounded (the Analyze
# report's `analysis.report.approximate` says so).
EXACT_ROWS = 1_000_000
DISTINCT_ERROR = 0.01
QUANTILE_ACCURACY = 100_000
# Set before params.yaml's spark.options, which win: no web UI or progress bars in a batch run, and
# every encoding Java knows for CSV files (Spark 4 otherwise takes only the Unicode ones and Latin-1).
DEFAULTS = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.legacy.javaCharsets": "true",
}
# data.encoding by the name Java gives it; Java skips UTF-8's byte order mark itself.
JAVA_ENCODINGS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "cp932": "windows-31j", "shift_jis": "Shift_JIS"}
INTEGRAL_TYPES = ("tinyint", "smallint", "int", "bigint")
# Columns added while the split is drawn: whether a row is held out, and its place in the shuffle.
HOLDOUT, ORDER = "__holdout__", "__order__"
# Columns XGBoost trains on (spark.training: distributed): a row's features, its label, and whether
# it is kept aside to stop boosting once further rounds no longer help there.
FEATURES, LABEL, KEPT_ASIDE = "features", "label", "kept_aside"


class EngineError(RuntimeError):
    """The Spark engine cannot start here, PySpark or Java being missing, or a model it trained cannot
    predict here, XGBoost being missing."""


@cache
def session(master: str | None, options: tuple[tuple[str, str], ...]) -> SparkSession:
    """One Spark session per process, started as params.yaml's spark: section says."""
    say = messages_here(__file__)
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineError(say("spark.not_installed")) from None
    # Python workers run this interpreter, with this project's packages, unless the cluster says otherwise,
    # and import this project's own package from where this process does, installed or not.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    home = str(Path(__file__).resolve().parents[3])
    paths = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    if home not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([home, *filter(None, paths)])
    # PySpark warns about pandas releases newer than those it names; the engine's tests check this one.
    warnings.filterwarnings("ignore", module=r"pyspark\.")
    builder = SparkSession.builder.appName("stages")
    if master:
        builder = builder.master(master)
    for key, value in {**DEFAULTS, **dict(options)}.items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as error:  # PySpark raises its own types, all of them meaning "no JVM started"
        raise EngineError(say("spark.no_java", error=str(error).strip().splitlines()[0])) from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def spark_of(project: Project) -> SparkSession:
    settings = project.settings.spark
    return session(settings.master, tuple(sorted(settings.options.items())))


def source_files(project: Project) -> list[Path]:
    """The files data.path names: one file, the Parquet files of a folder, or those a glob matches."""
    path = project.raw_data
    if path.is_dir():
        return sorted(path.rglob("*.parquet"))
    return sorted(Path(name) for name in glob.glob(str(path))) if glob.has_magic(str(path)) else [path]


def fingerprint(project: Project) -> str:
    """The SHA-256 of the raw data, of every file for a folder or glob; for a table, its rows."""
    if project.settings.spark.table:
        table = project.settings.spark.table
        return f"table:{table}:{rows_fingerprint(spark_of(project).read.table(table))}"
    files = source_files(project)
    if files == [project.raw_data]:
        return file_fingerprint(project.raw_data)
    return ",".join(f"{path.relative_to(project.root).as_posix()}:{file_fingerprint(path)}" for path in files)


def rows_fingerprint(frame: DataFrame) -> str:
    """The row count and the sum of a 64-bit hash of every row, in any order, from one pass: a changed,
    added or removed row changes it, where a table's name stays the same."""
    from pyspark.sql import functions as F

    row_hash = F.xxhash64(*[named(name) for name in frame.columns]).cast("decimal(38,0)")
    rows, total = frame.agg(F.count(F.lit(1)), F.sum(row_hash)).collect()[0]
    return f"{rows}:{total}"


def read(project: Project) -> DataFrame:
    """The raw data as a Spark DataFrame, typed as pandas would type it: the stages judge it alike.

    Files are refused for what the pandas engine refuses them for, before Spark reads a row of them.
    """
    if project.settings.spark.table:
        return typed(spark_of(project).read.table(project.settings.spark.table), project.data.missing_values)
    project.require_raw()
    files = source_files(project)
    if not files:
        raise broken("exists", "no_file", "copy_there", path=project.raw_data)
    return read_files(project, files)


def read_files(project: Project, files: list[Path]) -> DataFrame:
    """Files of rows like the raw data (CSV or Parquet, as data: says), checked, read and typed."""
    spark, data = spark_of(project), project.data
    files = [path.resolve() for path in files]  # Spark's own working folder may be another
    for path in files:
        check_file(path, data.encoding, project.delimiter)
        if is_csv(path):
            check_decodable(path, data.encoding)
        else:
            check_parquet(path)
    if is_csv(files[0]):
        frame = spark.read.csv(
            [str(path) for path in files],
            header=True,
            sep=project.delimiter,
            encoding=JAVA_ENCODINGS[data.encoding],
            quote='"',
            escape='"',
            multiLine=True,  # a quoted cell may hold line breaks, as a spreadsheet writes them
            inferSchema=False,  # every column read as text, then typed below as pandas types it
        )
        refuse_repeated_header(frame)
    else:
        frame = spark.read.parquet(*[str(path) for path in files])
    if frame.isEmpty():
        raise header_only(files[0])
    return typed(frame, data.missing_values)


def check_parquet(path: Path) -> None:
    try:
        pq.read_metadata(path)
    except (OSError, ValueError) as error:
        raise broken(
            "readable", "bad_parquet", "export_parquet_or_csv", file=path.name, error=error
        ) from None


def refuse_repeated_header(frame: DataFrame) -> None:
    """Rows that repeat the header are refused with their numbers in their file, as pandas finds them.
    Spark reads a file of quoted line breaks as one part, so a row's number in its part is its number
    in the file."""
    from pyspark.sql import functions as F

    header = F.lit(True)
    for name in frame.columns:
        header = header & (named(name) == F.lit(name))
    within_part = F.monotonically_increasing_id().bitwiseAND((1 << 33) - 1) + 1
    found = frame.select(within_part.alias("row"), F.input_file_name().alias("file")).filter(header)
    repeats = found.limit(5).collect()
    if repeats:
        uri = repeats[0]["file"]
        refuse_header_rows(
            Path(unquote(urlparse(uri).path)), [row["row"] for row in repeats if row["file"] == uri]
        )


def typed(frame: DataFrame, missing_values: list[str]) -> DataFrame:
    """Text cells that hold a missing marker made missing, and text columns whose every value is a
    number read as numbers: whole numbers without gaps as integers, the others as floats."""
    from pyspark.sql import functions as F

    text = [name for name, kind in frame.dtypes if kind == "string"]
    if missing_values:
        frame = frame.select(
            *[
                F.when(named(name).isin(missing_values), None).otherwise(named(name)).alias(name)
                if name in text
                else named(name)
                for name in frame.columns
            ]
        )
    if not text:
        return frame
    counts = frame.agg(
        F.count(F.lit(1)),
        *[
            F.count(expression)
            for name in text
            for expression in (
                named(name),
                F.expr(f"try_cast({quoted(name)} AS DOUBLE)"),
                F.expr(f"try_cast({quoted(name)} AS BIGINT)"),
            )
        ],
    ).collect()[0]
    rows, kinds = counts[0], {}
    for position, name in enumerate(text):
        present, number, whole = counts[1 + 3 * position : 4 + 3 * position]
        if present and number == present:
            kinds[name] = "bigint" if whole == present == rows else "double"
    return frame.select(
        *[
            named(name).cast(kinds[name]).alias(name) if name in kinds else named(name)
            for name in frame.columns
        ]
    )


def named(name: str) -> Column:
    """A column by its name, whatever characters it holds (a dot would otherwise reach into a struct)."""
    from pyspark.sql import functions as F

    return F.col(quoted(name))


def quoted(name: str) -> str:
    """A column name as Spark SQL reads it, whatever characters it holds."""
    return "`" + name.replace("`", "``") + "`"


def stratified(frame: DataFrame, rows: int, target: str | None, seed: int) -> DataFrame:
    """About `rows` rows drawn at random, each class in its share but with at least CLASS_FLOOR_ROWS
    rows (all it has, if fewer; a class's equal part of `rows`, if less); every row when the data hold
    no more than `rows`."""
    total = frame.count()
    if total <= rows:
        return frame
    share = rows / total
    if target is None:
        return frame.sample(fraction=share, seed=seed)
    counts = {row[0]: row[1] for row in frame.groupBy(target).count().collect() if row[0] is not None}
    floor = min(CLASS_FLOOR_ROWS, rows // max(len(counts), 1))
    fractions = {label: min(1.0, max(share, floor / count)) for label, count in counts.items()}
    return frame.sampleBy(target, fractions, seed=seed)


@dataclass
class SparkTable:
    """The data held by Spark: counts from aggregates over every row, a bounded sample for the rest."""

    frame: DataFrame
    target: str | None
    seed: int
    _facts: dict[str, ColumnFacts] = field(default_factory=dict)
    _sample: pd.DataFrame | None = None
    _rows: int | None = None

    @property
    def rows(self) -> int:
        if self._rows is None:
            self._rows = self.frame.count()
        return self._rows

    @property
    def columns(self) -> list[str]:
        return list(self.frame.columns)

    @property
    def sample(self) -> pd.DataFrame:
        if self._sample is None:
            drawn = stratified(self.frame, ANALYSIS_SAMPLE_ROWS, self.target, self.seed)
            self._sample = drawn.toPandas()
        return self._sample

    @property
    def approximate(self) -> bool:
        return self.rows > EXACT_ROWS

    def facts(self) -> dict[str, ColumnFacts]:
        if not self._facts:
            self._facts = self._measure()
        return self._facts

    def _measure(self) -> dict[str, ColumnFacts]:
        from pyspark.sql import functions as F

        numbers = self.numbers()

        def distinct(values: Column) -> Column:
            if self.approximate:
                return F.approx_count_distinct(values, rsd=DISTINCT_ERROR)
            return F.count_distinct(values)

        measures = []
        for name, kind in self.frame.dtypes:
            values = named(name)
            present = (
                values.isNotNull() & ~F.isnan(values) if kind in ("double", "float") else values.isNotNull()
            )
            span = (F.max(values) - F.min(values)).cast("double") if name in numbers else F.lit(None)
            measures += [
                F.count(F.when(present, 1)),
                distinct(F.when(present, values)),
                span,
            ]
        found = self.frame.agg(*measures).collect()[0]
        dtypes = self.sample.dtypes
        facts = {}
        for position, (name, kind) in enumerate(self.frame.dtypes):
            present, unique, span = found[3 * position : 3 * position + 3]
            missing = self.rows - present
            # pandas reads whole numbers with gaps as floats: named as the later stages will see them.
            dtype = "float64" if kind in INTEGRAL_TYPES and missing else str(dtypes[name])
            facts[name] = ColumnFacts(dtype, missing, unique, span)
        return facts

    def numbers(self) -> list[str]:
        """Columns of numbers, true/false left out: those that have outliers, spans and correlations."""
        numeric = (*INTEGRAL_TYPES, "double", "float", "decimal")
        return [name for name, kind in self.frame.dtypes if kind.split("(")[0] in numeric]

    def value_counts(self, column: str) -> dict[Any, int]:
        counts = self.frame.groupBy(named(column)).count().collect()
        return dict(sorted((row[0], int(row[1])) for row in counts if row[0] is not None))

    def quartiles(self, columns: list[str]) -> dict[str, tuple[float, float]]:
        from pyspark.sql import functions as F

        def quartile(name: str) -> Column:
            values = named(name).cast("double")
            if self.approximate:
                return F.percentile_approx(values, [0.25, 0.75], QUANTILE_ACCURACY)
            return F.percentile(values, [0.25, 0.75])

        found = self.frame.agg(*[quartile(name) for name in columns]).collect()[0]
        return {name: (found[i][0], found[i][1]) for i, name in enumerate(columns) if found[i]}

    def outliers(self, columns: list[str], factor: float) -> dict[str, int]:
        from pyspark.sql import functions as F

        numbers = [name for name in columns if name in self.numbers()]
        if not numbers:
            return {}
        bounds = {name: fences(*quartiles, factor) for name, quartiles in self.quartiles(numbers).items()}
        counts = self.frame.agg(
            *[
                F.count(F.when((named(name) < low) | (named(name) > high), 1))
                for name, (low, high) in bounds.items()
            ]
        ).collect()[0]
        outside = dict(zip(bounds, counts, strict=True))
        return {name: int(outside.get(name, 0)) for name in numbers}

    def duplicate_rows(self, columns: list[str]) -> int:
        return self.rows - self.frame.select(*[named(name) for name in columns]).distinct().count()

    def correlation(
        self, columns: list[str], target: str, target_as: TargetAs, positive: Any
    ) -> pd.DataFrame:
        from pyspark.sql import functions as F

        values = {name: named(name).cast("double") for name in columns}
        if target_as == "indicator":
            values[target] = (named(target) == F.lit(positive)).cast("double")
        elif target_as == "number":
            values[target] = named(target).cast("double")
        names = list(values)
        pairs = [(left, right) for i, left in enumerate(names) for right in names[i + 1 :]]
        matrix = pd.DataFrame(1.0, index=names, columns=names)
        if not pairs:
            return matrix
        found = self.frame.agg(*[F.corr(values[left], values[right]) for left, right in pairs]).collect()[0]
        for (left, right), value in zip(pairs, found, strict=True):
            matrix.loc[left, right] = matrix.loc[right, left] = float("nan") if value is None else value
        return matrix


def unseen_counts(frame: DataFrame, known: dict[str, list[str]]) -> dict[str, int]:
    """Rows per column whose value, as text, is not among the `known` ones, counted in one pass; the
    columns that have any."""
    from pyspark.sql import functions as F

    if not known:
        return {}
    kinds = dict(frame.dtypes)

    def as_text(column: str) -> Column:
        """The values as pandas writes them as text: true/false as True/False."""
        if kinds[column] == "boolean":
            return F.when(named(column), F.lit("True")).when(~named(column), F.lit("False"))
        return named(column).cast("string")

    found = frame.agg(
        *[F.count(F.when(~as_text(column).isin(labels), 1)) for column, labels in known.items()]
    ).collect()[0]
    return {column: int(count) for column, count in zip(known, found, strict=True) if count}


@contextmanager
def parts_folder(path: Path) -> Iterator[Path]:
    """A folder beside `path` for Spark to write its parts into, removed afterwards."""
    path = path.resolve()  # Spark's own working folder may be another
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def write_parquet(frame: DataFrame, path: Path) -> None:
    """Rows written as one Parquet file, as pandas writes it: Spark writes parts, copied in one at a
    time, so that the file is whole or absent and no more than a part is ever held in memory."""
    with parts_folder(path) as folder:
        frame.write.mode("overwrite").parquet(str(folder / "parts"))
        parts = sorted((folder / "parts").glob("*.parquet"))
        schema = pq.read_schema(parts[0]) if parts else None
        with replacing(path) as temporary:
            if schema is None:
                pd.DataFrame(frame.limit(0).toPandas()).to_parquet(temporary, index=False)
                return
            with pq.ParquetWriter(temporary, schema.remove_metadata()) as writer:
                for part in parts:
                    writer.write_table(pq.read_table(part).replace_schema_metadata(None))


def split(
    frame: DataFrame, target: str | None, holdout_size: float, seed: int
) -> tuple[DataFrame, DataFrame]:
    """A holdout of ceil(holdout_size × rows) rows, as scikit-learn sizes it, drawn per class when
    `target` is given: each class gives its share, the rows it has left over going to the classes
    whose share was rounded down most. Rows are ranked by a hash of their values and the seed."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    stratum = named(target) if target else F.lit("all")  # a number would name a column by position
    counts = {row[0]: int(row[1]) for row in frame.groupBy(stratum).count().collect()}
    quotas = shares(counts, math.ceil(holdout_size * sum(counts.values())))
    order = F.xxhash64(F.lit(seed), *[named(name) for name in frame.columns])
    rank = F.row_number().over(Window.partitionBy(stratum).orderBy(order))
    quota = F.lit(0)
    for label, count in quotas.items():
        quota = F.when(stratum == F.lit(label), F.lit(count)).otherwise(quota)
    marked = frame.withColumn(HOLDOUT, rank <= quota).withColumn(ORDER, order).cache()
    kept = [named(name) for name in frame.columns]
    holdout = F.col(HOLDOUT)
    # Each part in an order of its own hash, shuffled as scikit-learn's split is, not grouped by class.
    train, held = (marked.filter(part).orderBy(ORDER).select(*kept) for part in (~holdout, holdout))
    return train, held


def shares(counts: dict[Any, int], wanted: int) -> dict[Any, int]:
    """`wanted` rows shared among classes in proportion to `counts`, by largest remainder."""
    total = sum(counts.values())
    exact = {label: wanted * count / total for label, count in counts.items()}
    given = {label: int(share) for label, share in exact.items()}
    left = wanted - sum(given.values())
    for label in sorted(exact, key=lambda label: given[label] - exact[label])[:left]:
        given[label] += 1
    return given


def training_sample(project: Project, path: Path) -> pd.DataFrame:
    """The training rows Preprocess and Train fit on: all of them, or spark.sample_rows drawn per class."""
    limit = project.settings.spark.sample_rows
    if pq.ParquetFile(path).metadata.num_rows <= limit:
        return pd.read_parquet(path)
    target = project.data.target if project.problem_type == "classification" else None
    frame = spark_of(project).read.parquet(str(path))
    return stratified(frame, limit, target, project.settings.split.seed).toPandas()


@dataclass
class SparkRows:
    """The rows on Spark, cleansed and split there and written as the pandas engine writes them."""

    frame: DataFrame

    def count(self) -> int:
        return self.frame.count()

    def drop_columns(self, columns: list[str]) -> None:
        self.frame = self.frame.drop(*columns)

    def drop_duplicates(self) -> int:
        return self._keep(self.frame.dropDuplicates())

    def drop_missing(self, column: str) -> int:
        return self._keep(self.frame.filter(named(column).isNotNull()))

    def keep_between(self, column: str, factor: float) -> tuple[int, float, float]:
        table = SparkTable(self.frame, None, 0)
        low, high = fences(*table.quartiles([column])[column], factor)
        return self._keep(self.frame.filter(named(column).between(low, high))), low, high

    def _keep(self, kept: DataFrame) -> int:
        before = self.count()
        self.frame = kept.cache()
        return before - self.frame.count()

    def write(self, project: Project) -> tuple[int, int]:
        target = project.data.target if project.problem_type == "classification" else None
        settings = project.settings.split
        train, holdout = split(self.frame, target, settings.holdout_size, settings.seed)
        write_parquet(self.frame, project.path("cleaned"))
        write_parquet(train, project.path("train"))
        write_parquet(holdout, project.path("holdout"))
        return train.count(), holdout.count()


@dataclass
class TrainedTrees:
    """What XGBoost trained on Spark: its booster, the rows it learned from and the workers it ran on."""

    booster: Any
    rows: int
    workers: int


def train_trees(
    project: Project,
    features: Callable[[pd.DataFrame], np.ndarray],
    classes: list[Any] | None,
    settings: dict[str, Any],
) -> TrainedTrees:
    """Gradient-boosted trees trained by XGBoost's PySpark estimator on every row of the training split,
    one worker per core Spark has. `features` turns rows into the model's features; it runs on Spark's
    workers, batch by batch. `classes`: the labels in the order the booster is to give them, None for
    regression."""
    from pyspark.sql import functions as F
    from xgboost.spark import SparkXGBClassifier, SparkXGBRegressor

    spark = spark_of(project)
    target = project.data.target
    settings = dict(settings)
    kept_aside = settings.pop("validation_share")
    rows = spark.read.parquet(str(project.path("train")))
    columns = project.feature_columns(rows)
    rows = rows.withColumn(KEPT_ASIDE, F.rand(project.settings.split.seed) < kept_aside)

    def labels(values: pd.Series) -> np.ndarray:
        if classes is None:
            return values.to_numpy(dtype="float64")
        return pd.Categorical(values, categories=classes).codes.astype("float64")

    def encoded(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            yield pd.DataFrame(
                {
                    FEATURES: list(features(batch[columns]).astype("float32")),
                    LABEL: labels(batch[target]),
                    KEPT_ASIDE: batch[KEPT_ASIDE].to_numpy(),
                }
            )

    schema = f"{FEATURES} array<float>, {LABEL} double, {KEPT_ASIDE} boolean"
    learner = SparkXGBClassifier if classes is not None else SparkXGBRegressor
    workers = spark.sparkContext.defaultParallelism
    logging.getLogger("XGBoost-PySpark").setLevel(logging.WARNING)  # its progress lines are not ours to show
    trained = learner(
        features_col=FEATURES,
        label_col=LABEL,
        validation_indicator_col=KEPT_ASIDE,
        num_workers=workers,
        verbose=False,
        verbosity=0,
        **settings,
    ).fit(rows.select(*[named(name) for name in [*columns, target]], KEPT_ASIDE).mapInPandas(encoded, schema))
    return TrainedTrees(trained.get_booster(), rows.count(), workers)
