"""The sandbox's Cin7 ``where`` filter: what each filter selects, and what it refuses."""

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
    "deliveryPostalCode": "3121",
    "createdDate": "2026-04-30T22:15:00Z",
    "modifiedDate": "2026-05-01T03:00:00Z",
    "dispatchedDate": None,
}


def selects(text: str, record: dict[str, Any] = ORDER) -> bool:
    return parse_where(text)(record)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id = 1042", True),
        ("id = 1043", False),
        ("id <> 1043", True),
        ("id <> 1042", False),
        ("id != 1043", True),
        ("id != 1042", False),
        ("id > 1041", True),
        ("id > 1042", False),
        ("id < 1043", True),
        ("id < 1042", False),
        ("id >= 1042", True),
        ("id >= 1043", False),
        ("id <= 1042", True),
        ("id <= 1041", False),
        ("id>=1042", True),
        ("stage = 'Fully Picked'", True),
        ("stage <> 'New'", True),
        ("stage = 'New'", False),
        ("reference > 'SO-1000'", True),
        ("reference < 'SO-1000'", False),
    ],
)
def test_each_comparison_operator_selects_as_sql_would(text: str, expected: bool) -> None:
    assert selects(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("branchId = 2", True),
        ("total = 99.5", True),
        ("total > 99.49", True),
        ("total < 99.5", False),
        ("id = 1042.0", True),
        ("id > -1", True),
        ("id < -1", False),
        ("deliveryPostalCode = 3121", True),
        ("deliveryPostalCode > 4000", False),
    ],
)
def test_bare_numbers_compare_as_numbers(text: str, expected: bool) -> None:
    assert selects(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("reference LIKE 'SO-%'", True),
        ("reference LIKE '%42'", True),
        ("reference LIKE '%-10%'", True),
        ("reference LIKE '%'", True),
        ("reference LIKE 'SO-10_2'", True),
        ("reference LIKE 'SO-1_2'", False),
        ("reference LIKE 'SO-____'", True),
        ("reference LIKE 'SO-___'", False),
        ("reference LIKE 'SO-'", False),
        ("reference LIKE '1042'", False),
        ("reference LIKE 'so-%'", True),
        ("reference LIKE 'SO.1042'", False),
        ("reference LIKE 'SO-1042'", True),
        ("stage LIKE '%Pick%'", True),
        ("lastName LIKE 'O''%'", True),
        ("reference NOT LIKE 'SO-%'", False),
        ("reference NOT LIKE '#%'", True),
        ("reference NOT LIKE 'SO-10_2'", False),
    ],
)
def test_like_matches_the_whole_value_with_percent_and_underscore_wildcards(
    text: str, expected: bool
) -> None:
    assert selects(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id IN (1041, 1042, 1043)", True),
        ("id IN (1042)", True),
        ("id IN (1041, 1043)", False),
        ("stage IN ('New', 'Fully Picked')", True),
        ("stage IN ('New', 'Processing')", False),
        ("id NOT IN (1, 2)", True),
        ("id NOT IN (1041, 1042)", False),
        ("stage NOT IN ('New')", True),
    ],
)
def test_in_and_not_in_test_membership_of_a_list(text: str, expected: bool) -> None:
    assert selects(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("company IS NULL", True),
        ("company IS NOT NULL", False),
        ("reference IS NULL", False),
        ("reference IS NOT NULL", True),
        ("dispatchedDate IS NULL", True),
        ("noSuchField IS NULL", True),
    ],
)
def test_is_null_and_is_not_null_test_for_missing_values(text: str, expected: bool) -> None:
    assert selects(text) is expected


@pytest.mark.parametrize(
    "text",
    [
        "company = 'Harbour Café'",
        "company <> 'Harbour Café'",
        "company > 'A'",
        "company LIKE '%'",
        "company NOT LIKE 'Harbour%'",
        "company IN ('Harbour Café')",
        "company NOT IN ('Harbour Café')",
        "dispatchedDate < '2030-01-01T00:00:00Z'",
    ],
)
def test_a_null_value_satisfies_no_comparison_as_in_sql(text: str) -> None:
    assert selects(text) is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("isApproved = true", True),
        ("isApproved = false", False),
        ("isVoid = false", True),
        ("isVoid = true", False),
        ("isApproved = TRUE", True),
        ("isVoid = False", True),
        ("isApproved <> false", True),
    ],
)
def test_booleans_compare_with_true_and_false(text: str, expected: bool) -> None:
    assert selects(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lastName = 'O''Connor'", True),
        ("lastName = 'OConnor'", False),
        ("lastName IN ('Smith', 'O''Connor')", True),
        ("deliveryCity = 'Ōhope'", True),
        ("stage = 'fully picked'", True),
        ("stage = ''", False),
    ],
)
def test_quoted_strings_take_doubled_quotes_and_unicode(text: str, expected: bool) -> None:
    assert selects(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("modifiedDate = '2026-05-01T03:00:00Z'", True),
        ("modifiedDate = '2026-05-01T15:00:00+12:00'", True),
        ("modifiedDate = '2026-04-30T23:00:00-04:00'", True),
        ("modifiedDate = '2026-05-01T03:00:00'", True),
        ("modifiedDate = '2026-05-01T03:00:00.000Z'", True),
        ("modifiedDate > '2026-05-01T14:59:59+12:00'", True),
        ("modifiedDate > '2026-05-01T15:00:00+12:00'", False),
        ("modifiedDate >= '2026-05-01T15:00:00+12:00'", True),
        ("modifiedDate < '2026-05-01T15:00:01+12:00'", True),
        ("modifiedDate <= '2026-05-01T02:59:59'", False),
        ("modifiedDate <> '2026-05-01T03:00:00+00:00'", False),
        ("modifiedDate > '2026-05-01'", True),
        ("modifiedDate < '2026-05-02'", True),
        ("createdDate < '2026-05-01T10:15:01+12:00'", True),
        ("createdDate < '2026-05-01T10:15:00+12:00'", False),
        ("modifiedDate IN ('2026-01-01T00:00:00Z', '2026-05-01T15:00:00+12:00')", True),
        ("modifiedDate NOT IN ('2026-05-01T03:00:00')", False),
    ],
)
def test_dates_compare_as_utc_instants_whatever_zone_they_are_written_in(
    text: str, expected: bool
) -> None:
    assert selects(text) is expected


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ("2026-05-01T03:00:00Z", True),
        ("2026-05-01T15:00:00+12:00", True),
        ("2026-05-01T03:00:00", True),
        ("2026-05-01T03:00:01Z", False),
    ],
)
def test_stored_dates_in_any_zone_compare_as_utc_instants(stored: str, expected: bool) -> None:
    assert selects("modifiedDate = '2026-05-01T03:00:00Z'", {"modifiedDate": stored}) is expected


