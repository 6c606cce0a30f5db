"""Cin7 list parameters over plain records: where, order, page, rows and fields."""

from __future__ import annotations

from typing import Any

import pytest

from station.cin7.sandbox.listing import DEFAULT_ROWS, MAX_ROWS, list_records
from station.cin7.sandbox.where import WhereError

RECORDS: list[dict[str, Any]] = [
    {"id": 4, "stage": "New", "branchId": 1, "modifiedDate": "2026-05-01T01:00:00Z"},
    {"id": 1, "stage": "Processing", "branchId": 2, "modifiedDate": "2026-05-01T02:00:00Z"},
    {"id": 3, "stage": "new", "branchId": 2, "modifiedDate": "2026-05-01T02:00:00Z"},
    {"id": 2, "stage": "On Hold", "branchId": 1, "modifiedDate": "2026-05-01T01:00:00Z"},
    {"id": 5, "stage": None, "branchId": 3, "modifiedDate": "2026-05-01T14:30:00+12:00"},
]


def ids(params: dict[str, str], records: list[dict[str, Any]] = RECORDS) -> list[int]:
    return [r["id"] for r in list_records(records, params)]


def numbered(count: int) -> list[dict[str, Any]]:
    return [{"id": i} for i in range(count, 0, -1)]


class TestPaging:
    def test_the_first_page_of_fifty_is_the_default(self) -> None:
        assert ids({}, numbered(60)) == list(range(1, DEFAULT_ROWS + 1))

    def test_pages_are_one_based_and_the_last_is_short_then_empty(self) -> None:
        pages = [ids({"rows": "8", "page": str(p)}, numbered(20)) for p in (1, 2, 3, 4)]
        assert [len(p) for p in pages] == [8, 8, 4, 0]
        assert pages[0] + pages[1] + pages[2] == list(range(1, 21))

    def test_rows_are_capped_at_250(self) -> None:
        assert len(ids({"rows": "1000"}, numbered(300))) == MAX_ROWS == 250
        assert ids({"rows": "1000", "page": "2"}, numbered(300)) == list(range(251, 301))

    @pytest.mark.parametrize(
        "params", [{"page": "-1"}, {"rows": "0"}, {"page": "x"}, {"rows": "-1"}]
    )
    def test_a_page_or_rows_that_is_not_a_positive_number_is_refused(
        self, params: dict[str, str]
    ) -> None:
        with pytest.raises(WhereError):
            list_records(RECORDS, params)

    def test_page_zero_reads_as_page_one(self) -> None:
        assert ids({"rows": "8", "page": "0"}, numbered(20)) == list(range(1, 9))


class TestFields:
    @pytest.mark.parametrize(
        "fields", ["id,stage", "ID, Stage", "id,stage,noSuchField", " id ,stage,"]
    )
    def test_fields_keep_only_the_named_keys_in_any_case(self, fields: str) -> None:
        records = list_records(RECORDS, {"fields": fields})
        assert records and all(set(r) == {"id", "stage"} for r in records)

    def test_records_are_copies_so_callers_cannot_change_the_store(self) -> None:
        (first, *_) = list_records(RECORDS, {"rows": "1"})
        first["stage"] = "changed"
        assert all(r["stage"] != "changed" for r in RECORDS)


class TestOrder:
    @pytest.mark.parametrize(
        ("order", "expected"),
        [
            ("id ASC", [1, 2, 3, 4, 5]),
            ("id DESC", [5, 4, 3, 2, 1]),
            ("modifiedDate ASC", [2, 4, 1, 3, 5]),  # 14:30+12:00 is 02:30Z, the latest
            ("modifieddate desc", [5, 1, 3, 2, 4]),  # ties stay in id order
            ("stage ASC", [5, 3, 4, 2, 1]),  # null first, text without regard to case
            ("branchId DESC, modifiedDate ASC", [5, 1, 3, 2, 4]),
        ],
    )
    def test_sorts_by_each_key_and_breaks_ties_by_id(self, order: str, expected: list[int]) -> None:
        assert ids({"order": order}) == expected

    @pytest.mark.parametrize("order", ["modifiedDate ASC, id ASC", "modifieddate asc,id asc"])
    def test_a_second_key_orders_ties_even_when_ties_are_unordered(self, order: str) -> None:
        records = [
            {"id": i, "modifiedDate": "2026-05-01T01:00:00Z" if i % 3 else "2026-05-01T00:00:00Z"}
            for i in range(1, 40)
        ]
        expected = [i for i in range(1, 40) if i % 3 == 0] + [i for i in range(1, 40) if i % 3]

        served = [r["id"] for r in list_records(records, {"order": order}, ties_by_id=False)]

        assert served == expected

    def test_unordered_ties_are_not_in_id_order_but_the_same_every_time(self) -> None:
        records = [{"id": i, "modifiedDate": "2026-05-01T01:00:00Z"} for i in range(1, 40)]
        params = {"order": "modifiedDate ASC"}

        first = [r["id"] for r in list_records(records, params, ties_by_id=False)]
        again = [r["id"] for r in list_records(records, params, ties_by_id=False)]

        assert sorted(first) == list(range(1, 40)) and first != sorted(first)
        assert again == first

    def test_digits_in_a_text_field_are_not_read_as_dates(self) -> None:
        records = [{"id": 1, "code": "20260101"}, {"id": 2, "code": "1999-12-31"}]
        assert ids({"order": "code ASC"}, records) == [2, 1]

    @pytest.mark.parametrize("order", ["id SIDEWAYS", "id ASC DESC"])
    def test_an_order_it_cannot_read_is_refused(self, order: str) -> None:
        with pytest.raises(WhereError):
            list_records(RECORDS, {"order": order})


def test_where_then_order_then_page_like_a_poll() -> None:
    params = {
        "where": "modifiedDate > '2026-05-01T00:00:00Z' AND stage IS NOT NULL",
        "order": "modifiedDate ASC",
        "rows": "2",
    }
    assert [ids({**params, "page": str(p)}) for p in (1, 2, 3)] == [[2, 4], [1, 3], []]


class TestUnknownFields:
    """Given the resource's fields, a ``where`` or ``order`` naming another is refused."""

    KNOWN = ("id", "stage", "branchId", "modifiedDate")

    @pytest.mark.parametrize(
        "params",
        [
            {"where": "colour = 'red'"},
            {"where": "stage = 'New' AND colour IS NULL"},
            {"where": "id IN (1, 2) OR (branchId = 1 AND colour LIKE 'r%')"},
            {"order": "colour ASC"},
            {"order": "modifiedDate ASC, colour DESC"},
        ],
    )
    def test_a_where_or_order_naming_an_unknown_field_is_refused(
        self, params: dict[str, str]
    ) -> None:
        with pytest.raises(WhereError, match="colour"):
            list_records(RECORDS, params, known=self.KNOWN)

    def test_known_fields_are_read_in_any_letter_case(self) -> None:
        params = {"where": "STAGE IS NOT NULL AND BranchID = 1", "order": "MODIFIEDDATE desc"}
        assert [r["id"] for r in list_records(RECORDS, params, known=self.KNOWN)] == [2, 4]

    def test_without_a_default_order_a_resource_without_ids_still_lists(self) -> None:
        rows = [{"code": "B"}, {"code": "A"}]
        assert list_records(rows, {}, known=("code",)) == rows
