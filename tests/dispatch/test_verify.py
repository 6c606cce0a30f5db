"""Counting scanned items against an order's lines, before the bench lets it ship."""

from __future__ import annotations

from decimal import Decimal

import pytest

from station.dispatch.verify import (
    ItemCheck,
    ItemsMissing,
    OrderItem,
    TooManyItems,
    WrongItem,
    count_scan,
    require_complete,
    start_check,
)


def tee_and_mug() -> ItemCheck:
    return start_check(
        "SO-1",
        [
            OrderItem(1, "TEE-BLK-M", "Tee", Decimal(2), barcodes=("9400000000017",)),
            OrderItem(2, "MUG", "Mug", Decimal(1)),
        ],
    )


def scan_all(check: ItemCheck, *codes: str) -> ItemCheck:
    for code in codes:
        check = count_scan(check, code).check
    return check


def counts(check: ItemCheck) -> list[tuple[str, int, int]]:
    return [(line.label, line.counted, line.wanted) for line in check.lines]


class TestCounting:
    def test_a_new_check_has_nothing_scanned(self) -> None:
        check = tee_and_mug()

        assert counts(check) == [("TEE-BLK-M", 0, 2), ("MUG", 0, 1)]
        assert not check.complete
        assert check.missing() == ["TEE-BLK-M (2 of 2)", "MUG (1 of 1)"]

    def test_sku_and_barcode_both_count_for_their_line(self) -> None:
        counted = count_scan(count_scan(tee_and_mug(), "TEE-BLK-M").check, "9400000000017")

        assert counted.line.label == "TEE-BLK-M" and counted.line.counted == 2
        assert counts(counted.check) == [("TEE-BLK-M", 2, 2), ("MUG", 0, 1)]

    def test_case_and_spaces_do_not_matter(self) -> None:
        check = scan_all(tee_and_mug(), " tee-blk-m ", "mug")

        assert counts(check) == [("TEE-BLK-M", 1, 2), ("MUG", 1, 1)]

    def test_every_unit_scanned_completes_the_check(self) -> None:
        check = scan_all(tee_and_mug(), "MUG", "TEE-BLK-M", "TEE-BLK-M")

        assert check.complete and check.missing() == []
        require_complete(check)  # does not raise

    def test_a_code_on_two_lines_fills_the_first_then_the_next(self) -> None:
        check = start_check(
            "SO-2",
            [OrderItem(1, "CAP", "Cap", Decimal(1)), OrderItem(2, "CAP", "Cap (gift)", Decimal(1))],
        )

        check = scan_all(check, "CAP", "CAP")

        assert counts(check) == [("CAP", 1, 1), ("CAP", 1, 1)] and check.complete


class TestRefusals:
    def test_a_code_not_on_the_order_is_refused_and_not_counted(self) -> None:
        check = tee_and_mug()

        with pytest.raises(WrongItem) as caught:
            count_scan(check, "HAT-RED")

        assert str(caught.value) == (
            "'HAT-RED' is not on SO-1: take it out of the parcel (it was not counted)."
        )
        assert check.counts() == {}

    def test_an_empty_scan_matches_nothing(self) -> None:
        with pytest.raises(WrongItem):
            count_scan(tee_and_mug(), "   ")

    def test_one_too_many_is_refused(self) -> None:
        check = scan_all(tee_and_mug(), "MUG")

        with pytest.raises(TooManyItems, match="Too many MUG: all 1 are already scanned"):
            count_scan(check, "MUG")

    def test_shipping_before_everything_is_scanned_lists_what_is_missing(self) -> None:
        check = scan_all(tee_and_mug(), "TEE-BLK-M")

        with pytest.raises(ItemsMissing) as caught:
            require_complete(check)

        assert str(caught.value) == (
            "SO-1 cannot ship yet: still to scan TEE-BLK-M (1 of 2), MUG (1 of 1)."
        )


class TestLinesThatCannotBeCounted:
    def test_a_fractional_quantity_needs_one_scan(self) -> None:
        check = start_check("SO-3", [OrderItem(1, "ROPE", "Rope (m)", Decimal("2.5"))])

        assert counts(scan_all(check, "ROPE")) == [("ROPE", 1, 1)]

    def test_a_line_with_no_code_is_shown_but_does_not_block(self) -> None:
        check = start_check(
            "SO-4",
            [OrderItem(1, "", "Gift note", Decimal(1)), OrderItem(2, "MUG", "Mug", Decimal(1))],
        )

        assert [line.label for line in check.lines] == ["Gift note", "MUG"]
        assert scan_all(check, "MUG").complete

    def test_lines_with_nothing_to_pack_are_left_out(self) -> None:
        check = start_check("SO-5", [OrderItem(1, "MUG", "Mug", Decimal(0))])

        assert check.lines == () and check.complete


class TestKeepingCountsBetweenScans:
    def test_counts_round_trip(self) -> None:
        check = scan_all(tee_and_mug(), "TEE-BLK-M", "MUG")

        again = tee_and_mug().with_counts(check.counts())

        assert again == check

    def test_stale_counts_are_kept_within_each_line(self) -> None:
        check = tee_and_mug().with_counts({1: 9, 2: -3, 99: 1})

        assert counts(check) == [("TEE-BLK-M", 2, 2), ("MUG", 0, 1)]
