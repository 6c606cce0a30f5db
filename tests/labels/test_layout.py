"""Label values, text fitting and the shared millimetre plan."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from station.labels import (
    LABEL_SIZES,
    SIZE_4X6,
    SIZE_A4,
    SIZE_A6,
    Address,
    LabelError,
    LabelLayout,
    LabelSize,
    PackingSlip,
    fit_lines,
    size_named,
)
from station.labels.layout import format_qty, format_weight
from station.labels.plan import plan_label


class TestFitLines:
    def test_short_text_is_one_line(self) -> None:
        assert fit_lines("45 Cashel Street", 20, 3) == ("45 Cashel Street",)

    def test_wraps_on_words(self) -> None:
        assert fit_lines("the quick brown fox jumps", 10, 5) == ("the quick", "brown fox", "jumps")

    def test_hard_breaks_a_word_longer_than_a_line(self) -> None:
        assert fit_lines("ab abcdefghijkl", 5, 5) == ("ab", "abcde", "fghij", "kl")

    def test_truncates_the_last_line_with_an_ellipsis(self) -> None:
        assert fit_lines("one two three four five six", 9, 2) == ("one two", "three…")

    def test_ellipsis_replaces_the_last_character_of_a_full_line(self) -> None:
        assert fit_lines("abcdefghij" * 3, 10, 2) == ("abcdefghij", "abcdefghi…")

    def test_line_breaks_start_new_lines_and_blank_lines_vanish(self) -> None:
        assert fit_lines("Flat 3\n\n45 Cashel St\r\n", 20, 5) == ("Flat 3", "45 Cashel St")

    def test_control_characters_become_spaces(self) -> None:
        assert fit_lines("a\x00b\tc\x1bd", 20, 1) == ("a b c d",)

    def test_combining_marks_are_composed(self) -> None:
        assert fit_lines("O\u0304tautahi", 20, 1) == ("Ōtautahi",)

    def test_empty_text_has_no_lines(self) -> None:
        assert fit_lines("  \n ", 10, 2) == ()

    @pytest.mark.parametrize(("max_chars", "max_lines"), [(1, 1), (7, 2), (36, 3), (80, 1)])
    def test_a_300_character_line_never_overflows(self, max_chars: int, max_lines: int) -> None:
        lines = fit_lines("W" * 300, max_chars, max_lines)
        assert len(lines) == max_lines
        assert all(len(line) <= max_chars for line in lines)
        assert lines[-1].endswith("…")

    def test_huge_text_is_cut_early(self) -> None:
        assert fit_lines("x" * 1_000_000, 10, 2) == ("x" * 10, "x" * 9 + "…")

    @pytest.mark.parametrize(("max_chars", "max_lines"), [(0, 1), (5, 0)])
    def test_refuses_an_empty_block(self, max_chars: int, max_lines: int) -> None:
        with pytest.raises(ValueError):
            fit_lines("text", max_chars, max_lines)


class TestLabelLayout:
    def test_collects_every_problem_in_one_error(
        self, make_layout: Callable[..., LabelLayout]
    ) -> None:
        with pytest.raises(LabelError) as error:
            make_layout(ticket="CP1 Ō", parcel_index=3, parcel_count=2, weight_grams=-5)
        message = str(error.value)
        assert "SO-1042" in message
        assert "printable ASCII" in message
        assert "parcel 3 is outside 1..2" in message
        assert "negative" in message

    def test_refuses_an_empty_ticket(self, make_layout: Callable[..., LabelLayout]) -> None:
        with pytest.raises(LabelError, match="ticket is empty"):
            make_layout(ticket="")

    def test_parcel_and_weight_text(self, layout: LabelLayout) -> None:
        assert layout.parcel_text == "Parcel 1 of 2"
        assert layout.weight_text == "1.25 kg"

    def test_locality_skips_missing_parts(self) -> None:
        assert Address("A", city="Nelson", postcode="7010").locality == "Nelson 7010"


@pytest.mark.parametrize(
    ("grams", "text"), [(0, "0 kg"), (500, "0.5 kg"), (1000, "1 kg"), (1234, "1.234 kg")]
)
def test_weights_print_in_kilograms(grams: int, text: str) -> None:
    assert format_weight(grams) == text


@pytest.mark.parametrize(
    ("qty", "text"), [(2, "2"), (Decimal("2.000"), "2"), (Decimal("1.50"), "1.5")]
)
def test_quantities_drop_needless_decimals(qty: Decimal | int, text: str) -> None:
    assert format_qty(qty) == text


def test_sizes_are_found_by_name() -> None:
    assert size_named(" a6 ") == SIZE_A6
    with pytest.raises(LabelError, match="4x6"):
        size_named("letter")


def test_packing_slip_reference_must_scan() -> None:
    with pytest.raises(LabelError, match="printable ASCII"):
        PackingSlip("SO-Ō", Address("A"), (), date(2024, 5, 1))


def _worst_case(layout: LabelLayout) -> LabelLayout:
    long = "Wide " * 80
    receiver = Address(long, long, (long, long, long, long), long, long, long, long, long)
    return dataclasses.replace(
        layout,
        sender=receiver,
        receiver=receiver,
        service=long,
        carrier=long,
        ticket="X" * 30,
        reference=long,
        instructions=long,
    )


@pytest.mark.parametrize("size", [s for s in LABEL_SIZES if s != SIZE_A4], ids=lambda s: s.name)
def test_the_fullest_label_stays_inside_its_blocks(layout: LabelLayout, size: LabelSize) -> None:
    plan = plan_label(_worst_case(layout), size)
    barcode_top = plan.barcode.y
    above = [t for t in plan.texts if t.y < barcode_top]
    for line in plan.texts:
        assert len(line.text) <= line.max_chars
        assert line.x + line.width <= plan.width
        assert line.y + line.size <= plan.height
    # nothing from the address blocks runs into the barcode zone
    assert max(t.y + t.size for t in above) < barcode_top - 1
    assert plan.qr is not None and plan.qr.x + plan.qr.size <= plan.width


def test_a_label_smaller_than_a6_is_refused(layout: LabelLayout) -> None:
    with pytest.raises(LabelError, match="too small"):
        plan_label(layout, LabelSize("tiny", 50.0, 80.0))


def test_qr_space_goes_to_the_service_when_there_is_no_tracking_url(
    make_layout: Callable[..., LabelLayout],
) -> None:
    service = "Overnight Parcel Signature Required"
    with_qr = plan_label(make_layout(service=service), SIZE_4X6)
    without = plan_label(make_layout(service=service, tracking_url=None), SIZE_4X6)
    assert without.qr is None
    assert max(t.width for t in without.texts if t.size == 6.0) > max(
        t.width for t in with_qr.texts if t.size == 6.0
    )
