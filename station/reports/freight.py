"""Freight: what the carriers cost against what was charged on, per carrier and cost centre.

The consignments counted are the dispatches of ``station.reports.dispatches``; amounts
in different currencies are never added together (each currency is its own line).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from station.models import Consignment, ConsignmentParcel, CostCentre
from station.reports.dispatches import dispatched
from station.reports.period import ReportQuery
from station.shipping.manifests import carrier_name

ZERO = Decimal("0.00")
NO_COST_CENTRE = "(no cost centre)"


@dataclass(frozen=True, slots=True)
class FreightLine:
    """The freight of one carrier or cost centre in one currency."""

    label: str
    currency: str
    consignments: int
    parcels: int
    cost: Decimal
    charged: Decimal

    @property
    def markup(self) -> Decimal:
        """What was charged above the carrier's cost (negative when charged below it)."""
        return self.charged - self.cost


def freight_per_carrier(session: Session, query: ReportQuery) -> list[FreightLine]:
    """Cost, charge and markup per carrier, the largest cost first."""
    rows = session.execute(
        _sums(Consignment.carrier)
        .where(*dispatched(query))
        .group_by(Consignment.carrier, Consignment.currency)
    )
    names: dict[str, str] = {}
    lines = [
        _line(names.setdefault(code, carrier_name(session, code)), *sums) for code, *sums in rows
    ]
    return _largest_first(lines)


def freight_per_cost_centre(session: Session, query: ReportQuery) -> list[FreightLine]:
    """Cost, charge and markup per cost centre, the largest cost first."""
    rows = session.execute(
        _sums(CostCentre.name)
        .outerjoin(CostCentre, CostCentre.id == Consignment.cost_centre_id)
        .where(*dispatched(query))
        .group_by(Consignment.cost_centre_id, CostCentre.name, Consignment.currency)
    )
    return _largest_first([_line(name or NO_COST_CENTRE, *sums) for name, *sums in rows])


def totals(lines: list[FreightLine]) -> list[FreightLine]:
    """All of ``lines`` added up, one line per currency."""
    by_currency: dict[str, FreightLine] = {}
    for line in lines:
        seen = by_currency.get(line.currency)
        by_currency[line.currency] = FreightLine(
            "Total",
            line.currency,
            line.consignments + (seen.consignments if seen else 0),
            line.parcels + (seen.parcels if seen else 0),
            line.cost + (seen.cost if seen else ZERO),
            line.charged + (seen.charged if seen else ZERO),
        )
    return sorted(by_currency.values(), key=lambda line: line.currency)


Sums = tuple[str, str, int, int | None, Decimal | None, Decimal | None]


def _sums(label: InstrumentedAttribute[str]) -> Select[Sums]:
    """Label, currency, consignments, parcels, cost and charge: grouped by label and currency."""
    parcels = (
        select(ConsignmentParcel.consignment_id, func.count().label("parcels"))
        .group_by(ConsignmentParcel.consignment_id)
        .subquery()
    )
    return (
        select(
            label,
            Consignment.currency,
            func.count(Consignment.id),
            func.sum(func.coalesce(parcels.c.parcels, 0)),
            func.sum(Consignment.cost),
            func.sum(Consignment.charged),
        )
        .select_from(Consignment)
        .outerjoin(parcels, parcels.c.consignment_id == Consignment.id)
    )


def _line(
    label: str,
    currency: str,
    count: int,
    parcels: int | None,
    cost: Decimal | None,
    charged: Decimal | None,
) -> FreightLine:
    return FreightLine(
        label, currency, int(count), int(parcels or 0), _money(cost), _money(charged)
    )


def _money(value: Decimal | None) -> Decimal:
    """A database sum as money: two decimals, 0.00 when there was nothing to add."""
    return Decimal(str(value or 0)).quantize(ZERO)


def _largest_first(lines: list[FreightLine]) -> list[FreightLine]:
    return sorted(lines, key=lambda line: (-line.cost, line.label, line.currency))
