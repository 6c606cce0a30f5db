"""Manifest PDFs: A4, every consignment and ticket once, totals, page numbers, long lists."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

import pypdf
import pytest

from station.labels import LabelError
from station.labels.manifest import ManifestLine, ManifestSheet, render_manifest

Scan = Callable[..., list[tuple[str, str]]]
PdfText = Callable[[bytes], list[str]]


def line(n: int, *, tickets: int = 1) -> ManifestLine:
    return ManifestLine(
        reference=f"SO-{1000 + n}",
        receiver=f"Receiver {n}",
        city="Palmerston North",
        postcode="4410",
        service="Overnight",
        tickets=tuple(f"ON{n:05d}{t:03d}" for t in range(tickets)),
        parcels=tickets,
        weight_grams=1250 * tickets,
    )


def sheet(*lines: ManifestLine, cost: Decimal | None = Decimal("123.45")) -> ManifestSheet:
    return ManifestSheet(
        number="OWNLABEL-000012",
        carrier="Own label",
        closed_at=datetime(2024, 5, 1, 16, 45),
        closed_by="Mere Tāne",
        lines=lines,
        cost_total=cost,
    )


def test_one_page_has_the_header_every_column_and_the_totals(pdf_text: PdfText) -> None:
    pdf = render_manifest(sheet(line(1), line(2, tickets=3)))

    [text] = pdf_text(pdf)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert [
        (round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages
    ] == [(595, 842)]
    for expected in (
        "Manifest\nOwn label\nManifest number OWNLABEL-000012",
        "Closed 2024-05-01 16:45 by Mere Tāne",
        "SO-1001\nReceiver 1\nPalmerston\nNorth\n4410\nOvernight\nON00001000\n1\n1.25 kg",
        "ON00002000\nON00002001\nON00002002\n3\n3.75 kg",
        "Total: 2 consignments · 4 parcels · 5 kg · cost 123.45 NZD (ex GST)",
        "Received by (driver)",
        "OWNLABEL-000012 · Page 1 of 1",
    ):
        assert expected in text, expected


def test_the_manifest_number_scans_from_its_barcode(scan: Scan) -> None:
    pdf = render_manifest(sheet(line(1)))

    assert ("Code128", "OWNLABEL-000012") in scan(pdf)


def test_a_long_list_spans_pages_each_numbered_with_totals_at_the_end(
    pdf_text: PdfText,
) -> None:
    lines = [line(n) for n in range(150)]

    pages = pdf_text(render_manifest(sheet(*lines, cost=None)))

    assert len(pages) > 2
    for number, text in enumerate(pages, start=1):
        assert f"OWNLABEL-000012 · Page {number} of {len(pages)}" in text
        assert "Manifest number OWNLABEL-000012" in text and "Reference" in text
    every = "\n".join(pages)
    assert [every.count(f"SO-{1000 + n}\n") for n in range(150)] == [1] * 150
    assert sum("Total: 150 consignments · 150 parcels · 187.5 kg" in p for p in pages) == 1
    assert "Total:" in pages[-1] and "cost" not in pages[-1]


def test_a_consignment_with_more_tickets_than_a_page_continues_on_the_next(
    pdf_text: PdfText,
) -> None:
    pages = pdf_text(render_manifest(sheet(line(1), line(2, tickets=150), line(3))))

    assert len(pages) >= 3
    every = "\n".join(pages)
    assert [every.count(f"ON00002{t:03d}") for t in range(150)] == [1] * 150
    assert "SO-1002\n(continued)" in pages[1]
    assert "SO-1003" in pages[-1] and "Total: 3 consignments · 152 parcels" in pages[-1]


def test_a_manifest_without_consignments_is_not_printed() -> None:
    with pytest.raises(LabelError, match="OWNLABEL-000012 has no consignments"):
        render_manifest(sheet())


def test_output_is_deterministic() -> None:
    assert render_manifest(sheet(line(1))) == render_manifest(sheet(line(1)))
