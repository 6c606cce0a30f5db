"""Dispatch counts per local day, hour, packer and service, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from station.models import ConsignmentState
from station.reports.dispatches import Tally, per_day, per_hour, per_packer, per_service
from tests.reports.samples import november, sent, user


@pytest.fixture
def week(ctx: Session) -> dict[str, int]:
    """Four dispatches in the period and six consignments that must not count."""
    alice = user(ctx, "alice", "Alice Smith")
    bob = user(ctx, "bob")
    sent(ctx, "2026-11-22 12:30", created_by=alice)  # 23 Nov 01:30 in Auckland
    sent(ctx, "2026-11-23 22:15", created_by=alice)  # 24 Nov 11:15
    sent(
        ctx,
        "2026-11-23 22:45",
        created_by=bob,
        carrier="courier",
        service_code="EXP",
        service_name="Express",
    )  # 24 Nov 11:45
    sent(ctx, "2026-11-25 10:59")  # 25 Nov 23:59, nobody recorded (a bulk run)
    sent(ctx, "2026-11-22 10:59", created_by=alice)  # 22 Nov 23:59: the day before
    sent(ctx, "2026-11-26 11:00", created_by=alice)  # 27 Nov 00:00: the day after
    sent(ctx, "2026-11-24 01:00", created_by=alice, state=ConsignmentState.VOIDED)
    sent(ctx, "2026-11-24 01:00", created_by=alice, state=ConsignmentState.FAILED)
    sent(ctx, "2026-11-24 01:00", created_by=alice, state=ConsignmentState.PENDING)
    sent(ctx, "2026-11-24 01:00", created_by=alice, is_return=True)
    ctx.commit()
    return {"alice": alice.id, "bob": bob.id}


def test_dispatches_count_on_the_warehouse_day_and_skip_voided_failed_and_returns(
    ctx: Session, week: dict[str, int]
) -> None:
    assert per_day(ctx, november()) == [
        Tally("2026-11-23", 1),
        Tally("2026-11-24", 2),
        Tally("2026-11-25", 1),
        Tally("2026-11-26", 0),
    ]


def test_dispatches_per_hour_cover_all_24_local_hours(ctx: Session, week: dict[str, int]) -> None:
    hours = per_hour(ctx, november())

    assert [tally.label for tally in hours] == [f"{h:02d}:00" for h in range(24)]
    assert {tally.label: tally.count for tally in hours if tally.count} == {
        "01:00": 1,
        "11:00": 2,
        "23:00": 1,
    }


def test_dispatches_per_packer_name_them_and_count_unrecorded_ones(
    ctx: Session, week: dict[str, int]
) -> None:
    assert per_packer(ctx, november()) == [
        Tally("Alice Smith", 2),
        Tally("(not recorded)", 1),
        Tally("bob", 1),
    ]


def test_dispatches_per_service_name_the_carrier_or_keep_an_unknown_code(
    ctx: Session, week: dict[str, int]
) -> None:
    assert per_service(ctx, november()) == [
        Tally("Own label · Overnight", 3),
        Tally("courier · Express", 1),
    ]


def test_the_carrier_and_packer_filters_narrow_every_count(
    ctx: Session, week: dict[str, int]
) -> None:
    by_courier = november(carrier="courier")
    by_alice = november(packer_id=week["alice"])

    assert [t.count for t in per_day(ctx, by_courier)] == [0, 1, 0, 0]
    assert per_packer(ctx, by_courier) == [Tally("bob", 1)]
    assert [t.count for t in per_day(ctx, by_alice)] == [1, 1, 0, 0]
    assert per_service(ctx, by_alice) == [Tally("Own label · Overnight", 2)]


def test_an_empty_period_counts_zero_every_day_and_lists_nobody(ctx: Session) -> None:
    assert [t.count for t in per_day(ctx, november())] == [0, 0, 0, 0]
    assert per_packer(ctx, november()) == [] and per_service(ctx, november()) == []
