"""Shipping labels and packing slips: one layout rendered as ZPL, PDF or a PNG preview.

Pure rendering: nothing here imports Flask or the rest of ``station`` but the
:class:`~station.addresses.Address` it prints (re-exported here). PNG previews live
in ``station.labels.preview`` (it needs pypdfium2).
"""

from __future__ import annotations

from station.labels.layout import (
    LABEL_SIZES,
    SIZE_4X6,
    SIZE_100X150,
    SIZE_100X175,
    SIZE_A4,
    SIZE_A5,
    SIZE_A6,
    Address,
    LabelError,
    LabelLayout,
    LabelSize,
    PackingSlip,
    PackingSlipLine,
    fit_lines,
    size_named,
)
from station.labels.pdf import render_packing_slip, render_pdf
from station.labels.zpl import render_zpl

__all__ = [
    "LABEL_SIZES",
    "SIZE_100X150",
    "SIZE_100X175",
    "SIZE_4X6",
    "SIZE_A4",
    "SIZE_A5",
    "SIZE_A6",
    "Address",
    "LabelError",
    "LabelLayout",
    "LabelSize",
    "PackingSlip",
    "PackingSlipLine",
    "fit_lines",
    "render_packing_slip",
    "render_pdf",
    "render_zpl",
    "size_named",
]
