"""What every figure shares, so that people read it at a glance.

- Numbers on an axis never carry a scientific offset (`1e7`): large ones are written compactly
  (100k, 2.5M; in Japanese in units of ten thousand and of a hundred million) and small ones with as
  many decimals as the ticks need.
- Money axes show separators (1,200,000) or, where the messages say so, a larger unit (ten thousand
  yen in Japanese).
- Reference lines carry a label, which the figure's legend shows.
- Tick labels of one axis never overlap: numeric axes get fewer ticks, category labels are turned
  upright and, when there are too many to show, thinned out.

`readable` does the first and the last for any figure; `Report.figure` applies it before saving.
"""

from __future__ import annotations

import importlib
import math
from typing import Any

import matplotlib
import pandas as pd

matplotlib.use("Agg")
from matplotlib.axes import Axes  # noqa: E402  (the backend must be chosen first)
from matplotlib.axis import Axis  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import (  # noqa: E402
    AutoLocator,
    Formatter,
    MaxNLocator,
    NullFormatter,
    ScalarFormatter,
)

from ..core.messages import Messages, messages_beside  # noqa: E402

# At most this many ticks on a numeric axis; fewer when their labels would still overlap.
TICKS = 6
# The yen as params.yaml's value.currency may name it: code, word, kanji (escaped: the code holds no prose).
YEN = ("JPY", "YEN", "\u5186")
REFERENCE_STYLE: dict[str, Any] = {"color": "black", "linestyle": "--", "linewidth": 1}


def messages(language: str) -> Messages:
    """The figures' words in `language`; a Japanese figure also gets a font with Japanese glyphs, and
    matplotlib's own font after it for the symbols that font lacks (≥, ≤, ²)."""
    if language == "ja":
        importlib.import_module("matplotlib_fontja")
        families = list(matplotlib.rcParams["font.family"])
        if "DejaVu Sans" not in families:
            matplotlib.rcParams["font.family"] = [*families, "DejaVu Sans"]
    return messages_beside(__file__, language)


def units(say: Messages) -> list[tuple[int, str]]:
    """The powers of ten that large numbers are written in, largest first, such as (6, "M")."""
    pairs = [part.split() for part in say("figures.units").split(",")]
    return sorted(((int(power), suffix) for power, suffix in pairs), reverse=True)


def decimals(step: float) -> int:
    """Decimals that tell ticks `step` apart, and no more."""
    if step <= 0 or not math.isfinite(step):
        return 0
    return max(0, min(12, -math.floor(math.log10(step) + 1e-9)))


def tick_step(locs: Any) -> float:
    values = sorted({float(value) for value in locs if math.isfinite(value)})
    steps = [right - left for left, right in zip(values, values[1:], strict=False) if right > left]
    return min(steps) if steps else 0.0


class AxisWide(Formatter):
    """A formatter that formats each tick knowing every tick of the axis, which `set_locs` gives."""

    ticks: list[float] = []

    def set_locs(self, locs: Any) -> None:
        self.ticks = [float(value) for value in locs if math.isfinite(value)]


class Compact(AxisWide):
    """Tick labels such as 0, 250k, 500k, in the units the messages give: one unit for the whole axis,
    chosen by its largest tick; decimals only as many as the step between ticks needs; never an offset.
    On a log scale (`each`) every tick takes its own unit: 10, 1k, 100k."""

    def __init__(self, say: Messages, *, each: bool = False) -> None:
        self.units = units(say)
        self.each = each

    def __call__(self, x: float, pos: int | None = None) -> str:
        locs = self.ticks or [x]
        largest = abs(x) if self.each else max(abs(value) for value in locs)
        power, suffix = next(((p, s) for p, s in self.units if largest >= 10**p), (0, ""))
        scale = 10**power
        if self.each:  # three significant digits, so that 0.001 stays 0.001 and 25,000 stays 25k
            shown = x / scale
            digits = max(0, 2 - math.floor(math.log10(abs(shown)))) if shown else 0
            text = f"{shown:,.{digits}f}"
            text = text.rstrip("0").rstrip(".") if "." in text else text
        else:
            step = tick_step(locs) / scale
            text = f"{x / scale:,.{decimals(step) if step else 2}f}"
        if float(text.replace(",", "")) == 0:
            return "0"
        return text.replace("-", "\u2212") + suffix


class Money(AxisWide):
    """Amounts with thousands separators, in units of `scale` (1, or 10,000 for ten thousand yen)."""

    def __init__(self, scale: float) -> None:
        self.scale = scale

    def __call__(self, x: float, pos: int | None = None) -> str:
        step = tick_step(self.ticks) / self.scale
        text = f"{x / self.scale:,.{decimals(step) if step else 0}f}"
        return "0" if float(text.replace(",", "")) == 0 else text.replace("-", "\u2212")


