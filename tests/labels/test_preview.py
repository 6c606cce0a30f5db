"""PNG previews rendered from label PDFs."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from station.labels import SIZE_A4, LabelError, LabelLayout, render_pdf
from station.labels.preview import render_png


@pytest.mark.parametrize(("dpi", "pixels"), [(203, (812, 1218)), (300, (1200, 1800))])
def test_a_4x6_label_previews_at_printer_resolution(
    layout: LabelLayout, dpi: int, pixels: tuple[int, int]
) -> None:
    png = render_png(render_pdf([layout]), dpi=dpi)
    image = Image.open(io.BytesIO(png))
    assert (image.format, image.mode, image.size) == ("PNG", "L", pixels)


def test_any_page_can_be_previewed(layout: LabelLayout) -> None:
    pdf = render_pdf([layout] * 3, size=SIZE_A4)
    assert Image.open(io.BytesIO(render_png(pdf, dpi=72, page=1))).size == (596, 842)
    with pytest.raises(LabelError, match="page 2 is outside a 2-page PDF"):
        render_png(pdf, page=2)


def test_garbage_is_not_a_pdf() -> None:
    with pytest.raises(LabelError, match="cannot read"):
        render_png(b"%PDF-1.4 nonsense")


def test_an_absurd_resolution_is_refused(layout: LabelLayout) -> None:
    with pytest.raises(LabelError, match="dpi"):
        render_png(render_pdf([layout]), dpi=5000)
