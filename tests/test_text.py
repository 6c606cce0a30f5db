"""The one rule for making outside text storable, and the last net under every statement."""

from __future__ import annotations

from decimal import Decimal

import pytest

from station.text import clean_line, clean_lines, scrub_parameters


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("12 Cuba Street", "12 Cuba Street"),
        ("12\x00 Cuba\x07 Street\x7f", "12 Cuba Street"),
        ("Kōwhai\x1b[31m Gifts", "Kōwhai[31m Gifts"),
        ("line one\r\nline two\rthree\nfour\tfive", "line one line two three four five"),
        ("bad \ud800 half", "bad \ufffd half"),
        ("", ""),
        (None, None),
    ],
)
def test_a_single_line_field_drops_controls_and_turns_breaks_into_spaces(
    given: str | None, kept: str | None
) -> None:
    assert clean_line(given) == kept


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("Leave at the door\nby the gate", "Leave at the door\nby the gate"),
        ("Leave\x00 at\x0b the door\r\nby\tthe gate\r", "Leave at the door\nby\tthe gate\n"),
        ("\x0c\x1f\x7f", ""),
        (None, None),
    ],
)
def test_a_multi_line_field_keeps_tab_and_newline(given: str | None, kept: str | None) -> None:
    assert clean_lines(given) == kept


def test_clean_parameters_come_back_as_they_were() -> None:
    one = {"reference": "SO-1", "total": Decimal("1.50"), "name": "Kōwhai", "id": None}
    many = [("a", 1), ("b", 2)]

    assert scrub_parameters(one) is one
    assert scrub_parameters(many) is many


def test_a_nul_is_dropped_from_parameters_of_any_shape() -> None:
    assert scrub_parameters({"a": "x\x00y", "b": 1}) == {"a": "xy", "b": 1}
    assert scrub_parameters(("x\x00y", 1)) == ("xy", 1)
    assert scrub_parameters([{"a": "\x00"}, {"a": "b"}]) == [{"a": ""}, {"a": "b"}]
    assert scrub_parameters(["x\x00", "y"]) == ["x", "y"]  # one positional set as a list
    assert scrub_parameters({"tags": ["a\x00b"]}) == {"tags": ["ab"]}
    assert scrub_parameters({"a": "half \udc80"}) == {"a": "half \ufffd"}
