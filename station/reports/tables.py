"""Each report as a table: the same rows feed the page and its CSV file.

A cell is text, a whole number, money (``Decimal``) or an ``OrderLink`` (a reference
the page links to the order).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from station.reports.blocked import BlockedRow
from station.reports.dispatches import Tally
from station.reports.freight import FreightLine, totals
from station.reports.sources import Sources


@dataclass(frozen=True, slots=True)
class OrderLink:
    """An order's reference, shown as a link to the order's page."""

    order_id: int
    reference: str

    def __str__(self) -> str:
        return self.reference


Cell = str | int | Decimal | OrderLink


@dataclass(frozen=True, slots=True)
class Column:
    """A column heading; numeric columns are right-aligned."""

    title: str
    numeric: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    """One report's rows, named for its CSV file (``/reports/<name>.csv``)."""

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]


def tally_table(name: str, title: str, heading: str, tallies: Sequence[Tally]) -> Table:
    """A count per label."""
    return Table(
        name,
        title,
        (Column(heading), Column("Dispatches", numeric=True)),
        tuple((tally.label, tally.count) for tally in tallies),
    )


def freight_table(name: str, title: str, heading: str, lines: list[FreightLine]) -> Table:
    """Cost, charge and markup per line, with a total per currency."""
    columns = (
        Column(heading),
        Column("Currency"),
        Column("Consignments", numeric=True),
        Column("Parcels", numeric=True),
        Column("Carrier cost", numeric=True),
        Column("Charged", numeric=True),
        Column("Markup earned", numeric=True),
    )
    rows = tuple(
        (
            line.label,
            line.currency,
            line.consignments,
            line.parcels,
            line.cost,
            line.charged,
            line.markup,
        )
        for line in [*lines, *(totals(lines) if lines else [])]
    )
    return Table(name, title, columns, rows)


def blocked_table(sources: Sources) -> Table:
    """How many orders fail each check."""
    return Table(
        "blocked",
        "Blocked orders by reason",
        (Column("Reason"), Column("Orders", numeric=True)),
        tuple((count.label, count.count) for count in sources.blocked_summary.counts),
    )


BLOCKED_ORDER_COLUMNS = (Column("Reason"), Column("Order"), Column("Why"))


def blocked_orders_table(sources: Sources) -> Table:
    """Each blocked order with the reasons it fails a check (all of them: the CSV file)."""
    return blocked_rows_table(
        BlockedRow(group.check, order) for group in sources.blocked for order in group.orders
    )


def blocked_rows_table(rows: Iterable[BlockedRow]) -> Table:
    """Blocked orders as the table shows them: the check, a link to the order, the reasons."""
    return Table(
        "blocked-orders",
        "Blocked orders",
        BLOCKED_ORDER_COLUMNS,
        tuple(
            (
                row.check.value,
                OrderLink(row.order.order_id, row.order.reference),
                "; ".join(row.order.reasons),
            )
            for row in rows
        ),
    )


TABLES: dict[str, Callable[[Sources], Table]] = {
    "daily": lambda s: tally_table("daily", "Dispatches per day", "Day", s.per_day),
    "hourly": lambda s: tally_table("hourly", "Dispatches per hour of the day", "Hour", s.per_hour),
    "packers": lambda s: tally_table("packers", "Dispatches per packer", "Packer", s.per_packer),
    "services": lambda s: tally_table(
        "services", "Dispatches per carrier and service", "Carrier · service", s.per_service
    ),
    "freight-carriers": lambda s: freight_table(
        "freight-carriers", "Freight per carrier", "Carrier", s.freight_per_carrier
    ),
    "freight-cost-centres": lambda s: freight_table(
        "freight-cost-centres",
        "Freight per cost centre",
        "Cost centre",
        s.freight_per_cost_centre,
    ),
    "blocked": blocked_table,
    "blocked-orders": blocked_orders_table,
}
