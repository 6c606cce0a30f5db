"""Bar and line charts drawn on the server as inline SVG: axes, labels, a tooltip per value.

A series is a sequence of ``(label, value)`` pairs. Every chart names what its axes
hold (``Axes``) and has a legend naming each series (a bar chart comparing two series,
such as carrier cost and charge, is ``grouped_bar_chart``). Every piece of text that
reaches the SVG (chart title, labels, values, names) is escaped here, so the result is
``Markup`` that templates include as it is; labels may be anything a user or Cin7 typed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

Number = int | float | Decimal
Series = Sequence[tuple[str, Number]]

WIDTH = 720
HEIGHT = 290
LEFT, RIGHT, TOP, BOTTOM = 72, 16, 34, 88
LEGEND_Y = 16
SERIES_COLOURS = 4  # series-0 .. series-3 in the stylesheet; more series reuse them
MAX_TICK_LABELS = 16  # more labels than this along the bottom would overlap
MAX_TICK_CHARS = 20  # a longer label is cut short under the axis (its tooltip keeps it whole)


@dataclass(frozen=True, slots=True)
class Axes:
    """What the labels along the bottom are (``x``) and what the values count (``y``)."""

    x: str = ""
    y: str = ""


@dataclass(frozen=True, slots=True)
class _Scale:
    """Maps values onto the plot's height; ``ticks`` are the gridline values."""

    low: float
    high: float
    ticks: tuple[float, ...]

    def y(self, value: float) -> float:
        span = (self.high - self.low) or 1.0
        return TOP + (HEIGHT - TOP - BOTTOM) * (self.high - value) / span


def bar_chart(
    series: Series,
    *,
    title: str,
    axes: Axes = Axes(),
    name: str = "",
    tick: Callable[[str], str] = str,
) -> Markup:
    """One bar per ``(label, value)``; ``tick`` shortens a label for the axis (tooltips keep it).

    ``name`` is the series' name in the legend (the y axis's name when not given).
    """
    labels = [label for label, _ in series]
    return grouped_bar_chart(
        labels,
        [(name or axes.y or title, [v for _, v in series])],
        title=title,
        axes=axes,
        tick=tick,
    )


def grouped_bar_chart(
    labels: Sequence[str],
    groups: Sequence[tuple[str, Sequence[Number]]],
    *,
    title: str,
    axes: Axes = Axes(),
    tick: Callable[[str], str] = str,
) -> Markup:
    """Side-by-side bars per label, one per named series in ``groups`` (the legend names them)."""
    if not labels or not groups:
        return _empty(title)
    scale = _scale([v for _, values in groups for v in values])
    slot = _plot_width() / len(labels)
    width = slot * 0.7 / len(groups)
    parts = _frame(title, scale, axes, [group_name for group_name, _ in groups])
    zero = scale.y(0.0)
    for g, (group_name, values) in enumerate(groups):
        for i, (label, value) in enumerate(zip(labels, values, strict=True)):
            top = scale.y(float(value))
            x = LEFT + i * slot + slot * 0.15 + g * width
            tip = f"{label} · {group_name}" if len(groups) > 1 else label
            parts.append(
                f'<rect class="bar {_series(g)}" x="{x:.1f}" y="{min(top, zero):.1f}" '
                f'width="{width:.1f}" height="{abs(zero - top):.1f}">'
                f"<title>{_tip(tip, value)}</title></rect>"
            )
    parts.extend(_x_labels(list(labels), slot, tick))
    return _svg(title, parts)


def line_chart(
    series: Series,
    *,
    title: str,
    axes: Axes = Axes(),
    name: str = "",
    tick: Callable[[str], str] = str,
) -> Markup:
    """A line through the values in order, with a dot (and tooltip) at each one."""
    if not series:
        return _empty(title)
    scale = _scale([v for _, v in series])
    slot = _plot_width() / len(series)
    points = [
        (LEFT + (i + 0.5) * slot, scale.y(float(value))) for i, (_, value) in enumerate(series)
    ]
    parts = _frame(title, scale, axes, [name or axes.y or title])
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    parts.append(f'<polyline class="line {_series(0)}" fill="none" points="{path}"/>')
    for (x, y), (label, value) in zip(points, series, strict=True):
        parts.append(
            f'<circle class="dot {_series(0)}" cx="{x:.1f}" cy="{y:.1f}" r="3.5">'
            f"<title>{_tip(label, value)}</title></circle>"
        )
    parts.extend(_x_labels([label for label, _ in series], slot, tick))
    return _svg(title, parts)


