"""CSV files of report tables: a heading row, plain numbers, and no formulas let through."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from station.reports.export import safe_cell, to_csv
from station.reports.tables import Column, OrderLink, Table


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+64 21 555", "'+64 21 555"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("SO-1042", "SO-1042"),
        ("a;=1+1", "a;'=1+1"),
        ("Kete; -2+3;@x", "Kete;' -2+3;'@x"),
        ('x;"=cmd', "x;'\"=cmd"),
        ("SO-1;SO-2", "SO-1;SO-2"),
        ("", ""),
        (OrderLink(7, "=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0"),
        (Decimal("-1.20"), "-1.20"),
        (-3, "-3"),
    ],
)
def test_cells_a_spreadsheet_would_run_get_an_apostrophe(value: object, written: str) -> None:
    assert safe_cell(value) == written  # type: ignore[arg-type]


def test_a_table_becomes_csv_with_its_headings_first() -> None:
    table = Table(
        "packers",
        "Dispatches per packer",
        (Column("Packer"), Column("Dispatches", numeric=True)),
        (("Alice, Smith", 2), ("=1+1", 1)),
    )

    text = to_csv(table)

    assert text == 'Packer,Dispatches\r\n"Alice, Smith",2\r\n\'=1+1,1\r\n'
    assert list(csv.reader(io.StringIO(text))) == [
        ["Packer", "Dispatches"],
        ["Alice, Smith", "2"],
        ["'=1+1", "1"],
    ]
