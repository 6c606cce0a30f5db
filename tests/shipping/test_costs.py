"""Cost centres and package presets as managers save them: every problem at once, one default."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from station.carriers.errors import ShipmentRefused
from station.carriers.markup import charged_amount, parcel_from_preset
from station.extensions import db
from station.shipping.costs import (
    CostCentreInput,
    PresetInput,
    ShippingSetupInvalid,
    default_cost_centre,
    markup_of,
    preset_of,
    save_cost_centre,
    save_preset,
)


@pytest.fixture
def ctx(app: Flask) -> Iterator[Session]:
    with app.app_context():
        yield db.session


def test_the_first_cost_centre_becomes_the_default(ctx: Session) -> None:
    retail = save_cost_centre(ctx, CostCentreInput("Retail", "12.5", "0"))
    save_cost_centre(ctx, CostCentreInput("Wholesale", "0", "2"))

    assert default_cost_centre(ctx) is retail


def test_choosing_another_default_leaves_exactly_one(ctx: Session) -> None:
    save_cost_centre(ctx, CostCentreInput("Retail", "12.5", "0"))
    wholesale = save_cost_centre(ctx, CostCentreInput("Wholesale", "0", "2", is_default=True))
    ctx.commit()

    assert default_cost_centre(ctx) is wholesale
    assert charged_amount(Decimal("10.00"), markup_of(wholesale)) == Decimal("12.00")


def test_a_cost_centre_lists_every_problem(ctx: Session) -> None:
    save_cost_centre(ctx, CostCentreInput("Retail"))

    with pytest.raises(ShippingSetupInvalid) as invalid:
        save_cost_centre(ctx, CostCentreInput("Retail", "-5", "ten"))

    message = str(invalid.value)
    assert "between 0 and 1000" in message
    assert "fixed markup must be a number" in message
    assert "already exists" in message


def test_renaming_keeps_the_row_and_refuses_a_taken_name(ctx: Session) -> None:
    retail = save_cost_centre(ctx, CostCentreInput("Retail"))
    save_cost_centre(ctx, CostCentreInput("Trade"))

    renamed = save_cost_centre(ctx, CostCentreInput("Retail NZ", "5"), centre_id=retail.id)
    assert renamed.id == retail.id and renamed.markup_percent == Decimal("5")
    with pytest.raises(ShippingSetupInvalid, match="already exists"):
        save_cost_centre(ctx, CostCentreInput("Trade"), centre_id=retail.id)


def test_a_preset_builds_parcels_and_refuses_a_weight_under_its_tare(ctx: Session) -> None:
    box = save_preset(ctx, PresetInput("Medium box", "400", "300", "200", "350"))

    parcel = parcel_from_preset(preset_of(box), 2350, reference="SO-1")

    assert (parcel.length_mm, parcel.width_mm, parcel.height_mm) == (400, 300, 200)
    assert parcel.package == "Medium box" and parcel.weight_grams == 2350
    with pytest.raises(ShipmentRefused, match="less than the empty Medium box"):
        parcel_from_preset(preset_of(box), 200, reference="SO-1")


def test_a_preset_lists_every_problem(ctx: Session) -> None:
    with pytest.raises(ShippingSetupInvalid) as invalid:
        save_preset(ctx, PresetInput("", "0", "wide", "200", "-1"))

    message = str(invalid.value)
    assert message.startswith("The length must be between 1")
    assert "width must be a whole number" in message
    assert "empty weight must be between 0" in message
    assert "name is required" in message
