"""Carrier configs on their edit form: credentials masked, and put back when left masked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from station.extensions import db
from station.models import Consignment, ConsignmentState
from station.settings import settings_store
from station.shipping.carrier_setup import MASK, masked, remove_karrio_carrier, unmasked
from station.shipping.carriers import carrier_codes, retired_problem, save_karrio_carriers
from station.shipping.costs import ShippingSetupInvalid
from tests.carriers.samples import GENERIC

STORED = {
    "display_name": "Test Post",
    "api_key": "k-123",
    "test_mode": True,
    "account": {"number": "A-9", "country": ""},
    "services": [{"service_code": "ON"}],
}


@pytest.fixture
def ctx(app: Flask) -> Iterator[Session]:
    with app.test_request_context():
        yield db.session


def test_text_settings_are_masked_but_names_flags_and_lists_are_not() -> None:
    assert masked(STORED) == {
        "display_name": "Test Post",
        "api_key": MASK,
        "test_mode": True,
        "account": {"number": MASK, "country": ""},
        "services": [{"service_code": "ON"}],
    }


def test_masked_and_blank_values_are_put_back_and_typed_ones_kept() -> None:
    problems: list[str] = []
    typed = {**masked(STORED), "api_key": "", "account": {"number": "B-1", "country": "NZ"}}

    back = unmasked(typed, STORED, problems, "settings")

    assert problems == []
    assert back == {**STORED, "account": {"number": "B-1", "country": "NZ"}}
    assert unmasked(masked(STORED), STORED, problems, "settings") == STORED


def test_a_mask_with_nothing_behind_it_is_a_problem() -> None:
    problems: list[str] = []

    unmasked({"password": MASK}, STORED, problems, "settings")

    assert problems == [f"settings.password reads {MASK} but no value is kept: type its value"]


def test_a_retired_carrier_is_not_chosen_and_says_why(ctx: Session) -> None:
    save_karrio_carriers(settings_store(ctx), [{**GENERIC, "code": "testpost"}])
    ctx.commit()
    ctx.add(
        Consignment(
            idempotency_key="k",
            state=ConsignmentState.CREATED,
            carrier="testpost",
            service_code="ON",
            reference="SO-1",
            shipment={},
        )
    )
    ctx.commit()

    removed = remove_karrio_carrier(None, "testpost")

    assert removed.retired and removed.name == "Test Post"
    assert carrier_codes(ctx) == ["ownlabel"]
    assert retired_problem(ctx, "testpost") == (
        "the carrier Test Post is retired: choose another carrier's service"
    )
    assert retired_problem(ctx, "ownlabel") is None
    with pytest.raises(ShippingSetupInvalid, match="retired and can no longer change"):
        remove_karrio_carrier(None, "testpost")
