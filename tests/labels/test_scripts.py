"""Every script on the label: golden ZPL and PDF for CJK, Hebrew and macron addresses,
text in the right visual order, fonts that cover it, and barcodes that scan back.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pypdf
import pytest

from station.labels import (
    Address,
    LabelLayout,
    PackingSlip,
    PackingSlipLine,
    render_packing_slip,
    render_pdf,
    render_zpl,
)
from station.labels.fonts import FAMILIES, font_dirs
from station.labels.script import visual
from tests.labels.golden import assert_golden, field_texts
from tests.labels.label_samples import (
    ARABIC_RECEIVER,
    CJK_RECEIVER,
    HEBREW_RECEIVER,
    MACRON_RECEIVER,
)
from tests.labels.zebra_code128 import scan_zpl_barcode, unescape_fh

GOLDEN = Path(__file__).parent / "golden"
Make = Callable[..., LabelLayout]
Scan = Callable[..., list[tuple[str, str]]]
# (golden name, receiver, ticket): the Hebrew label's ticket has the '>' that Code 128
# data must escape.
SCRIPTS = [
    ("cjk", CJK_RECEIVER, "CP123456789NZ"),
    ("hebrew", HEBREW_RECEIVER, "IL>2024>77"),
    ("macron", MACRON_RECEIVER, "00093312345678901234"),
]
every_font = pytest.mark.skipif(
    not all(any((d / f.regular).is_file() for d in font_dirs()) for f in FAMILIES),
    reason="the label fonts are not installed (make fonts)",
)


def labelled(make_layout: Make, receiver: Address, ticket: str) -> LabelLayout:
    return make_layout(receiver=receiver, ticket=ticket, tracking_url=None)


def assert_golden_pdf(name: str, pdf: bytes) -> None:
    """Compare with a stored PDF; STATION_UPDATE_GOLDEN=1 rewrites it."""
    path = GOLDEN / name
    if os.environ.get("STATION_UPDATE_GOLDEN") == "1":
        path.write_bytes(pdf)
    if not path.exists():
        pytest.fail(f"no golden file {path}; run with STATION_UPDATE_GOLDEN=1 to create it")
    if pdf != path.read_bytes():
        pytest.fail(
            f"PDF differs from {path.name} (fonts or reportlab changed?). If intended, rerun "
            "with STATION_UPDATE_GOLDEN=1 and look at both pages before committing."
        )


def fonts_of(pdf: bytes) -> set[str]:
    """Base names of the fonts embedded in the first page, subset prefix dropped."""
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    fonts = page["/Resources"]["/Font"]
    return {str(fonts[key].get_object()["/BaseFont"]).split("+")[-1] for key in fonts}


def drawn_rows(pdf: bytes) -> dict[int, list[str]]:
    """Each baseline's text fragments from left to right, as pypdf reads them back.

    pypdf turns a right-to-left fragment back into logical order, so a fragment reads
    as typed only when it was drawn in visual order (last letter leftmost).
    """
    found: list[tuple[int, float, str]] = []

    def visit(text: str, cm: object, tm: list[float], font: object, size: object) -> None:
        if text.strip():
            found.append((round(tm[5]), tm[4], text.strip()))

    pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    rows: dict[int, list[str]] = {}
    for y, _, text in sorted(found, key=lambda f: (-f[0], f[1])):
        rows.setdefault(y, []).append(text)
    return rows


class TestZpl:
    @pytest.mark.parametrize(("name", "receiver", "ticket"), SCRIPTS, ids=[s[0] for s in SCRIPTS])
    def test_with_the_printers_unicode_font(
        self, make_layout: Make, name: str, receiver: Address, ticket: str
    ) -> None:
        zpl = render_zpl(labelled(make_layout, receiver, ticket), unicode_font="E:ANMDJ.TTF")
        assert_golden(f"label_{name}_unicode_font.zpl", zpl)

    @pytest.mark.parametrize(("name", "receiver", "ticket"), SCRIPTS, ids=[s[0] for s in SCRIPTS])
    def test_transliterated_on_the_builtin_font(
        self, make_layout: Make, name: str, receiver: Address, ticket: str
    ) -> None:
        zpl = render_zpl(labelled(make_layout, receiver, ticket))
        assert_golden(f"label_{name}_builtin_font.zpl", zpl)

    def test_hebrew_is_sent_in_visual_order_in_the_unicode_font(self, make_layout: Make) -> None:
        zpl = render_zpl(labelled(make_layout, HEBREW_RECEIVER, "X1"), unicode_font="E:A.TTF")
        texts = _unicode_field_texts(zpl)
        assert "ןהכ דוד" in texts and "5 לצרה בוחר" in texts

    def test_transliteration_never_prints_a_question_mark(self, make_layout: Make) -> None:
        for _, receiver, ticket in SCRIPTS:
            texts = field_texts(render_zpl(labelled(make_layout, receiver, ticket)))
            assert all(t.isascii() and "?" not in t for t in texts), texts
        cjk = field_texts(render_zpl(labelled(make_layout, CJK_RECEIVER, "X1")))
        assert "ShanTian TaiLang" in cjk and "DongJing 150-0041" in cjk

    @pytest.mark.parametrize(
        "ticket", [t for *_, t in SCRIPTS] + ["A>B^C~D_E\\F", ">>1234567", "X>"], ids=repr
    )
    def test_the_printed_barcode_scans_back_to_the_ticket(
        self, make_layout: Make, ticket: str
    ) -> None:
        zpl = render_zpl(labelled(make_layout, HEBREW_RECEIVER, ticket), unicode_font="E:A.TTF")
        assert scan_zpl_barcode(zpl) == ticket


def _unicode_field_texts(zpl: bytes) -> list[str]:
    """Text fields in the ^CW font, decoded back from ^FH escapes."""
    out = []
    for line in zpl.decode("ascii").splitlines():
        if line.split("^")[2:3] and line.split("^")[2].startswith("AJN"):
            out.append(unescape_fh(line.split("^FD", 1)[1].removesuffix("^FS")))
    return out


@every_font
class TestPdf:
    @pytest.mark.parametrize(("name", "receiver", "ticket"), SCRIPTS, ids=[s[0] for s in SCRIPTS])
    def test_golden_and_scans_back(
        self, make_layout: Make, scan: Scan, name: str, receiver: Address, ticket: str
    ) -> None:
        pdf = render_pdf([labelled(make_layout, receiver, ticket)])
        assert_golden_pdf(f"label_{name}.pdf", pdf)
        assert scan(pdf) == [("Code128", ticket)]

    def test_each_script_embeds_a_font_that_has_it(self, make_layout: Make) -> None:
        cjk = fonts_of(render_pdf([labelled(make_layout, CJK_RECEIVER, "X1")]))
        hebrew = fonts_of(render_pdf([labelled(make_layout, HEBREW_RECEIVER, "X1")]))
        arabic = fonts_of(render_pdf([labelled(make_layout, ARABIC_RECEIVER, "X1")]))

        assert {"WenQuanYiMicroHei-0", "NotoSans-Bold"} <= cjk
        assert {"NotoSansHebrew-Bold", "NotoSansHebrew-Regular"} <= hebrew
        assert "NotoSansArabic-Bold" in arabic

    def test_right_to_left_lines_are_drawn_in_visual_order(self, make_layout: Make) -> None:
        rows = list(drawn_rows(render_pdf([labelled(make_layout, HEBREW_RECEIVER, "X1")])).values())

        assert ["דוד כהן"] in rows  # read back as typed: drawn last letter leftmost
        assert ["5", "רחוב הרצל"] in rows  # the house number at the left end of the line
        assert ["6100000", "תל אביב"] in rows

    def test_cjk_and_macrons_read_back_as_written(
        self, make_layout: Make, pdf_text: Callable[[bytes], list[str]]
    ) -> None:
        [cjk] = pdf_text(render_pdf([labelled(make_layout, CJK_RECEIVER, "X1")]))
        [macron] = pdf_text(render_pdf([labelled(make_layout, MACRON_RECEIVER, "X1")]))

        assert "東京都渋谷区神南1-2-3" in cjk and "山田 太郎" in cjk and "東京商事" in cjk
        assert "Whakatāne 3120" in macron and "12 Tāmaki Drive" in macron

    def test_arabic_is_drawn_shaped(self, make_layout: Make) -> None:
        pdf = render_pdf([labelled(make_layout, ARABIC_RECEIVER, "X1")])
        # shaped into joined forms: ﺷ initial, ﺎ final, ﺭ and ﻉ isolated
        assert any(
            "\ufeb7\ufe8e\ufead\ufec9" in text for row in drawn_rows(pdf).values() for text in row
        )


def test_visual_order_matches_the_bidi_algorithm_by_hand() -> None:
    assert visual("רחוב הרצל 5") == "5 לצרה בוחר"
    assert visual("Ōtautahi 東京") == "Ōtautahi 東京"
    assert visual("SO-1042 שלום") == "SO-1042 םולש"


@every_font
def test_a_packing_slip_prints_names_and_products_in_their_own_script(
    pdf_text: Callable[[bytes], list[str]], scan: Scan
) -> None:
    lines = (
        PackingSlipLine("TEA-01", "抹茶 Matcha", 2),
        PackingSlipLine("MUG-02", "ספל קרמיקה", 1, "כחול"),
        PackingSlipLine("KETE-3", "Kete whakairo — Tāmaki", 1),
    )
    pdf = render_packing_slip(PackingSlip("SO-1042", CJK_RECEIVER, lines, date(2024, 5, 1)))

    [text] = pdf_text(pdf)
    for expected in ("山田 太郎", "東京都渋谷区神南1-2-3", "抹茶 Matcha", "ספל קרמיקה", "Tāmaki"):
        assert expected in text
    assert fonts_of(pdf) >= {"WenQuanYiMicroHei-0", "NotoSansHebrew-Regular"}
    assert ("Code128", "SO-1042") in scan(pdf)
