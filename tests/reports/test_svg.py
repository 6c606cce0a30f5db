"""Server-drawn charts: well-formed SVG with axes, labels, tooltips, and every text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

from station.reports.svg import Axes, bar_chart, grouped_bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & co'


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(root: ET.Element, css: str) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text") if t.get("class") == css]


def tooltips(root: ET.Element, tag: str) -> list[str]:
    return [el.find(f"{SVG}title").text or "" for el in root.iter(f"{SVG}{tag}")]  # type: ignore[union-attr]


def test_a_bar_chart_has_a_bar_a_label_and_a_tooltip_per_value() -> None:
    root = parse(bar_chart([("Own label", 7), ("Courier", 3)], title="Per carrier"))

    assert (
        root.get("aria-label") == "Per carrier" and root.find(f"{SVG}title").text == "Per carrier"
    )  # type: ignore[union-attr]
    assert tooltips(root, "rect") == ["Own label: 7", "Courier: 3"]
    assert texts(root, "x-label") == ["Own label", "Courier"]
    assert texts(root, "y-label") == ["0", "2", "4", "6", "8"]


def test_taller_bars_stand_for_larger_values() -> None:
    root = parse(bar_chart([("a", 2), ("b", 8)], title="t"))

    heights = [float(rect.get("height", "0")) for rect in root.iter(f"{SVG}rect")]
    assert heights[1] == 4 * heights[0] > 0


def test_a_line_chart_joins_one_dot_per_value_in_order() -> None:
    series = [("2026-11-23", 1), ("2026-11-24", 2), ("2026-11-25", 0)]

    root = parse(line_chart(series, title="Per day", tick=lambda day: day[5:]))

    [line] = root.iter(f"{SVG}polyline")
    assert len(line.get("points", "").split()) == 3
    assert tooltips(root, "circle") == ["2026-11-23: 1", "2026-11-24: 2", "2026-11-25: 0"]
    assert texts(root, "x-label") == ["11-23", "11-24", "11-25"]


def test_hostile_labels_and_titles_are_escaped() -> None:
    for chart in (bar_chart, line_chart):
        svg = chart([(HOSTILE, 1)], title=HOSTILE)

        assert "<script" not in svg
        assert "&lt;script&gt;" in svg and "&amp; co" in svg
        root = parse(svg)  # still well-formed
        assert tooltips(root, "rect" if chart is bar_chart else "circle") == [f"{HOSTILE}: 1"]


def test_money_shows_two_decimals_and_negative_bars_hang_below_the_axis() -> None:
    root = parse(bar_chart([("Retail", Decimal("3.47")), ("Trade", Decimal("-1.20"))], title="t"))

    assert tooltips(root, "rect") == ["Retail: 3.47", "Trade: -1.20"]
    assert all(float(rect.get("height", "-1")) > 0 for rect in root.iter(f"{SVG}rect"))
    assert texts(root, "y-label")[0] == "-2"


def test_many_labels_are_thinned_out_but_every_value_keeps_its_tooltip() -> None:
    series = [(f"day {n}", n) for n in range(40)]

    root = parse(line_chart(series, title="t"))

    assert texts(root, "x-label") == [f"day {n}" for n in range(0, 40, 3)]
    assert len(tooltips(root, "circle")) == 40


def test_an_empty_series_says_there_is_nothing_to_chart() -> None:
    root = parse(bar_chart([], title="Nothing"))

    assert texts(root, "empty") == ["Nothing to chart"]


def test_counts_get_whole_gridlines_and_long_labels_are_cut_under_the_axis() -> None:
    label = "Own label · Overnight Express Saturday"

    root = parse(bar_chart([(label, 1)], title="t"))

    assert texts(root, "y-label") == ["0", "1"]
    assert texts(root, "x-label") == ["Own label · Overnig…"]  # 20 characters
    assert tooltips(root, "rect") == [f"{label}: 1"]


def test_every_chart_names_its_axes_and_its_series_in_a_legend() -> None:
    axes = Axes(x="Day", y="Dispatches")
    for chart in (bar_chart, line_chart):
        root = parse(chart([("2026-11-23", 1)], title="Per day", axes=axes))

        assert texts(root, "axis-title") == ["Dispatches", "Day"]
        assert texts(root, "legend") == ["Dispatches"]
        assert len([p for p in root.iter(f"{SVG}path") if "swatch" in p.get("class", "")]) == 1


def test_a_grouped_chart_puts_each_series_side_by_side_with_its_own_colour() -> None:
    root = parse(
        grouped_bar_chart(
            ["Own label (NZD)", "Courier (NZD)"],
            [("Carrier cost", [Decimal("30"), Decimal("10")]), ("Charged", [Decimal("37.5"), 12])],
            title="Cost and charge",
            axes=Axes(x="Carrier", y="Amount"),
        )
    )

    assert texts(root, "legend") == ["Carrier cost", "Charged"]
    assert tooltips(root, "rect") == [
        "Own label (NZD) · Carrier cost: 30.00",
        "Courier (NZD) · Carrier cost: 10.00",
        "Own label (NZD) · Charged: 37.50",
        "Courier (NZD) · Charged: 12",
    ]
    bars = list(root.iter(f"{SVG}rect"))
    assert [b.get("class") for b in bars] == ["bar series-0"] * 2 + ["bar series-1"] * 2
    cost, charged = float(bars[0].get("x", "0")), float(bars[2].get("x", "0"))
    assert charged > cost  # beside, not on top
    assert float(bars[2].get("height", "0")) > float(bars[0].get("height", "0"))


def test_a_hostile_series_name_or_axis_name_is_escaped() -> None:
    svg = bar_chart([("a", 1)], title="t", axes=Axes(x=HOSTILE, y=HOSTILE), name=HOSTILE)

    assert "<script" not in svg
    root = parse(svg)
    assert texts(root, "legend") == [HOSTILE] and texts(root, "axis-title") == [HOSTILE] * 2
