"""Report tables as CSV files that are safe to open in a spreadsheet.

Text that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) gets a leading apostrophe, so an order reference or
name typed as ``=HYPERLINK(...)`` shows as text instead of running. Numbers are written
as numbers.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from station.reports.tables import Cell, Table

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Cell) -> str:
    """``value`` as CSV text, defused if a spreadsheet would take it for a formula."""
    if isinstance(value, int | Decimal):
        return str(value)
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def to_csv(table: Table) -> str:
    """The table with a heading row, as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(safe_cell(column.title) for column in table.columns)
    for row in table.rows:
        writer.writerow(safe_cell(cell) for cell in row)
    return out.getvalue()
