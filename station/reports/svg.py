"""Bar and line charts drawn on the server as inline SVG: axes, labels, a tooltip per value.

A series is a sequence of ``(label, value)`` pairs. Every piece of text that reaches
the SVG (chart title, labels, values) is escaped here, so the result is ``Markup`` that
templates include as it is; labels may be anything a user or Cin7 typed.
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
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 72
MAX_TICK_LABELS = 16  # more labels than this along the bottom would overlap
MAX_TICK_CHARS = 20  # a longer label is cut short under the axis (its tooltip keeps it whole)


@dataclass(frozen=True, slots=True)
class _Scale:
    """Maps values onto the plot's height; ``ticks`` are the gridline values."""

    low: float
    high: float
    ticks: tuple[float, ...]

    def y(self, value: float) -> float:
        span = (self.high - self.low) or 1.0
        return TOP + (HEIGHT - TOP - BOTTOM) * (self.high - value) / span


def bar_chart(series: Series, *, title: str, tick: Callable[[str], str] = str) -> Markup:
    """One bar per ``(label, value)``; ``tick`` shortens a label for the axis (tooltips keep it)."""
    if not series:
        return _empty(title)
    scale = _scale([v for _, v in series])
    slot = _plot_width() / len(series)
    parts = _frame(title, scale)
    zero = scale.y(0.0)
    for i, (label, value) in enumerate(series):
        top = scale.y(float(value))
        x = LEFT + i * slot + slot * 0.15
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{min(top, zero):.1f}" width="{slot * 0.7:.1f}" '
            f'height="{abs(zero - top):.1f}"><title>{_tip(label, value)}</title></rect>'
        )
    parts.extend(_x_labels([label for label, _ in series], slot, tick))
    return _svg(title, parts)


def line_chart(series: Series, *, title: str, tick: Callable[[str], str] = str) -> Markup:
    """A line through the values in order, with a dot (and tooltip) at each one."""
    if not series:
        return _empty(title)
    scale = _scale([v for _, v in series])
    slot = _plot_width() / len(series)
    points = [
        (LEFT + (i + 0.5) * slot, scale.y(float(value))) for i, (_, value) in enumerate(series)
    ]
    parts = _frame(title, scale)
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    parts.append(f'<polyline class="line" fill="none" points="{path}"/>')
    for (x, y), (label, value) in zip(points, series, strict=True):
        parts.append(
            f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="3.5">'
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


def _frame(title: str, scale: _Scale) -> list[str]:
    """The title, gridlines with their values, and both axes."""
    parts = [f"<title>{escape(title)}</title>"]
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
