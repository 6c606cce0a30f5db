"""Report tables as CSV files that are safe to open in a spreadsheet (see ``station.csvcells``)."""

from __future__ import annotations

import csv
import io

from station.csvcells import safe_cell
from station.reports.tables import Table

__all__ = ["safe_cell", "to_csv"]


def to_csv(table: Table) -> str:
    """The table with a heading row, as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(safe_cell(column.title) for column in table.columns)
    for row in table.rows:
        writer.writerow(safe_cell(cell) for cell in row)
    return out.getvalue()
