"""``where ... IN (...)`` filters: a page's worth of values at most, and a short URL."""

from __future__ import annotations

import httpx

from station.cin7.filters import MAX_FILTER_LENGTH, in_filters


def encoded(where: str) -> int:
    return len(str(httpx.QueryParams({"where": where}))) - len("where=")


def test_250_cin7_ids_go_in_one_filter_and_the_251st_in_the_next() -> None:
    ids = list(range(9_999_999_000, 9_999_999_251))  # ten digits: longer than Cin7's today

    filters = in_filters("id", ids)

    assert [f.count(",") + 1 for f in filters] == [250, 1]
    assert filters[1] == "id IN (9999999250)" and encoded(filters[0]) <= MAX_FILTER_LENGTH


def test_text_is_quoted_once_each_and_cut_by_its_encoded_length() -> None:
    codes = ["O'Brien mug", "O'Brien mug", *(f"{n:03d}-" + "ü" * 60 for n in range(100))]

    filters = in_filters("code", codes)

    assert filters[0].startswith("code IN ('O''Brien mug', '000-")
    assert all(encoded(f) <= MAX_FILTER_LENGTH for f in filters)
    assert len(filters) == 10  # 60 two-byte letters: 370 characters encoded, ten a filter
    named = [v for f in filters for v in f.removeprefix("code IN (").removesuffix(")").split(", ")]
    assert len(named) == 101


def test_a_value_longer_than_a_filter_gets_one_of_its_own() -> None:
    assert in_filters("code", ["A", "B" * 50, "C"], limit=40) == [
        "code IN ('A')",
        f"code IN ('{'B' * 50}')",
        "code IN ('C')",
    ]
