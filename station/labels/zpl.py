"""Shipping labels as ZPL II for Zebra (and compatible) thermal printers.

Every piece of user text goes through ``^FH_`` hex escaping: ``_``, ``^``, ``~``, ``\\``
and every byte outside printable ASCII is written as ``_XX`` (UTF-8 bytes, read back by
the printer under ``^CI28``), so nothing in an address can end a field or start a
command.

Scripts: a printer whose settings name a Unicode TrueType font stored on it (for example
``E:ANMDJ.TTF``) gets that font as ``^CWJ`` and every text field in it (``^AJN``), with
right-to-left lines already in visual order and Arabic shaped. Any other printer draws
with its built-in font 0, which has ASCII and Latin-1 only: the rest is transliterated
(``station.labels.script.builtin_text``) rather than printed as boxes or "?".
"""

from __future__ import annotations

import re

from station.labels.layout import SIZE_4X6, LabelError, LabelLayout, LabelSize
from station.labels.plan import MODULE_MM, QUIET_MODULES, BarcodeBox, QrBox, plan_label
from station.labels.script import builtin_text, visual

SUPPORTED_DPI = (203, 300)
MAX_WIDTH_MM = 110.0  # wider than any 4-inch printhead; A4 is a sheet, not a roll
_SAFE_BYTES = frozenset(range(0x20, 0x7F)) - frozenset(b"_^~\\")
_DIGIT_RUN = re.compile(r"\d+")
UNICODE_FONT_ALIAS = "J"  # the ^CW letter the printer's Unicode font is loaded under
# A font file on the printer: drive letter, 8.3-style name, a TrueType extension.
UNICODE_FONT = re.compile(r"[A-Z]:[A-Z0-9_-]{1,16}\.(?:TTF|TTE)", re.IGNORECASE)
# Byte-mode capacity of QR versions 1..20 at error correction level M.
_QR_CAPACITY_M = (14, 26, 42, 62, 84, 106, 122, 152, 180, 213,
                  251, 287, 331, 362, 412, 450, 504, 560, 624, 666)  # fmt: skip


def render_zpl(
    layout: LabelLayout,
    *,
    dpi: int = 203,
    size: LabelSize = SIZE_4X6,
    unicode_font: str | None = None,
) -> bytes:
    """Render one label as a ``^XA`` … ``^XZ`` ZPL format for a ``dpi`` printer.

    ``unicode_font`` is the printer's Unicode font file (``E:ANMDJ.TTF``); without one,
    text font 0 cannot draw is transliterated.
    """
    if unicode_font is not None and not UNICODE_FONT.fullmatch(unicode_font):
        raise LabelError(f"{unicode_font!r} is not a printer font file such as E:ANMDJ.TTF")
    if dpi not in SUPPORTED_DPI:
        raise LabelError(f"ZPL labels are made for 203 or 300 dpi printers, not {dpi}")
    if size.width_mm > MAX_WIDTH_MM:
        raise LabelError(f"{size.name} is a sheet size; ZPL needs a label size")
    plan = plan_label(layout, size)

    def dots(mm: float) -> int:
        return round(mm * dpi / 25.4)

    out = ["^XA", "^CI28", f"^PW{dots(plan.width)}", f"^LL{dots(plan.height)}", "^LH0,0"]
    if unicode_font:
        out.append(f"^CW{UNICODE_FONT_ALIAS},{unicode_font.upper()}")
    font = UNICODE_FONT_ALIAS if unicode_font else "0"
    shown = visual if unicode_font else builtin_text
    for rule in plan.rules:
        t = max(1, dots(rule.thickness))
        out.append(f"^FO{dots(rule.x)},{dots(rule.y)}^GB{dots(rule.width)},{t},{t}^FS")
    for line in plan.texts:
        h = dots(line.size)
        text = escape_field(shown(line.text))
        out.append(f"^FO{dots(line.x)},{dots(line.y)}^A{font}N,{h},{h}^FH_^FD{text}^FS")
    out.append(_barcode(plan.barcode, dpi))
    if plan.qr is not None:
        out.append(_qr(plan.qr, dpi))
    out.append("^XZ")
    return ("\n".join(out) + "\n").encode("ascii")


