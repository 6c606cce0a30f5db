"""Cut-off times per carrier and the warning the bench shows before them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from station.extensions import db
from station.models import Consignment, ConsignmentParcel, ConsignmentState
from station.settings import settings_store
from station.shipping.booking import book_consignment
from station.shipping.carriers import own_label
from station.shipping.cutoffs import (
    Cutoff,
    CutoffInvalid,
    closeout_board,
    closeout_warning,
    cutoff_for,
    parse_cutoff,
    save_cutoff,
    zone_named,
)
from station.shipping.manifests import close_out
from tests.carriers.samples import shipment

AUCKLAND = ZoneInfo("Pacific/Auckland")
CUTOFF = Cutoff(time(16, 30), AUCKLAND)


def auckland(hour: int, minute: int, day: int = 1) -> datetime:
    """A moment on May ``day`` 2024 in Auckland (NZST, UTC+12), as UTC."""
    return datetime(2024, 5, day, hour, minute, tzinfo=AUCKLAND).astimezone(UTC)


@pytest.fixture
def ctx(app: Flask) -> Iterator[Session]:
    with app.app_context():
        yield db.session


def book(session: Session, *keys: str) -> None:
    for key in keys:
        book_consignment(session, own_label(session), shipment(1000), key=key)
    session.commit()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("16:30", time(16, 30)),
        ("9:05", time(9, 5)),
        (" 00:00 ", time(0, 0)),
        ("23:59", time(23, 59)),
    ],
)
def test_a_cut_off_is_a_time_of_day(typed: str, expected: time) -> None:
    assert parse_cutoff(typed) == expected


@pytest.mark.parametrize("typed", ["24:00", "16:60", "1630", "", "4pm", "16:30:00", "-1:30"])
def test_anything_else_is_refused_with_an_example(typed: str) -> None:
    with pytest.raises(CutoffInvalid, match=r"is not a time of day; enter HH:MM, e\.g\. 16:30"):
        parse_cutoff(typed)


def test_a_cut_off_is_kept_per_carrier_in_settings(ctx: Session) -> None:
    store = settings_store(ctx)

    save_cutoff(store, "ownlabel", "9:05")
    ctx.commit()

    assert store.get("carrier.ownlabel.cutoff") == "09:05"
    assert cutoff_for(store, "ownlabel", tz=AUCKLAND) == Cutoff(time(9, 5), AUCKLAND)
    assert cutoff_for(store, "othercarrier", tz=AUCKLAND) is None
    save_cutoff(store, "ownlabel", " ")
    assert cutoff_for(store, "ownlabel", tz=AUCKLAND) is None


def test_the_time_zone_defaults_to_auckland_and_must_exist() -> None:
    assert zone_named(None) == AUCKLAND and zone_named("") == AUCKLAND
    assert zone_named("Australia/Sydney") == ZoneInfo("Australia/Sydney")
    with pytest.raises(CutoffInvalid, match="'Mars/Olympus' is unknown"):
        zone_named("Mars/Olympus")


class TestCloseoutWarning:
    def test_no_warning_until_half_an_hour_before_the_cut_off(self, ctx: Session) -> None:
        book(ctx, "a", "b")

        assert closeout_warning(ctx, "ownlabel", auckland(15, 59), cutoff=CUTOFF) is None
        assert closeout_warning(ctx, "ownlabel", auckland(16, 0), cutoff=CUTOFF) == (
            "2 consignments for Own label are not manifested; cut-off 16:30 NZST"
        )

    def test_after_the_cut_off_it_says_so(self, ctx: Session) -> None:
        book(ctx, "a")

        assert closeout_warning(ctx, "ownlabel", auckland(16, 30), cutoff=CUTOFF) == (
            "1 consignment for Own label is not manifested; cut-off 16:30 NZST has passed"
        )
        assert closeout_warning(ctx, "ownlabel", auckland(23, 59), cutoff=CUTOFF) is not None

    def test_a_new_day_starts_without_a_warning(self, ctx: Session) -> None:
        book(ctx, "a")

        assert closeout_warning(ctx, "ownlabel", auckland(8, 0, day=2), cutoff=CUTOFF) is None

    def test_no_warning_once_closed_out_or_without_a_cut_off(self, ctx: Session) -> None:
        book(ctx, "a")
        assert closeout_warning(ctx, "ownlabel", auckland(16, 45), cutoff=None) is None

        close_out(ctx, "ownlabel", user=None, now=auckland(16, 40))

        assert closeout_warning(ctx, "ownlabel", auckland(16, 45), cutoff=CUTOFF) is None

    def test_the_cut_off_is_local_time_across_daylight_saving(self, ctx: Session) -> None:
        book(ctx, "a")
        summer = datetime(2024, 12, 2, 3, 10, tzinfo=UTC)  # 16:10 NZDT (UTC+13)

        assert closeout_warning(ctx, "ownlabel", summer, cutoff=CUTOFF) == (
            "1 consignment for Own label is not manifested; cut-off 16:30 NZDT"
        )


def test_the_board_shows_every_carrier_with_its_waiting_count_and_warning(ctx: Session) -> None:
    book(ctx, "a", "b")
    close_out(ctx, "ownlabel", user=None, now=auckland(12, 0))
    book(ctx, "c")
    ctx.add(
        Consignment(
            idempotency_key="other",
            state=ConsignmentState.CREATED,
            carrier="othercarrier",
            service_code="STD",
            reference="SO-9",
            shipment={},
            parcels=[ConsignmentParcel(position=1, weight_grams=700, ticket="OC1")],
        )
    )
    store = settings_store(ctx)
    save_cutoff(store, "ownlabel", "16:30")
    ctx.commit()

    board = closeout_board(ctx, store, now=auckland(16, 10), tz=AUCKLAND)

    assert [(c.code, c.name, c.waiting) for c in board] == [
        ("ownlabel", "Own label", 1),
        ("othercarrier", "othercarrier", 1),
    ]
    own, other = board
    assert own.warning == "1 consignment for Own label is not manifested; cut-off 16:30 NZST"
    assert [m.number for m in own.manifests] == ["OWNLABEL-000001"]
    assert other.cutoff is None and other.warning is None and other.manifests == ()