def money_axis(axis: Axis, amounts: list[float], currency: str, what: str, say: Messages) -> None:
    """Show `axis` as money in `currency`, labelled `what` and its unit. Yen amounts reach a larger
    unit when the messages give one (ten thousand yen in Japanese) and the amounts are at least ten of it."""
    scale, unit = 1.0, currency
    yen_scale = float(say("figures.money.yen_scale"))
    largest = max((abs(amount) for amount in amounts), default=0.0)
    if currency.upper() in YEN and largest >= 10 * yen_scale:
        scale, unit = yen_scale, say("figures.money.yen_unit")
    axis.set_major_formatter(Money(scale))
    axis.set_major_locator(MaxNLocator(nbins=TICKS, steps=[1, 2, 2.5, 5, 10]))
    axis.set_label_text(say("figures.money.label", what=what, unit=unit))


def reference_line(axes: Axes, at: float, label: str, *, vertical: bool = False, **style: Any) -> Line2D:
    """A dashed line across `axes` at `at`, labelled for the legend; the data limits take it in."""
    drawn = (axes.axvline if vertical else axes.axhline)(at, label=label, **{**REFERENCE_STYLE, **style})
    axes.update_datalim([(at, 0)] if vertical else [(0, at)], updatex=vertical, updatey=not vertical)
    axes.autoscale_view()
    return drawn


def spread_out(values: Any) -> bool:
    """Whether values span so many orders of magnitude that a linear axis squeezes most of them into a
    line: the largest is more than 100 times the median size."""
    sizes = abs(pd.Series(values, dtype=float).dropna())
    sizes = sizes[sizes > 0]
    return len(sizes) > 1 and float(sizes.max()) > 100 * float(sizes.median())


def linear_range(values: Any) -> float:
    """How far from zero a symmetric log scale of `values` stays linear: to their smallest tenth of
    sizes, so that zero and negative values still show."""
    sizes = abs(pd.Series(values, dtype=float).dropna())
    sizes = sizes[sizes > 0]
    return float(sizes.quantile(0.1)) if len(sizes) else 1.0


def readable(figure: Figure, say: Messages) -> Figure:
    """Make every axis of `figure` read at a glance: compact numbers without an offset, and tick labels
    that do not overlap. Returns the figure."""
    for axes in figure.axes:
        for axis in (axes.xaxis, axes.yaxis):
            if axis.get_scale() in ("log", "symlog"):
                axis.set_major_formatter(Compact(say, each=True))
                axis.set_minor_formatter(NullFormatter())
            elif isinstance(axis.get_major_formatter(), ScalarFormatter):
                axis.set_major_formatter(Compact(say))
            if isinstance(axis.get_major_locator(), AutoLocator):
                axis.set_major_locator(MaxNLocator(nbins=TICKS, steps=[1, 2, 2.5, 5, 10]))
    for axes in figure.axes:
        for axis in (axes.xaxis, axes.yaxis):
            unclutter(figure, axis)
    return figure


def shown_ticks(axis: Axis) -> list[Any]:
    """The major ticks drawn now: those within the axis's view."""
    locs = axis.get_majorticklocs()
    low, high = sorted(axis.get_view_interval())
    slack = (high - low) * 1e-6
    return [tick for tick in axis.get_major_ticks(len(locs)) if low - slack <= tick.get_loc() <= high + slack]


def visible_labels(axis: Axis) -> list[Any]:
    """The tick labels drawn now, on either side of the axis."""
    return [
        label
        for tick in shown_ticks(axis)
        for label in (tick.label1, tick.label2)
        if label.get_visible() and label.get_text()
    ]


def overlapping(figure: Figure, axis: Axis) -> bool:
    """Whether two tick labels of `axis` overlap as the figure is drawn now."""
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    boxes = [label.get_window_extent(renderer) for label in visible_labels(axis)]
    return any(left.overlaps(right) for i, left in enumerate(boxes) for right in boxes[i + 1 :])


def unclutter(figure: Figure, axis: Axis) -> None:
    """Fewer ticks on a numeric axis; upright labels on a category axis, then every second or third
    label only, until no two labels overlap."""
    if not overlapping(figure, axis):
        return
    locator = axis.get_major_locator()
    if isinstance(locator, MaxNLocator):
        for bins in range(TICKS - 1, 1, -1):
            locator.set_params(nbins=bins)
            if not overlapping(figure, axis):
                return
    if axis is axis.axes.xaxis:
        axis.set_tick_params(labelrotation=90)
        for label in visible_labels(axis):
            label.set_horizontalalignment("center")
        if not overlapping(figure, axis):
            return
    ticks = shown_ticks(axis)
    locs = [tick.get_loc() for tick in ticks]
    texts = [tick.label1.get_text() or tick.label2.get_text() for tick in ticks]
    for every in range(2, len(locs) + 1):
        axis.set_ticks(locs[::every], texts[::every])
        if not overlapping(figure, axis):
            return
