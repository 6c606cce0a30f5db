"""Shipping labels and packing slips: one layout rendered as ZPL, PDF or a PNG preview.

Pure rendering: nothing here imports Flask or the rest of ``station`` but the
:class:`~station.addresses.Address` it prints (re-exported here). PNG previews live
in ``station.labels.preview`` (it needs pypdfium2).

The PDF renderers are re-exported on first use (PEP 562): ``station.labels.pdf`` imports
reportlab (about 150 ms of CPU), which the layout, ZPL and the processes that never draw a
PDF (``station worker`` until its first PDF job, ``station sync``, ...) do without.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
from station.labels.zpl import render_zpl

if TYPE_CHECKING:
    from station.labels.pdf import render_packing_slip, render_pdf

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


def __getattr__(name: str) -> Any:
    """``render_pdf`` and ``render_packing_slip``, imported from ``station.labels.pdf`` when read."""
    if name in ("render_packing_slip", "render_pdf"):
        from station.labels import pdf

        return getattr(pdf, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
