"""Packing slips: the lines to pack, the reference barcode, and pages that continue."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from station.labels import (
    SIZE_4X6,
    SIZE_A5,
    LabelError,
    PackingSlip,
    PackingSlipLine,
    render_packing_slip,
)
from tests.labels.label_samples import HOSTILE, RECEIVER

Scan = Callable[..., list[tuple[str, str]]]
Text = Callable[[bytes], list[str]]


def slip(*lines: PackingSlipLine, notes: str | None = None) -> PackingSlip:
    """A slip for SO-1042 to the usual receiver."""
    return PackingSlip("SO-1042", RECEIVER, lines, date(2024, 5, 1), notes=notes)


LINES = (
    PackingSlipLine("MUG-RED", "Enamel mug", 2, "Colour: Red"),
    PackingSlipLine("TEE-M-BLK", "Organic cotton tee", Decimal("1.000"), "Size: M / Black"),
    PackingSlipLine("GIFT-WRAP", "Gift wrap", 1),
)


def test_lists_every_line_with_sku_name_options_and_qty(pdf_text: Text) -> None:
    [text] = pdf_text(render_packing_slip(slip(*LINES, notes="Fragile, pack well")))
    for expected in (
        "SO-1042",
        "Aroha Te Whare",
        "45 Cashel Street",
        "MUG-RED",
        "Enamel mug",
        "Colour: Red",
        "TEE-M-BLK",
        "Organic cotton tee",
        "Size: M / Black",
        "GIFT-WRAP",
        "Fragile, pack well",
        "3 lines, 4 items",
        "Page 1 of 1",
    ):
        assert expected in text
    assert "1.000" not in text


def test_reference_barcode_scans_back(scan: Scan) -> None:
    assert ("Code128", "SO-1042") in scan(render_packing_slip(slip(*LINES)))


def test_long_orders_continue_on_more_pages(pdf_text: Text, scan: Scan) -> None:
    lines = [PackingSlipLine(f"SKU-{n:03d}", f"Product {n}", 1) for n in range(60)]
    pages = pdf_text(render_packing_slip(slip(*lines)))
    assert len(pages) > 1
    assert f"Page 1 of {len(pages)}" in pages[0]
    every = "\n".join(pages)
    assert all(every.count(f"SKU-{n:03d}") == 1 for n in range(60))
    assert "60 lines, 60 items" in pages[-1] and "items" not in pages[0]


def test_a5_slip_scans(scan: Scan) -> None:
    assert ("Code128", "SO-1042") in scan(render_packing_slip(slip(*LINES), size=SIZE_A5))


def test_an_empty_order_says_so(pdf_text: Text) -> None:
    assert "No lines" in pdf_text(render_packing_slip(slip()))[0]


def test_label_sizes_are_not_for_slips() -> None:
    with pytest.raises(LabelError, match="A4 or A5"):
        render_packing_slip(slip(*LINES), size=SIZE_4X6)


@pytest.mark.parametrize("hostile", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_lines_render(pdf_text: Text, hostile: str) -> None:
    line = PackingSlipLine(hostile, hostile, 1, hostile)
    [text] = pdf_text(render_packing_slip(slip(line, notes=hostile)))
    assert all(len(row) <= 120 for row in text.splitlines())
