"""What Analyze asks of the data, answered the same way by each engine (params.yaml `engine`).

pandas answers from the rows in memory; Spark answers from aggregates over every row, and hands
Analyze a bounded sample only for what is judged on a sample anyway (leakage, personal data, figures).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

import pandas as pd

# How the target enters a correlation matrix: as a number, as "is the positive class", or not at all.
TargetAs = Literal["number", "indicator"] | None


@dataclass(frozen=True)
class ColumnFacts:
    """One column measured over every row; `span` (highest − lowest) only for numbers."""

    dtype: str
    missing: int
    unique: int
    span: float | None = None


class Table(Protocol):
    """The data as Analyze measures it, whichever engine holds it."""

    @property
    def rows(self) -> int: ...

    @property
    def columns(self) -> list[str]: ...

    @property
    def sample(self) -> pd.DataFrame:
        """Every row when the data fit in memory; otherwise a sample with every class in it."""
        ...

    @property
    def approximate(self) -> bool:
        """Whether distinct counts and quartiles are estimates: on data too large to count them exactly."""
        ...

    def facts(self) -> dict[str, ColumnFacts]: ...

    def value_counts(self, column: str) -> dict[Any, int]: ...

    def outliers(self, columns: list[str], factor: float) -> dict[str, int]: ...

    def duplicate_rows(self, columns: list[str]) -> int: ...

    def correlation(
        self, columns: list[str], target: str, target_as: TargetAs, positive: Any
    ) -> pd.DataFrame: ...


def is_number(values: pd.Series) -> bool:
    """Numbers that can have outliers and correlations: numeric and not true/false."""
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def iqr_bounds(values: pd.Series, factor: float) -> tuple[float, float]:
    """Tukey's fences: values outside Q1 − factor × IQR … Q3 + factor × IQR are outliers."""
    q1, q3 = values.quantile([0.25, 0.75])
    return fences(q1, q3, factor)


def fences(q1: float, q3: float, factor: float) -> tuple[float, float]:
    return q1 - factor * (q3 - q1), q3 + factor * (q3 - q1)


@dataclass
class FrameTable:
    """The data held in memory by pandas: every answer counts every row."""

    frame: pd.DataFrame
    _facts: dict[str, ColumnFacts] | None = None

    @property
    def rows(self) -> int:
        return len(self.frame)

    @property
    def columns(self) -> list[str]:
        return [str(column) for column in self.frame.columns]

    @property
    def sample(self) -> pd.DataFrame:
        return self.frame

    @property
    def approximate(self) -> bool:
        return False

    def facts(self) -> dict[str, ColumnFacts]:
        if self._facts is None:
            self._facts = self._measure()
        return self._facts

    def _measure(self) -> dict[str, ColumnFacts]:
        missing = self.frame.isna().sum()
        facts = {}
        for column in self.frame.columns:
            values = self.frame[column]
            span = float(values.max() - values.min()) if is_number(values) and values.notna().any() else None
            facts[str(column)] = ColumnFacts(
                str(values.dtype), int(missing[column]), int(values.nunique(dropna=True)), span
            )
        return facts

    def value_counts(self, column: str) -> dict[Any, int]:
        return {label: int(count) for label, count in self.frame[column].value_counts().sort_index().items()}

    def outliers(self, columns: list[str], factor: float) -> dict[str, int]:
        counts = {}
        for column in columns:
            values = self.frame[column]
            if is_number(values):
                low, high = iqr_bounds(values, factor)
                counts[column] = int(((values < low) | (values > high)).sum())
        return counts

    def duplicate_rows(self, columns: list[str]) -> int:
        return int(self.frame.duplicated(subset=columns).sum())

    def correlation(
        self, columns: list[str], target: str, target_as: TargetAs, positive: Any
    ) -> pd.DataFrame:
        table = self.frame[columns].astype(float)
        if target_as == "indicator":
            table = table.assign(**{target: (self.frame[target] == positive).astype(float)})
        elif target_as == "number":
            table = table.assign(**{target: self.frame[target].astype(float)})
        return table.corr()
