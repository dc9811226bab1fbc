"""Markdown reports with PNG figures, in the project's language.

Figures are drawn with matplotlib's non-interactive backend, so reports build on a server or in
CI without a screen. Functions named `*_figure` make a figure and return it; `Report.figure` makes it
readable (figures.py) and saves it.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

from ..core.files import replacing, write_text  # noqa: E402
from .figures import messages, readable  # noqa: E402


class Report:
    """One stage's report: `reports/<stage>/report.md` and its figures beside it."""

    def __init__(self, folder: Path, title: str, language: str) -> None:
        self.folder = folder
        self.language = language
        self.lines = [f"# {title}", ""]
        self.words = messages(language)  # switches figures to a font with Japanese glyphs, in Japanese

    def heading(self, text: str) -> None:
        self.lines += [f"## {text}", ""]

    def paragraph(self, text: str) -> None:
        self.lines += [text, ""]

    def bullets(self, items: list[str]) -> None:
        self.lines += [f"- {item}" for item in items] + [""]

    def table(self, header: list[str], rows: list[list[Any]]) -> None:
        self.lines += [markdown_table(header, rows), ""]

    def figure(self, name: str, figure: plt.Figure, caption: str) -> Path:
        path = self.folder / "figures" / f"{name}.png"
        readable(figure, self.words)
        with replacing(path) as temporary:
            figure.savefig(temporary, format="png", dpi=100, bbox_inches="tight")
        plt.close(figure)
        self.lines += [f"![{caption}](figures/{name}.png)", ""]
        return path

    def write(self) -> Path:
        path = self.folder / "report.md"
        write_text(path, "\n".join(self.lines).rstrip() + "\n")
        return path


def markdown_table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(format_cell(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def format_cell(value: Any) -> str:
    """A table cell: numbers with separators, three decimals below 1,000; a missing value, or a score
    that could not be computed, as `-`."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def setting_text(setting: dict[str, Any]) -> str:
    """A setting of a search as people read it, such as `C=0.1`; `default` when nothing is tuned."""
    return ", ".join(f"{key}={value}" for key, value in setting.items()) or "default"