@pytest.mark.parametrize(
    "text",
    [
        "ID = 1042",
        "Id = 1042",
        "Stage = 'Fully Picked'",
        "STAGE = 'Fully Picked'",
        "MODIFIEDDATE = '2026-05-01T03:00:00Z'",
        "isapproved = true",
        "REFERENCE like 'SO-%'",
        "id in (1042)",
        "id not in (1)",
        "reference not like 'X%'",
        "company is null",
        "reference Is Not Null",
        "id = 1 or id = 1042",
        "id = 1042 and stage = 'Fully Picked'",
        "id = 1042 And (stage = 'x' Or branchId = 2)",
    ],
)
def test_field_names_and_keywords_are_case_insensitive(text: str) -> None:
    assert selects(text) is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # AND binds tighter than OR: the wrong grouping would give the other answer.
        ("id = 1042 OR id = 1 AND stage = 'New'", True),
        ("stage = 'New' AND id = 1 OR id = 1042", True),
        ("id = 1 AND stage = 'New' OR id = 1042 AND branchId = 2", True),
        ("id = 1042 OR id = 1 AND stage = 'New' OR branchId = 9", True),
        ("(id = 1042 OR id = 1) AND stage = 'New'", False),
        ("stage = 'New' AND (id = 1 OR id = 1042)", False),
        ("id = 1042 AND (stage = 'New' OR branchId = 2)", True),
        ("((id = 1042))", True),
        ("(id = 1 OR (branchId = 2 AND isVoid = false))", True),
        ("(id = 1 OR (branchId = 2 AND isVoid = true))", False),
        ("id = 1042 AND stage = 'Fully Picked' AND branchId = 2 AND isApproved = true", True),
        ("id = 1042 AND stage = 'Fully Picked' AND branchId = 3", False),
        ("id = 1 OR id = 2 OR id = 1042", True),
        ("id = 1 OR id = 2 OR id = 3", False),
    ],
)
def test_and_binds_tighter_than_or_and_parentheses_group(text: str, expected: bool) -> None:
    assert selects(text) is expected


def test_the_documented_poll_filter_selects_undispatched_orders_modified_after_the_mark() -> None:
    poll = parse_where("modifiedDate>'2026-05-01T02:00:00Z' AND dispatchedDate IS NULL")
    assert poll(ORDER) is True
    assert poll({**ORDER, "dispatchedDate": "2026-05-01T03:00:00Z"}) is False
    assert poll({**ORDER, "modifiedDate": "2026-05-01T01:59:59Z"}) is False


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "id",
        "id =",
        "= 5",
        "id = = 5",
        "id == 5",
        "id 5",
        "id = 5 id = 6",
        "id = 5 AND",
        "id = 5 OR",
        "OR id = 5",
        "AND = 5",
        "(id = 5",
        "id = 5)",
        "((id = 5)",
        "()",
        "id IN ()",
        "id IN (1, )",
        "id IN 1",
        "id IN (1 2)",
        "id NOT = 5",
        "id NOT 5",
        "id LIKE 5",
        "id LIKE",
        "id IS 5",
        "id IS NOT 5",
        "id IS",
        "stage = 'New",
        "stage = New",
        'stage = "New"',
        "stage = 'It''s",
        "id = 5; DROP TABLE SalesOrders",
        "id = @5",
        "id = #5",
        "id = 5abc",
        "id = 1.2.3",
        "modifiedDate > 'yesterday'",
        "modifiedDate > '2026-13-01T00:00:00Z'",
        "modifiedDate IN ('2026-05-01', 'soon')",
    ],
)
def test_a_malformed_filter_raises_where_error(text: str) -> None:
    with pytest.raises(WhereError):
        parse_where(text)


def test_where_error_is_a_value_error_with_a_readable_message() -> None:
    with pytest.raises(ValueError, match="position"):
        parse_where("id = 5 )")


def test_tokenize_splits_a_filter_into_kinds_with_positions() -> None:
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
def test_tokenize_reads_each_operator_as_one_token(op: str) -> None:
    assert [(t.kind, t.text) for t in tokenize(f"id{op}5")] == [
        ("name", "id"),
        ("op", op),
        ("number", "5"),
    ]


@pytest.mark.parametrize(
    "text", ["id = @", 'id = "x"', "id = 'open", "id = 5abc", "id ; 5", "id = 1.2.3"]
)
def test_tokenize_refuses_what_it_does_not_know(text: str) -> None:
    with pytest.raises(WhereError):
        tokenize(text)


def test_tokenize_of_blank_text_is_empty() -> None:
    assert tokenize("   ") == []