def format_value(value: Number) -> str:
    """A value as the chart prints it: whole numbers plain, money with two decimals."""
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    return f"{int(value):,}"


def _scale(values: list[Number]) -> _Scale:
    """Gridlines from zero (or below it) past the largest value; whole steps for counts."""
    low, high = min(0.0, *map(float, values)), max(0.0, *map(float, values))
    if low == high:
        high = 1.0
    step = _nice_step((high - low) / 4)
    if all(isinstance(v, int) for v in values):
        step = max(step, 1.0)
    first, last = math.floor(low / step), math.ceil(high / step)
    ticks = tuple(n * step for n in range(first, last + 1))
    return _Scale(ticks[0], ticks[-1], ticks)


def _nice_step(rough: float) -> float:
    """The 1, 2 or 5 × 10ⁿ step nearest above ``rough`` (whole numbers for counts)."""
    power = 10 ** math.floor(math.log10(rough))
    for factor in (1, 2, 5, 10):
        if factor * power >= rough:
            return float(factor * power)
    return 10.0 * power  # pragma: no cover - factor 10 always reaches rough


def _plot_width() -> float:
    return WIDTH - LEFT - RIGHT


def _series(index: int) -> str:
    return f"series-{index % SERIES_COLOURS}"


def _frame(title: str, scale: _Scale, axes: Axes, names: list[str]) -> list[str]:
    """The title, the legend, gridlines with their values, both axes and their names."""
    parts = [f"<title>{escape(title)}</title>", *_legend(names)]
    for value in scale.ticks:
        y = scale.y(value)
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        parts.append(
            f'<text class="y-label" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(format_value(value))}</text>"
        )
    parts.append(f'<line class="axis" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{HEIGHT - BOTTOM}"/>')
    zero = scale.y(0.0)
    parts.append(
        f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{zero:.1f}" y2="{zero:.1f}"/>'
    )
    middle = TOP + (HEIGHT - TOP - BOTTOM) / 2
    if axes.y:
        parts.append(
            f'<text class="axis-title" x="14" y="{middle:.1f}" text-anchor="middle" '
            f'transform="rotate(-90 14 {middle:.1f})">{escape(axes.y)}</text>'
        )
    if axes.x:
        parts.append(
            f'<text class="axis-title" x="{LEFT + _plot_width() / 2:.1f}" y="{HEIGHT - 6}" '
            f'text-anchor="middle">{escape(axes.x)}</text>'
        )
    return parts


def _legend(names: list[str]) -> list[str]:
    """A swatch and a name per series, left to right above the plot."""
    parts, x = [], float(LEFT)
    for index, name in enumerate(names):
        parts.append(
            f'<path class="swatch {_series(index)}" d="M{x:.1f} {LEGEND_Y - 9}h10v10h-10z"/>'
            f'<text class="legend" x="{x + 14:.1f}" y="{LEGEND_Y}">{escape(name)}</text>'
        )
        x += 14 + 7 * len(name) + 18  # about 7 px a character at the legend's size
    return parts


def _x_labels(labels: list[str], slot: float, tick: Callable[[str], str]) -> list[str]:
    """Labels under the plot, slanted, every n-th one when there are too many to fit."""
    every = max(1, math.ceil(len(labels) / MAX_TICK_LABELS))
    y = HEIGHT - BOTTOM + 14
    parts = []
    for i, label in enumerate(labels):
        if i % every:
            continue
        x = LEFT + (i + 0.5) * slot
        parts.append(
            f'<text class="x-label" x="{x:.1f}" y="{y}" text-anchor="end" '
            f'transform="rotate(-30 {x:.1f} {y})">{escape(_shortened(tick(label)))}</text>'
        )
    return parts


def _shortened(text: str) -> str:
    return text if len(text) <= MAX_TICK_CHARS else f"{text[: MAX_TICK_CHARS - 1]}…"


def _tip(label: str, value: Number) -> Markup:
    return escape(f"{label}: {format_value(value)}")


def _svg(title: str, parts: list[str]) -> Markup:
    body = "".join(parts)
    return Markup(
        f'<svg class="chart" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" xmlns="http://www.w3.org/2000/svg">{body}</svg>'
    )


def _empty(title: str) -> Markup:
    return _svg(
        title,
        [
            f"<title>{escape(title)}</title>",
            f'<text class="empty" x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">'
            "Nothing to chart</text>",
        ],
    )