def escape_field(text: str) -> str:
    """Hex-escape text for a ``^FH_`` field: only safe printable ASCII stays as is."""
    data = text.encode("utf-8", errors="replace")
    return "".join(chr(b) if b in _SAFE_BYTES else f"_{b:02X}" for b in data)


def code128_data(value: str) -> tuple[str, int]:
    """``^BC`` field data with explicit subsets B/C, and the symbol's width in modules.

    Digit runs long enough to save space use subset C. ``>`` starts an invocation code
    in ``^BC`` data, so a ``>`` in the value is written ``>0`` (code value 30); ``><``
    would be code value 62, which is ``^`` (ZPL II guide, ^BC, "Code 128 Invocation
    Characters"). ``^`` and ``~`` need no code: ``^FH`` hex-escapes them.
    """
    segments = _segments(value)
    parts: list[str] = []
    symbols = 0
    for i, (subset, chunk) in enumerate(segments):
        if i == 0:
            parts.append(">;" if subset == "C" else ">:")
        else:
            parts.append(">5" if subset == "C" else ">6")
            symbols += 1
        if subset == "C":
            parts.append(chunk)
            symbols += len(chunk) // 2
        else:
            parts.append(chunk.replace(">", ">0"))
            symbols += len(chunk)
    # start + data + check digit are 11 modules each; the stop pattern is 13
    return "".join(parts), 11 * (symbols + 2) + 13


def _segments(value: str) -> list[tuple[str, str]]:
    """Split ``value`` into subset B and subset C (even digit run) chunks."""
    if value.isdigit() and len(value) % 2 == 0:
        return [("C", value)]
    segments: list[tuple[str, str]] = []
    b_start = 0
    for match in _DIGIT_RUN.finditer(value):
        start, end = match.span()
        at_edge = start == 0 or end == len(value)
        if end - start < (4 if at_edge else 6):
            continue
        if (end - start) % 2:
            start += 1  # the odd digit stays in subset B
        if start > b_start:
            segments.append(("B", value[b_start:start]))
        segments.append(("C", value[start:end]))
        b_start = end
    if b_start < len(value):
        segments.append(("B", value[b_start:]))
    return segments


def _barcode(box: BarcodeBox, dpi: int) -> str:
    """A Code 128 centred in ``box`` with the widest bars that fit, quiet zones included."""
    data, modules = code128_data(box.value)
    box_dots = round(box.width * dpi / 25.4)
    module = min(round(MODULE_MM * dpi / 25.4), box_dots // (modules + 2 * QUIET_MODULES))
    if module < 1:
        raise LabelError(f"ticket {box.value!r} is too long for a Code 128 on this label")
    x = round(box.x * dpi / 25.4) + (box_dots - modules * module) // 2
    y = round(box.y * dpi / 25.4)
    height = round(box.height * dpi / 25.4)
    return f"^FO{x},{y}^BY{module}^BCN,{height},N,N,N,N^FH_^FD{escape_field(data)}^FS"


def qr_modules(value: str) -> int:
    """Modules across a byte-mode QR code of ``value`` at error correction M."""
    size = len(value.encode("utf-8"))
    for version, capacity in enumerate(_QR_CAPACITY_M, start=1):
        if size <= capacity:
            return 17 + 4 * version
    raise LabelError(f"tracking URL is {size} bytes; a label QR code holds at most 666")


def _qr(box: QrBox, dpi: int) -> str:
    """A QR code (error correction M) as large as fits ``box``."""
    box_dots = round(box.size * dpi / 25.4)
    magnification = max(1, min(10, box_dots // qr_modules(box.value)))
    x, y = round(box.x * dpi / 25.4), round(box.y * dpi / 25.4)
    return f"^FO{x},{y}^BQN,2,{magnification}^FH_^FDMA,{escape_field(box.value)}^FS"
