"""Label layouts into the bytes one printer takes: its format, label size and resolution."""

from __future__ import annotations

from printers.formats import PrinterFormat, PrinterSpec
from station.labels.layout import LabelLayout, size_named
from station.labels.zpl import render_zpl
from station.models import Printer


def render_for_printer(printer: Printer, layout: LabelLayout) -> tuple[bytes, str]:
    """``layout`` as ``printer`` prints it, and the job format ("zpl", "pdf" or "png")."""
    spec = PrinterSpec.from_dict({**printer.spec, "name": printer.name})
    size = size_named(spec.label_size)
    if spec.format == PrinterFormat.ZPL:
        return render_zpl(layout, dpi=spec.dpi, size=size, unicode_font=spec.unicode_font), "zpl"
    from station.labels.pdf import render_pdf  # reportlab: only where a PDF is drawn

    pdf = render_pdf([layout], size=size)
    if spec.format == PrinterFormat.PNG_RASTER:
        from station.labels.preview import render_png

        return render_png(pdf, dpi=spec.dpi), "png"
    return pdf, "pdf"
