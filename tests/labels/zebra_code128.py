"""A Zebra's reading of ``^BC`` field data, drawn as bars: a ZPL barcode we can scan.

``symbol_values`` follows the ZPL II guide's ^BC section ("Code 128 Invocation
Characters", subsets B and C): ``>:``/``>;`` start subset B/C, ``>5``/``>6`` switch to C/B,
``>0`` is code value 30 (">"), ``><`` code value 62 ("^"), ``>=`` code value 94 ("~").
It is written from the guide, not from ``station.labels.zpl``, so the two can disagree.
"""

from __future__ import annotations

import re

import zxingcpp
from PIL import Image, ImageDraw
from reportlab.graphics.barcode.code128 import _patterns

_ESCAPED = re.compile(rb"_([0-9A-Fa-f]{2})")
_INVOKE_VALUES = {"0": 30, "<": 62, "=": 94}
_STARTS = {":": ("B", 104), ";": ("C", 105)}
_SWITCHES = {"5": ("C", 99), "6": ("B", 100)}
STOP = 106


def unescape_fh(data: str) -> str:
    """Field data after ``^FH_``: each ``_XX`` is the byte XX (UTF-8 under ^CI28)."""
    raw = _ESCAPED.sub(lambda m: bytes([int(m[1], 16)]), data.encode("ascii"))
    return raw.decode("utf-8")


def barcode_field(zpl: bytes) -> str:
    """The ``^BC`` field data of a label, as the printer reads it after ``^FH``."""
    match = re.search(rb"\^BC[^\^]*\^FH_\^FD(.*?)\^FS", zpl)
    assert match, "no ^BC field"
    return unescape_fh(match[1].decode("ascii"))


def symbol_values(data: str) -> list[int]:
    """Code 128 code values (start, data, check digit, stop) for ^BC data in mode N."""
    if data[:2] not in (">:", ">;"):
        raise ValueError(f"^BC data must start with >: or >; here, not {data[:2]!r}")
    subset, start = _STARTS[data[1]]
    values, i = [start], 2
    while i < len(data):
        ch = data[i]
        if ch == ">":
            code = data[i + 1]
            if code in _SWITCHES:
                subset, value = _SWITCHES[code]
            elif code in _INVOKE_VALUES and subset == "B":
                value = _INVOKE_VALUES[code]
            else:
                raise ValueError(f"invocation >{code} is not handled here")
            values.append(value)
            i += 2
        elif subset == "C":
            values.append(int(data[i : i + 2]))
            i += 2
        else:
            values.append(ord(ch) - 32)
            i += 1
    check = (values[0] + sum(n * v for n, v in enumerate(values[1:], start=1))) % 103
    return [*values, check, STOP]


def draw(values: list[int], *, module: int = 3, height: int = 120) -> Image.Image:
    """The bars of a symbol, with quiet zones, as a 1-bit image."""
    widths = [ord(c.lower()) - ord("a") + 1 for v in values for c in _patterns[v]]
    quiet = 10 * module
    image = Image.new("L", (sum(widths) * module + 2 * quiet, height + 2 * quiet), 255)
    pen, x = ImageDraw.Draw(image), quiet
    for n, width in enumerate(widths):
        if n % 2 == 0:  # patterns alternate bar, space, starting with a bar
            pen.rectangle((x, quiet, x + width * module - 1, quiet + height), fill=0)
        x += width * module
    return image


def scan_zpl_barcode(zpl: bytes) -> str:
    """What a scanner reads from the Code 128 a Zebra prints for this label."""
    [result] = zxingcpp.read_barcodes(draw(symbol_values(barcode_field(zpl))))
    assert result.format.name == "Code128"
    return result.text
