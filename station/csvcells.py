"""CSV cells that are safe to open in a spreadsheet: no text runs as a formula.

Text that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) gets a leading apostrophe, so an order reference or
name typed as ``=HYPERLINK(...)`` shows as text instead of running. Numbers are written
as numbers.

A spreadsheet set to a locale whose list separator is ``;`` splits every line at ``;``,
quotes or not, so ``a;=1+1`` arrives as two cells and the second runs. Each
``;``-separated part is therefore judged on its own (leading spaces and quotes skipped,
as the split leaves them) and defused on its own.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """``value`` (text, a number, anything with a str()) as CSV text, formulas defused."""
    if isinstance(value, int | Decimal):
        return str(value)
    return ";".join(_defused(part) for part in str(value).split(";"))


def _defused(part: str) -> str:
    return f"'{part}" if part.lstrip(' "').startswith(FORMULA_STARTS) else part


def safe_csv(text: str) -> str:
    """CSV ``text`` with every cell defused; the same text when no cell needed it."""
    rows = list(csv.reader(io.StringIO(text)))
    safe = [[safe_cell(cell) for cell in row] for row in rows]
    if safe == rows:
        return text
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(safe)
    return out.getvalue()
