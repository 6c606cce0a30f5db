"""The reports page in one value: headline figures, each table with its chart.

UnknownReport (a StationError) — no report has the name asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from station.dispatch.checks import ShipRules
from station.errors import StationError
from station.listing import Paging
from station.models import User
from station.reports import blocked, svg
from station.reports.dispatches import Tally
from station.reports.freight import FreightLine, totals
from station.reports.period import ReportQuery
from station.reports.sources import Sources
from station.reports.tables import TABLES, Table, blocked_rows_table
from station.shipping.consignments import known_carriers

DISPATCH_TABLES = (
    "daily",
    "hourly",
    "packers",
    "services",
    "freight-carriers",
    "freight-cost-centres",
)
BLOCKED_ORDERS_PER_PAGE = 50


class UnknownReport(StationError):
    """No report is called that."""


@dataclass(frozen=True, slots=True)
class Section:
    """One table and, where it helps, its chart; a long table comes a page at a time."""

    table: Table
    chart: Markup | None
    paging: Paging | None = None


@dataclass(frozen=True, slots=True)
class Overview:
    """Everything the reports page shows for one query."""

    query: ReportQuery
    dispatch_count: int
    freight_totals: list[FreightLine]
    sections: list[Section]  # empty when nothing was dispatched in the period
    blocked: list[Section]
    blocked_orders: int  # orders failing at least one check


@dataclass(frozen=True, slots=True)
class Choices:
    """What the report's filters offer: carriers by code and name, and the packers."""

    carriers: list[tuple[str, str]]
    packers: list[User]


def _counts(tallies: list[Tally]) -> list[tuple[str, int]]:
    return [(tally.label, tally.count) for tally in tallies]


def _freight_chart(lines: list[FreightLine], *, title: str, heading: str) -> Markup:
    """Carrier cost beside the amount charged, per line (one bar pair per currency)."""
    return svg.grouped_bar_chart(
        [f"{line.label} ({line.currency})" for line in lines],
        [
            ("Carrier cost", [line.cost for line in lines]),
            ("Charged", [line.charged for line in lines]),
        ],
        title=title,
        axes=svg.Axes(x=heading, y="Amount"),
    )


DISPATCHES = "Dispatches"
CHARTS: dict[str, Callable[[Sources], Markup]] = {
    "daily": lambda s: svg.line_chart(
        _counts(s.per_day),
        title="Dispatches per day",
        axes=svg.Axes(x="Day", y=DISPATCHES),
        tick=lambda day: day[5:],
    ),
    "hourly": lambda s: svg.bar_chart(
        _counts(s.per_hour),
        title="Dispatches per hour of the day",
        axes=svg.Axes(x="Hour of the day", y=DISPATCHES),
        tick=lambda hour: hour[:2],
    ),
    "packers": lambda s: svg.bar_chart(
        _counts(s.per_packer),
        title="Dispatches per packer",
        axes=svg.Axes(x="Packer", y=DISPATCHES),
    ),
    "services": lambda s: svg.bar_chart(
        _counts(s.per_service),
        title="Dispatches per carrier and service",
        axes=svg.Axes(x="Carrier · service", y=DISPATCHES),
    ),
    "freight-carriers": lambda s: _freight_chart(
        s.freight_per_carrier, title="Carrier cost and charge per carrier", heading="Carrier"
    ),
    "freight-cost-centres": lambda s: _freight_chart(
        s.freight_per_cost_centre,
        title="Carrier cost and charge per cost centre",
        heading="Cost centre",
    ),
    "blocked": lambda s: svg.bar_chart(
        [(c.label, c.count) for c in s.blocked_summary.counts],
        title="Blocked orders by reason",
        axes=svg.Axes(x="Reason", y="Orders"),
    ),
}


def overview(
    session: Session,
    query: ReportQuery,
    *,
    rules: ShipRules,
    blocked_page: int = 1,
    blocked_per_page: int = BLOCKED_ORDERS_PER_PAGE,
) -> Overview:
    """The reports page for ``query``; blocked orders are as of now, whatever the period.

    The blocked orders come ``blocked_per_page`` at a time (page ``blocked_page``); their
    CSV file has them all.
    """
    sources = Sources(session, query, rules=rules)
    count = sources.dispatch_count
    summary = sources.blocked_summary
    rows, paging = blocked.blocked_page(
        session, rules, summary, page=blocked_page, per_page=blocked_per_page
    )
    return Overview(
        query=query,
        dispatch_count=count,
        freight_totals=totals(sources.freight_per_carrier) if count else [],
        sections=[_section(name, sources) for name in DISPATCH_TABLES] if count else [],
        blocked=[_section("blocked", sources), Section(blocked_rows_table(rows), None, paging)],
        blocked_orders=summary.orders,
    )


def filter_choices(session: Session) -> Choices:
    """Every carrier set up or seen on a consignment, and every user, for the filters."""
    users = session.scalars(select(User).order_by(User.username)).all()
    return Choices(known_carriers(session), list(users))


def table_named(session: Session, name: str, query: ReportQuery, *, rules: ShipRules) -> Table:
    """The one table called ``name``; raises ``UnknownReport`` for a name no report has."""
    build = TABLES.get(name)
    if build is None:
        raise UnknownReport(f"There is no report called {name!r}.")
    return build(Sources(session, query, rules=rules))


def _section(name: str, sources: Sources) -> Section:
    table = TABLES[name](sources)
    chart = CHARTS.get(name)
    return Section(table, chart(sources) if chart and table.rows else None)
