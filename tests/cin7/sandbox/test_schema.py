"""Field names and dates as Cin7 reads and writes them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from station.cin7.sandbox.schema import (
    ORDER_FIELDS,
    canonical_key,
    cin7_now,
    field_value,
    format_date,
    is_date_field,
    parse_date,
)


@pytest.mark.parametrize(
    "text",
    [
        "2026-05-01T03:04:05Z",
        "2026-05-01T15:04:05+12:00",
        "2026-04-30T23:04:05-04:00",
        "2026-05-01T03:04:05",
        "2026-05-01T03:04:05.000Z",
    ],
)
def test_dates_in_any_zone_read_as_the_same_utc_instant(text: str) -> None:
    assert parse_date(text) == datetime(2026, 5, 1, 3, 4, 5, tzinfo=UTC)


def test_dates_are_written_in_utc_whole_seconds_with_z() -> None:
    assert format_date(parse_date("2026-05-01T15:04:05.9+12:00")) == "2026-05-01T03:04:05Z"
    assert cin7_now(lambda: 1_777_777_777.75) == "2026-05-03T03:09:37Z"


@pytest.mark.parametrize(
    ("key", "expected"), [("TrackingCode", "trackingCode"), ("ID", "id"), ("nope", None)]
)
def test_keys_match_known_fields_in_any_case(key: str, expected: str | None) -> None:
    assert canonical_key(key, ORDER_FIELDS) == expected


def test_field_values_are_found_in_any_case() -> None:
    record = {"modifiedDate": "x", "id": 7}
    assert (field_value(record, "MODIFIEDDATE"), field_value(record, "id")) == ("x", 7)
    assert field_value(record, "missing") is None


@pytest.mark.parametrize(
    ("name", "expected"), [("dispatchedDate", True), ("ModifiedDate", True), ("stage", False)]
)
def test_date_fields_are_those_ending_in_date(name: str, expected: bool) -> None:
    assert is_date_field(name) is expected
