"""Cin7's ``where`` filter: tokens, each operator, AND/OR grouping, dates, and refusals."""

from __future__ import annotations

from typing import Any

import pytest

from station.cin7.sandbox.where import WhereError, parse_where, tokenize

ORDER: dict[str, Any] = {
    "id": 1042,
    "reference": "SO-1042",
    "stage": "Fully Picked",
    "branchId": 2,
    "total": 99.5,
    "isApproved": True,
    "isVoid": False,
    "lastName": "O'Connor",
    "company": None,
    "deliveryCity": "Ōhope",
    "createdDate": "2026-04-30T22:15:00Z",
    "modifiedDate": "2026-05-01T03:00:00Z",
    "dispatchedDate": None,
}


def selects(text: str, record: dict[str, Any] = ORDER) -> bool:
    return parse_where(text)(record)


class TestTokenize:
    def test_splits_a_filter_into_kinds_with_positions(self) -> None:
        tokens = tokenize("lastName='O''Connor' AND total>=-2.5 OR id IN (1,2)")
        assert [(t.kind, t.text, t.pos) for t in tokens] == [
            ("name", "lastName", 0),
            ("op", "=", 8),
            ("string", "'O''Connor'", 9),
            ("name", "AND", 21),
            ("name", "total", 25),
            ("op", ">=", 30),
            ("number", "-2.5", 32),
            ("name", "OR", 37),
            ("name", "id", 40),
            ("name", "IN", 43),
            ("(", "(", 46),
            ("number", "1", 47),
            (",", ",", 48),
            ("number", "2", 49),
            (")", ")", 50),
        ]

    @pytest.mark.parametrize("op", ["=", "<>", "!=", ">", "<", ">=", "<="])
    def test_reads_each_operator_as_one_token(self, op: str) -> None:
        assert [t.kind for t in tokenize(f"id{op}5")] == ["name", "op", "number"]

    @pytest.mark.parametrize("text", ["id = @", 'id = "x"', "id = 'open", "id = 5abc", "id ; 5"])
    def test_refuses_characters_it_does_not_know(self, text: str) -> None:
        with pytest.raises(WhereError):
            tokenize(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id = 1042", True),
        ("id = 1043", False),
        ("id <> 1043", True),
        ("id <> 1042", False),
        ("id > 1041", True),
        ("id > 1042", False),
        ("id < 1043", True),
        ("id < 1042", False),
        ("id >= 1042", True),
        ("id >= 1043", False),
        ("id <= 1042", True),
        ("id <= 1041", False),
        ("total > 99.49", True),
        ("stage = 'Fully Picked'", True),
        ("stage = 'fully picked'", True),
        ("stage <> 'New'", True),
        ("reference > 'SO-1000'", True),
        ("isApproved = true", True),
        ("isVoid = TRUE", False),
        ("lastName = 'O''Connor'", True),
        ("deliveryCity = 'Ōhope'", True),
    ],
)
def test_each_comparison_selects_as_sql_would(text: str, expected: bool) -> None:
    assert selects(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("reference LIKE 'SO-%'", True),
        ("reference LIKE '%42'", True),
        ("reference LIKE 'so-10_2'", True),
        ("reference LIKE 'SO-'", False),
        ("stage LIKE '%Pick%'", True),
        ("reference NOT LIKE 'SO-%'", False),
        ("id IN (1041, 1042)", True),
        ("stage IN ('New', 'Processing')", False),
        ("id NOT IN (1, 2)", True),
        ("company IS NULL", True),
        ("company IS NOT NULL", False),
        ("dispatchedDate IS NULL", True),
        ("noSuchField IS NULL", True),
        ("company = 'Harbour Café'", False),
        ("company LIKE '%'", False),
    ],
)
def test_like_in_and_null_tests(text: str, expected: bool) -> None:
    assert selects(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id = 1042 OR id = 1 AND stage = 'New'", True),  # AND first: true OR (false)
        ("(id = 1042 OR id = 1) AND stage = 'New'", False),
        ("stage = 'New' AND id = 1 OR id = 1042", True),
        ("id = 1042 AND (stage = 'New' OR branchId = 2)", True),
        ("((id = 1042))", True),
        ("id = 1 OR id = 2 OR id = 3", False),
        ("id = 1042 and STAGE = 'Fully Picked' And ISAPPROVED = true", True),
    ],
)
def test_and_binds_tighter_than_or_and_parentheses_group(text: str, expected: bool) -> None:
    assert selects(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("modifiedDate = '2026-05-01T03:00:00Z'", True),
        ("modifiedDate = '2026-05-01T15:00:00+12:00'", True),
        ("modifiedDate = '2026-04-30T23:00:00-04:00'", True),
        ("modifiedDate = '2026-05-01T03:00:00'", True),  # no zone: UTC
        ("modifiedDate > '2026-05-01T14:59:59+12:00'", True),
        ("modifiedDate > '2026-05-01T15:00:00+12:00'", False),
        ("modifiedDate < '2026-05-02'", True),
        ("createdDate < '2026-05-01T10:15:01+12:00'", True),
        ("MODIFIEDDATE IN ('2026-01-01T00:00:00Z', '2026-05-01T15:00:00+12:00')", True),
    ],
)
def test_dates_compare_as_utc_instants(text: str, expected: bool) -> None:
    assert selects(text) is expected


@pytest.mark.parametrize("stored", ["2026-05-01T03:00:00Z", "2026-05-01T15:00:00+12:00"])
def test_stored_dates_with_an_offset_compare_as_utc_too(stored: str) -> None:
    assert selects("modifiedDate = '2026-05-01T03:00:00Z'", {"modifiedDate": stored})


def test_the_documented_poll_filter_selects_undispatched_orders_after_the_mark() -> None:
    poll = parse_where("modifiedDate>'2026-05-01T02:00:00Z' AND dispatchedDate IS NULL")
    assert poll(ORDER)
    assert not poll({**ORDER, "dispatchedDate": "2026-05-01T03:00:00Z"})
    assert not poll({**ORDER, "modifiedDate": "2026-05-01T01:59:59Z"})


@pytest.mark.parametrize(
    "text",
    [
        "",
        "id",
        "id =",
        "= 5",
        "id == 5",
        "id = 5 id = 6",
        "id = 5 AND",
        "OR id = 5",
        "(id = 5",
        "id = 5)",
        "id IN ()",
        "id IN (1, )",
        "id NOT = 5",
        "id LIKE 5",
        "id IS 5",
        "stage = New",
        "stage = 'New",
        "id = 5; DROP TABLE SalesOrders",
        "modifiedDate > 'yesterday'",
        "modifiedDate > '2026-13-01T00:00:00Z'",
    ],
)
def test_a_malformed_filter_raises_where_error(text: str) -> None:
    with pytest.raises(WhereError):
        parse_where(text)


def test_where_error_says_where_the_problem_is() -> None:
    with pytest.raises(ValueError, match="position 7"):
        parse_where("id = 5 )")
