"""PDF labels: readable text, barcodes that scan back, A4 two-up, hostile text."""

from __future__ import annotations

import io
from collections.abc import Callable

import pypdf
import pytest
from reportlab.lib.units import mm

from station.labels import (
    SIZE_4X6,
    SIZE_100X150,
    SIZE_100X175,
    SIZE_A4,
    SIZE_A6,
    Address,
    LabelError,
    LabelLayout,
    LabelSize,
    render_pdf,
)
from station.labels.plan import plan_label
from tests.labels.label_samples import HOSTILE

Scan = Callable[..., list[tuple[str, str]]]
LABEL_SIZES = [SIZE_4X6, SIZE_100X150, SIZE_100X175, SIZE_A6]


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """Each page's (width, height) in points."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]


def test_text_has_the_receiver_address_and_ticket(
    layout: LabelLayout, pdf_text: Callable[[bytes], list[str]]
) -> None:
    [text] = pdf_text(render_pdf([layout]))
    for expected in (
        "Aroha Te Whare",
        "Ōtautahi Design Co",
        "Flat 3",
        "45 Cashel Street",
        "Christchurch Canterbury 8011",
        "New Zealand",
        "CP123456789NZ",
        "Overnight Parcel",
        "Parcel 1 of 2",
        "1.25 kg",
        "Ref SO-1042",
        "2024-05-01",
        "Kiwi Widgets Ltd, Warehouse",
    ):
        assert expected in text


@pytest.mark.parametrize("size", LABEL_SIZES, ids=lambda s: s.name)
def test_barcode_and_qr_scan_back(layout: LabelLayout, scan: Scan, size: LabelSize) -> None:
    pdf = render_pdf([layout], size=size)
    assert page_sizes(pdf) == [pytest.approx((size.width_mm * mm, size.height_mm * mm), abs=0.01)]
    assert scan(pdf) == [("Code128", "CP123456789NZ"), ("QRCode", layout.tracking_url)]


@pytest.mark.parametrize(
    "ticket", ["00093312345678901234", "A>B^C~D_E\\F", "8" * 48, "NZ" * 15], ids=repr
)
def test_awkward_tickets_scan_back(
    make_layout: Callable[..., LabelLayout], scan: Scan, ticket: str
) -> None:
    pdf = render_pdf([make_layout(ticket=ticket, tracking_url=None)])
    assert scan(pdf) == [("Code128", ticket)]


def test_a_long_tracking_url_still_scans(
    make_layout: Callable[..., LabelLayout], scan: Scan
) -> None:
    url = "https://track.example.com/t/CP123456789NZ?" + "&x=" * 60 + "end"
    assert ("QRCode", url) in scan(render_pdf([make_layout(tracking_url=url)]))


def test_a4_puts_two_labels_on_each_sheet(
    make_layout: Callable[..., LabelLayout], scan: Scan
) -> None:
    layouts = [
        make_layout(ticket=f"TICKET{n}", parcel_index=n, parcel_count=3, tracking_url=None)
        for n in (1, 2, 3)
    ]
    pdf = render_pdf(layouts, size=SIZE_A4)
    assert page_sizes(pdf) == [pytest.approx((210 * mm, 297 * mm), abs=0.01)] * 2
    assert scan(pdf, page=0) == [("Code128", "TICKET1"), ("Code128", "TICKET2")]
    assert scan(pdf, page=1) == [("Code128", "TICKET3")]


def test_output_is_deterministic(layout: LabelLayout) -> None:
    assert render_pdf([layout]) == render_pdf([layout])


def test_no_labels_is_an_error() -> None:
    with pytest.raises(LabelError, match="no labels"):
        render_pdf([])


@pytest.mark.parametrize("hostile", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_text_renders_within_its_blocks(
    make_layout: Callable[..., LabelLayout],
    pdf_text: Callable[[bytes], list[str]],
    scan: Scan,
    hostile: str,
) -> None:
    layout = make_layout(
        sender=Address(hostile, hostile, (hostile,), hostile, country=hostile),
        receiver_name=hostile,
        receiver_lines=(hostile, hostile),
        receiver_city=hostile,
        service=hostile,
        carrier=hostile,
        reference=hostile,
        instructions=hostile,
    )
    pdf = render_pdf([layout])
    longest = max(line.max_chars for line in plan_label(layout, SIZE_4X6).texts)
    [text] = pdf_text(pdf)
    for line in text.splitlines():
        assert len(line) <= longest, f"line overflows its block: {line!r}"
    assert ("Code128", "CP123456789NZ") in scan(pdf)


def test_macrons_survive_and_missing_glyphs_are_transliterated(
    make_layout: Callable[..., LabelLayout], pdf_text: Callable[[bytes], list[str]]
) -> None:
    [text] = pdf_text(render_pdf([make_layout(receiver_name="Tāmaki 📦 Ōtautahi")]))
    assert "Tāmaki :package: Ōtautahi" in text
