"""Freight cost against charge per carrier and cost centre, to the cent, on both databases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from station.models import ConsignmentState
from station.reports.freight import (
    FreightLine,
    freight_per_carrier,
    freight_per_cost_centre,
    totals,
)
from station.reports.period import Period, ReportQuery
from tests.reports.samples import AUCKLAND, centre, november, sent


def money(text: str) -> Decimal:
    return Decimal(text)


def add_freight(ctx: Session) -> None:
    retail, wholesale = centre(ctx, "Retail"), centre(ctx, "Wholesale")
    sent(ctx, "2026-11-23 01:00", cost=money("10.00"), charged=money("12.00"), cost_centre=retail)
    sent(
        ctx,
        "2026-11-23 02:00",
        cost=money("7.35"),
        charged=money("8.82"),
        cost_centre=retail,
        parcels=3,
    )
    sent(ctx, "2026-11-23 03:00", carrier="courier", cost=money("20.10"), charged=money("20.10"))
    sent(ctx, "2026-11-24 04:00", cost=money("5.55"), charged=money("6.11"), cost_centre=wholesale)
    sent(
        ctx,
        "2026-11-24 05:00",
        cost=money("99.00"),
        charged=money("99.00"),
        state=ConsignmentState.VOIDED,
    )
    ctx.commit()


def test_freight_per_carrier_sums_parcels_cost_charge_and_markup_largest_cost_first(
    ctx: Session,
) -> None:
    add_freight(ctx)

    assert freight_per_carrier(ctx, november()) == [
        FreightLine("Own label", "NZD", 3, 5, money("22.90"), money("26.93")),
        FreightLine("courier", "NZD", 1, 1, money("20.10"), money("20.10")),
    ]
    assert freight_per_carrier(ctx, november())[0].markup == money("4.03")


def test_freight_per_cost_centre_keeps_consignments_without_one(ctx: Session) -> None:
    add_freight(ctx)

    lines = freight_per_cost_centre(ctx, november())

    assert lines == [
        FreightLine("(no cost centre)", "NZD", 1, 1, money("20.10"), money("20.10")),
        FreightLine("Retail", "NZD", 2, 4, money("17.35"), money("20.82")),
        FreightLine("Wholesale", "NZD", 1, 1, money("5.55"), money("6.11")),
    ]
    assert [line.markup for line in lines] == [money("0.00"), money("3.47"), money("0.56")]


def test_freight_in_two_currencies_is_never_added_together(ctx: Session) -> None:
    sent(ctx, "2026-11-23 01:00", cost=money("10.00"), charged=money("11.00"))
    sent(ctx, "2026-11-23 02:00", cost=money("30.00"), charged=money("33.30"), currency="AUD")
    ctx.commit()

    lines = freight_per_carrier(ctx, november())

    assert lines == [
        FreightLine("Own label", "AUD", 1, 1, money("30.00"), money("33.30")),
        FreightLine("Own label", "NZD", 1, 1, money("10.00"), money("11.00")),
    ]
    assert totals(lines) == [
        FreightLine("Total", "AUD", 1, 1, money("30.00"), money("33.30")),
        FreightLine("Total", "NZD", 1, 1, money("10.00"), money("11.00")),
    ]


def test_freight_filters_by_carrier_and_is_empty_for_a_quiet_period(ctx: Session) -> None:
    add_freight(ctx)
    december = ReportQuery(Period(date(2026, 12, 1), date(2026, 12, 14), AUCKLAND))

    assert freight_per_carrier(ctx, november(carrier="courier")) == [
        FreightLine("courier", "NZD", 1, 1, money("20.10"), money("20.10"))
    ]
    assert freight_per_carrier(ctx, december) == []
    assert freight_per_cost_centre(ctx, december) == []
