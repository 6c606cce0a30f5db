"""Country conditions compare countries, not spellings: "NZ", "nz" and "New Zealand" are one."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from station.inbox.rules import check_condition, country_code
from station.models import InboxOrder
from tests.inbox.builders import take
from tests.inbox.samples import ORDER


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("NZ", "NZ"),
        ("nz", "NZ"),
        ("NZL", "NZ"),
        ("New Zealand", "NZ"),
        ("  new   zealand ", "NZ"),
        ("United States", "US"),
        ("USA", "US"),
        ("UK", "GB"),
        ("United Kingdom", "GB"),
        ("South Korea", "KR"),
        ("Korea, Republic of", "KR"),
        ("Narnia", None),
        ("", None),
    ],
)
def test_a_country_is_known_by_its_code_or_its_name_in_any_case(
    text: str, code: str | None
) -> None:
    assert country_code(text) == code


def shipped_to(session: Session, country: str) -> InboxOrder:
    return take(session, shipping_address={**ORDER["shipping_address"], "country": country})


@pytest.mark.parametrize("stored", ["New Zealand", "NZ", "nz", "NZL"])
@pytest.mark.parametrize("wanted", ["NZ", "nz", "New Zealand", "new zealand"])
def test_equals_matches_the_country_however_either_side_spells_it(
    ctx: Session, stored: str, wanted: str
) -> None:
    order = shipped_to(ctx, stored)

    equals = check_condition(order, {"field": "country", "operator": "equals", "value": wanted})
    differs = check_condition(
        order, {"field": "country", "operator": "not_equals", "value": wanted}
    )

    assert (equals.matched, differs.matched) == (True, False)


def test_another_country_does_not_match_and_does_not_equal(ctx: Session) -> None:
    order = shipped_to(ctx, "Australia")

    assert not check_condition(
        order, {"field": "country", "operator": "equals", "value": "NZ"}
    ).matched
    assert check_condition(
        order, {"field": "country", "operator": "not_equals", "value": "New Zealand"}
    ).matched


def test_text_that_names_no_country_is_compared_as_text(ctx: Session) -> None:
    order = shipped_to(ctx, "Aotearoa")

    assert check_condition(
        order, {"field": "country", "operator": "equals", "value": "aotearoa"}
    ).matched
    assert not check_condition(
        order, {"field": "country", "operator": "equals", "value": "NZ"}
    ).matched


def test_other_fields_keep_comparing_text(ctx: Session) -> None:
    order = take(ctx, shop="NZ")

    assert not check_condition(
        order, {"field": "shop", "operator": "equals", "value": "New Zealand"}
    ).matched
