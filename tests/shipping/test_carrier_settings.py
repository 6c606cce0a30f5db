"""Karrio carriers configured in Settings: stored encrypted, found by code, booked once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from station.carriers.errors import CarrierMisconfigured
from station.extensions import db
from station.models import ConsignmentState, Setting
from station.settings import settings_store
from station.shipping.booking import book_consignment
from station.shipping.carriers import (
    carrier_codes,
    carrier_for,
    karrio_configs,
    save_karrio_carriers,
)
from tests.carriers.samples import GENERIC, shipment


@pytest.fixture
def ctx(app: Flask) -> Iterator[Session]:
    with app.app_context():
        yield db.session


def generic(**changes: Any) -> dict[str, Any]:
    settings = {**GENERIC["settings"], "account_number": "s3cret-value"}
    return {**GENERIC, "settings": settings, **changes}


def test_a_karrio_carrier_is_stored_encrypted_and_found_by_code(ctx: Session) -> None:
    save_karrio_carriers(settings_store(ctx), [generic(code="testpost")])
    ctx.commit()

    raw = " ".join(str(s.value) for s in ctx.scalars(select(Setting)))
    assert "s3cret-value" not in raw and "Test Post" not in raw
    assert carrier_codes(ctx) == ["ownlabel", "testpost"]
    carrier = carrier_for(ctx, "testpost")
    assert carrier.code == "testpost" and carrier.remote


def test_a_karrio_booking_is_recorded_and_booked_once(ctx: Session) -> None:
    save_karrio_carriers(settings_store(ctx), [generic(code="testpost")])
    ctx.commit()

    first = book_consignment(ctx, carrier_for(ctx, "testpost"), shipment(1200), key="k-1")
    ctx.commit()
    again = book_consignment(ctx, carrier_for(ctx, "testpost"), shipment(1200), key="k-1")

    assert first.state == ConsignmentState.CREATED and first.tickets
    assert again.id == first.id and again.tickets == first.tickets
    assert first.cost is not None and first.cost > 0


def test_a_bad_config_lists_its_problems_and_saves_nothing(ctx: Session) -> None:
    store = settings_store(ctx)

    with pytest.raises(CarrierMisconfigured) as bad:
        save_karrio_carriers(store, [generic(code="ownlabel")])

    assert "already used" in str(bad.value)
    assert karrio_configs(store) == {}


def test_an_unknown_carrier_code_is_a_clear_error(ctx: Session) -> None:
    with pytest.raises(CarrierMisconfigured, match="no carrier 'dhl' is set up"):
        carrier_for(ctx, "dhl")
