"""The bench's parcel rows read into a consignment's parcels, and what N parcels owe Cin7."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from station.carriers.base import Parcel
from station.dispatch.options import FreightPush, TrackingField
from station.dispatch.parcels import (
    MAX_PARCELS,
    ParcelRow,
    ParcelsInvalid,
    build_parcels,
    parcel_rows,
    parse_dimensions,
)
from station.models import PackagePreset
from tests.builders import add_order, ship

THREE = (Parcel(1200), Parcel(4000), Parcel(800))


def carton(session: Session) -> PackagePreset:
    preset = PackagePreset(
        name="Carton", length_mm=400, width_mm=300, height_mm=300, tare_grams=900
    )
    session.add(preset)
    session.flush()
    return preset


class TestRows:
    def test_repeated_fields_make_rows_in_order_and_a_missing_field_is_blank(self) -> None:
        assert parcel_rows(["1.2", "4", ""], [7, None], ["", "40x30x20"]) == [
            ParcelRow("1.2", 7, ""),
            ParcelRow("4", None, "40x30x20"),
            ParcelRow("", None, ""),
        ]

    def test_no_fields_no_rows(self) -> None:
        assert parcel_rows([], [], []) == []


class TestBuild:
    def test_each_row_is_a_parcel_with_its_own_preset_or_size(self, ctx: Session) -> None:
        preset = carton(ctx)

        parcels = build_parcels(
            ctx,
            [ParcelRow("2", preset.id), ParcelRow("1500 g", None, "60x40x20"), ParcelRow("0.4")],
        )

        assert parcels == (
            Parcel(2000, 400, 300, 300, "Carton"),
            Parcel(1500, 600, 400, 200),
            Parcel(400),
        )

    def test_one_row_reads_as_it_always_did(self, ctx: Session) -> None:
        with pytest.raises(ParcelsInvalid, match=r"^Type the weight in kg") as refused:
            build_parcels(ctx, [ParcelRow("abc")])
        assert refused.value.row == 1

    @pytest.mark.parametrize(
        ("rows", "row", "message"),
        [
            (["1", ""], 2, "Parcel 2 has no weight: type it, or press Backspace"),
            (["1", "0", "2"], 2, "Parcel 2: The weight must be above 0"),
            (["1", "2", "-1"], 3, "Parcel 3: The weight must be above 0"),
        ],
    )
    def test_a_bad_row_is_named(
        self, ctx: Session, rows: list[str], row: int, message: str
    ) -> None:
        with pytest.raises(ParcelsInvalid, match=message) as refused:
            build_parcels(ctx, [ParcelRow(w) for w in rows])
        assert refused.value.row == row

    def test_a_parcel_lighter_than_its_empty_box_is_named(self, ctx: Session) -> None:
        preset = carton(ctx)

        with pytest.raises(ParcelsInvalid, match=r"Parcel 2: Gross weight 0.3 kg is less than"):
            build_parcels(ctx, [ParcelRow("1"), ParcelRow("0.3", preset.id)])

    def test_a_package_no_longer_offered_is_refused(self, ctx: Session) -> None:
        with pytest.raises(
            ParcelsInvalid, match="That package is no longer offered; choose another"
        ):
            build_parcels(ctx, [ParcelRow("1", 999)])

    def test_a_weight_no_parcel_can_have_says_how_many_parcels_it_needs(self, ctx: Session) -> None:
        with pytest.raises(ParcelsInvalid, match=r"split it into parcels\. Press \+") as refused:
            build_parcels(ctx, [ParcelRow("150")])
        assert refused.value.split_into == 3

    def test_at_most_twenty_parcels(self, ctx: Session) -> None:
        assert len(build_parcels(ctx, [ParcelRow("1")] * MAX_PARCELS)) == MAX_PARCELS
        with pytest.raises(ParcelsInvalid, match=f"at most {MAX_PARCELS} parcels \\(21 typed\\)"):
            build_parcels(ctx, [ParcelRow("1")] * (MAX_PARCELS + 1))

    def test_no_rows_asks_for_a_weight(self, ctx: Session) -> None:
        with pytest.raises(ParcelsInvalid, match="Type the weight"):
            build_parcels(ctx, [])


class TestDimensions:
    @pytest.mark.parametrize(
        ("text", "sides"),
        [
            ("40x30x20", (400, 300, 200)),
            (" 40 × 30 × 2,5 cm ", (400, 300, 25)),
            ("400*300*200 mm", (400, 300, 200)),
            ("", None),
        ],
    )
    def test_sizes_in_cm_or_mm(self, text: str, sides: tuple[int, int, int] | None) -> None:
        assert parse_dimensions(text) == sides

    @pytest.mark.parametrize("text", ["40x30", "big", "0x30x20", "400x30x20", "1e3x1x1"])
    def test_what_is_not_a_size_is_refused_with_an_example(self, text: str) -> None:
        with pytest.raises(ValueError, match=r"40x30x20|at most 300 cm"):
            parse_dimensions(text)


class TestWritebacks:
    def test_three_parcels_one_dispatched_update_with_every_ticket_and_the_total_freight(
        self, ctx: Session
    ) -> None:
        order = add_order(ctx)

        shipped = ship(ctx, order, req={"parcels": THREE}, freight_push=FreightPush.COST)

        consignment = shipped.consignment
        dispatched, freight = shipped.writebacks
        assert len(consignment.tickets) == 3 and len(shipped.jobs) == 3
        assert dispatched.payload["trackingCode"] == consignment.tracking_url
        assert consignment.tracking_url.endswith(consignment.tickets[0])
        assert dispatched.payload["internalComments"] == (
            f"Leave at the door\nTickets (3 parcels): {', '.join(consignment.tickets)}"
        )
        singles = [
            ship(ctx, add_order(ctx, cin7_id=6000 + i), key=f"bench-x-{i}", req={"parcels": (p,)})
            for i, p in enumerate(THREE)
        ]
        assert freight.payload["freightTotal"] == float(sum(s.consignment.cost for s in singles))

    def test_with_the_ticket_in_tracking_code_the_url_and_every_ticket_go_to_comments(
        self, ctx: Session
    ) -> None:
        order = add_order(ctx, internal_comments=None)

        shipped = ship(ctx, order, req={"parcels": THREE}, tracking_field=TrackingField.TICKET)

        consignment = shipped.consignment
        payload = shipped.writebacks[0].payload
        assert payload["trackingCode"] == consignment.tickets[0]
        assert payload["internalComments"] == (
            f"Tracking: {consignment.tracking_url}\n"
            f"Tickets (3 parcels): {', '.join(consignment.tickets)}"
        )

    def test_one_parcel_adds_no_ticket_list(self, ctx: Session) -> None:
        shipped = ship(ctx, add_order(ctx))

        assert "internalComments" not in shipped.writebacks[0].payload

    def test_labels_are_queued_in_parcel_order(self, ctx: Session) -> None:
        shipped = ship(ctx, add_order(ctx), req={"parcels": THREE})

        assert [job.description for job in shipped.jobs] == [
            f"SO-5001 Parcel {i} of 3 ({t})" for i, t in enumerate(shipped.consignment.tickets, 1)
        ]
        assert [job.id for job in shipped.jobs] == sorted(job.id for job in shipped.jobs)
