"""Settings → Shipping: managers set the dispatch toggles, cost centres and package presets."""

from __future__ import annotations

import json
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station.dispatch.options import FreightPush, load_options
from station.extensions import db
from station.models import CostCentre, PackagePreset, Role
from station.settings import settings_store
from tests.conftest import AuthActions


def test_a_manager_saves_the_dispatch_options(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()

    response = client.post(
        "/settings/shipping/options",
        data={
            "send_back_ticket": "y",
            "freight_push": "charged",
            "tracking_field": "ticket",
            "shopify_link_id": "abc123",
        },
    )

    assert response.status_code == 302
    with app.app_context():
        options = load_options(settings_store(db.session))
    assert options.send_back_ticket and not options.block_batch_serial
    assert options.freight_push == FreightPush.CHARGED and options.shopify_link_id == "abc123"
    page = client.get("/settings/shipping/").get_data(as_text=True)
    assert 'value="abc123"' in page and "Dispatch options saved" in page


def test_the_shopify_trigger_without_send_back_is_explained(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()

    response = client.post(
        "/settings/shipping/options",
        data={"freight_push": "off", "tracking_field": "url", "shopify_link_id": "abc123"},
    )

    assert response.status_code == 422
    assert "needs &#39;Send back ticket number&#39;" in response.get_data(as_text=True)
    with app.app_context():
        assert load_options(settings_store(db.session)).shopify_link_id == ""


def test_cost_centres_are_added_and_one_is_default(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()
    client.post("/settings/shipping/cost-centres", data={"name": "Retail", "markup_percent": "10"})
    client.post(
        "/settings/shipping/cost-centres",
        data={"name": "Trade", "markup_percent": "0", "markup_fixed": "2.5"},
    )
    with app.app_context():
        trade_id = db.session.scalar(select(CostCentre.id).where(CostCentre.name == "Trade"))

    client.post(f"/settings/shipping/cost-centres/{trade_id}/default")

    with app.app_context():
        rows = {c.name: c for c in db.session.scalars(select(CostCentre))}
        assert rows["Trade"].is_default and not rows["Retail"].is_default
        assert rows["Trade"].markup_fixed == Decimal("2.50")


def test_a_bad_cost_centre_lists_every_problem(client: FlaskClient, auth: AuthActions) -> None:
    auth.login()

    response = client.post(
        "/settings/shipping/cost-centres", data={"name": "", "markup_percent": "lots"}
    )

    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "name is required" in text and "markup percent must be a number" in text


def test_a_package_preset_is_added(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    auth.login()

    client.post(
        "/settings/shipping/presets",
        data={
            "name": "Satchel <M>",
            "length_mm": "350",
            "width_mm": "250",
            "height_mm": "50",
            "tare_grams": "40",
        },
    )

    with app.app_context():
        preset = db.session.scalars(select(PackagePreset)).one()
    assert (preset.name, preset.length_mm, preset.tare_grams) == ("Satchel <M>", 350, 40)
    page = client.get("/settings/shipping/").get_data(as_text=True)
    assert "Satchel &lt;M&gt;" in page and "Satchel <M>" not in page


def test_packers_may_not_change_shipping_settings(client: FlaskClient, auth: AuthActions) -> None:
    auth.login("packer", role=Role.PACKER)

    assert client.get("/settings/shipping/").status_code == 403
    assert client.post("/settings/shipping/presets", data={"name": "x"}).status_code == 403


def test_a_karrio_carrier_is_saved_listed_and_never_shown_back(
    client: FlaskClient, auth: AuthActions
) -> None:
    from tests.carriers.test_karrio import GENERIC

    config = {
        **GENERIC,
        "code": "testpost",
        "settings": {**GENERIC["settings"], "account_number": "ACC-SECRET-9"},
    }
    auth.login()

    response = client.post("/settings/shipping/carriers", data={"configs": json.dumps([config])})
    page = client.get("/settings/shipping/").get_data(as_text=True)

    assert response.status_code == 302
    assert "<td>testpost</td>" in page and "ACC-SECRET-9" not in page


def test_a_broken_karrio_config_is_explained(client: FlaskClient, auth: AuthActions) -> None:
    auth.login()

    not_json = client.post("/settings/shipping/carriers", data={"configs": "[{"})
    unknown = client.post(
        "/settings/shipping/carriers",
        data={"configs": json.dumps([{"carrier": "generic", "services": []}])},
    )

    assert not_json.status_code == 422 and "Karrio carriers not saved" in not_json.get_data(
        as_text=True
    )
    assert unknown.status_code == 422
