"""Shipping labels as PDF: one label per page, or two A6 labels on each A4 sheet."""

from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from station.labels.drawing import draw_code128, draw_qr, draw_text, page_size
from station.labels.fonts import FontSet, load_fonts
from station.labels.layout import SIZE_4X6, SIZE_A4, SIZE_A6, LabelError, LabelLayout, LabelSize
from station.labels.plan import BASELINE, LabelPlan, plan_label
from station.labels.slip import render_packing_slip

__all__ = ["render_packing_slip", "render_pdf"]


def render_pdf(
    layouts: Sequence[LabelLayout],
    *,
    size: LabelSize = SIZE_4X6,
    fonts: FontSet | None = None,
) -> bytes:
    """Render labels to one PDF; ``size=SIZE_A4`` puts two A6 labels on each sheet."""
    if not layouts:
        raise LabelError("no labels to render")
    fonts = fonts or load_fonts()
    two_up = size == SIZE_A4
    label = SIZE_A6 if two_up else size
    plans = [plan_label(layout, label) for layout in layouts]
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=page_size(size), invariant=True)
    canvas.setTitle("Shipping labels")
    canvas.setCreator("Station")
    per_page = 2 if two_up else 1
    for start in range(0, len(plans), per_page):
        for slot, plan in enumerate(plans[start : start + per_page]):
            x, y = _origin(size, label, slot) if two_up else (0.0, 0.0)
            _draw_label(canvas, fonts, plan, x, y)
        if two_up:
            _cut_line(canvas, size)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _origin(sheet: LabelSize, label: LabelSize, slot: int) -> tuple[float, float]:
    """Bottom-left corner (points) of the label in the top (0) or bottom (1) half."""
    half = sheet.height_mm / 2
    x = (sheet.width_mm - label.width_mm) / 2
    y = (half - label.height_mm) / 2 + (half if slot == 0 else 0.0)
    return x * mm, y * mm


def _cut_line(canvas: Canvas, sheet: LabelSize) -> None:
    """A light dashed line between the two halves of an A4 sheet."""
    canvas.saveState()
    canvas.setStrokeGray(0.7)
    canvas.setLineWidth(0.3)
    canvas.setDash(3, 3)
    y = sheet.height_mm / 2 * mm
    canvas.line(0, y, sheet.width_mm * mm, y)
    canvas.restoreState()


def _draw_label(canvas: Canvas, fonts: FontSet, plan: LabelPlan, ox: float, oy: float) -> None:
    """Draw one planned label with its top-left corner at (ox, oy + height)."""
    top = oy + plan.height * mm

    for rule in plan.rules:
        canvas.rect(
            ox + rule.x * mm,
            top - (rule.y + rule.thickness) * mm,
            rule.width * mm,
            rule.thickness * mm,
            stroke=0,
            fill=1,
        )
    for line in plan.texts:
        draw_text(
            canvas,
            fonts,
            line.text,
            x=ox + line.x * mm,
            baseline=top - (line.y + line.size * BASELINE) * mm,
            size=line.size * mm,
            max_width=line.width * mm,
            bold=line.bold,
        )
    box = plan.barcode
    draw_code128(
        canvas,
        box.value,
        x=ox + box.x * mm,
        y=top - (box.y + box.height) * mm,
        width=box.width * mm,
        height=box.height * mm,
    )
    if plan.qr is not None:
        qr = plan.qr
        x, y = ox + qr.x * mm, top - (qr.y + qr.size) * mm
        draw_qr(canvas, qr.value, x=x, y=y, size=qr.size * mm)
