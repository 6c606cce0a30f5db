"""Settings → Shipping: dispatch toggles, carriers, the own-label rate card, cost centres, presets."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from station.carriers.ratecard import default_rate_card_text, load_rate_card
from station.dispatch.options import FreightPush, load_options
from station.extensions import db
from station.models import CostCentre, PackagePreset, Role
from station.settings import settings_store
from station.shipping.ratecards import active_rate_card, active_rate_card_text
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
    first = client.post(
        "/settings/shipping/cost-centres",
        data={"name": "Retail", "markup_percent": "10"},
        follow_redirects=True,
    )
    second = client.post(
        "/settings/shipping/cost-centres",
        data={"name": "Trade", "markup_percent": "0", "markup_fixed": "2.5"},
        follow_redirects=True,
    )
    # The first is the default though its box was not ticked, and the manager is told.
    assert "Cost centre Retail added. It is the default, as the only cost centre" in first.text
    assert "Cost centre Trade added.</p>" in second.text
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
    from tests.carriers.samples import GENERIC

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


GOOD_CARD = (
    "zone,country,postcode_from,postcode_to\n"
    "NZ-ALL,NZ,0001,9999\n"
    "service,zone,max_weight_grams,base_price\n"
    "ON,NZ-ALL,25000,3.33\n"
)


def upload_card(client: FlaskClient, data: bytes, filename: str = "rates.csv") -> TestResponse:
    return client.post(
        "/settings/shipping/rate-card",
        data={"csv_file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def active_card(app: Flask) -> str:
    with app.app_context():
        return active_rate_card_text(settings_store(db.session))


def test_a_good_rate_card_replaces_the_active_one(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login("mia")

    response = upload_card(client, GOOD_CARD.encode(), "spring.csv")

    assert response.status_code == 302
    assert active_card(app) == GOOD_CARD
    page = client.get("/settings/shipping/").get_data(as_text=True)
    assert "Rate card saved" in page and "<strong>spring.csv</strong>, uploaded by mia" in page
    download = client.get("/settings/shipping/rate-card.csv")
    assert download.mimetype == "text/csv" and download.get_data(as_text=True) == GOOD_CARD
    assert "attachment" in download.headers["Content-Disposition"]


def test_a_bad_rate_card_lists_each_row_and_saves_nothing(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()
    bad = GOOD_CARD.replace("0001,9999", "0001,99X9") + "ON,NZ-ALL,5000,cheap\n"

    response = upload_card(client, bad.encode(), "bad.csv")

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Rate card bad.csv has 4 problems; nothing was saved." in page
    rows = re.findall(r"<tr><td class=\"num\">(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", page)
    assert rows == [
        ("2", "postcode_to", "postcode_to &#39;99X9&#39; is not a 4-digit postcode"),
        ("4", "zone", "zone &#39;NZ-ALL&#39; is not defined in the zone section"),
        ("5", "base_price", "base_price &#39;cheap&#39; must be an amount under 100000 like 6.50"),
        ("whole file", "—", "the rate card has no zones"),
    ]
    assert active_card(app) == default_rate_card_text()


def test_html_in_a_rate_card_cell_is_shown_as_text(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()
    hostile = GOOD_CARD.replace("NZ-ALL,NZ", '"<script>alert(1)</script>",NZ', 1)

    page = upload_card(client, hostile.encode()).get_data(as_text=True)

    assert "zone &#39;&lt;SCRIPT&gt;ALERT(1)&lt;/SCRIPT&gt;&#39; must be" in page
    assert "<script>" not in page.lower()


def test_a_rate_card_over_1_mb_is_refused(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()

    response = upload_card(client, GOOD_CARD.encode() + b"#" * (1024 * 1024), "huge.csv")

    assert response.status_code == 422
    assert "huge.csv is larger than 1 MB" in response.get_data(as_text=True)
    assert active_card(app) == default_rate_card_text()


def test_revert_brings_back_the_default_rate_card(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()
    upload_card(client, GOOD_CARD.encode())

    response = client.post("/settings/shipping/rate-card/revert")

    assert response.status_code == 302 and active_card(app) == default_rate_card_text()
    page = client.get("/settings/shipping/").get_data(as_text=True)
    assert "default rate card is active again" in page and "Revert to the default" not in page


def test_packers_may_not_see_or_change_the_rate_card(
    client: FlaskClient, auth: AuthActions
) -> None:
    auth.login("packer", role=Role.PACKER)

    assert client.get("/settings/shipping/rate-card.csv").status_code == 403
    assert upload_card(client, GOOD_CARD.encode()).status_code == 403


HOSTILE_CARD = (
    '# from the supplier,=HYPERLINK("http://evil.example")\n'
    "#prices;=1+1\n" + GOOD_CARD + "setting,value\ncurrency,NZD\n"
)


def test_the_downloaded_rate_card_runs_no_formula_and_uploads_again(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()
    upload_card(client, HOSTILE_CARD.encode())

    first = client.get("/settings/shipping/rate-card.csv").get_data(as_text=True)
    again = upload_card(client, first.encode(), "downloaded.csv")
    second = client.get("/settings/shipping/rate-card.csv").get_data(as_text=True)

    cells = [cell for row in csv.reader(io.StringIO(first)) for cell in row]
    assert '\'=HYPERLINK("http://evil.example")' in cells and "#prices;'=1+1" in cells
    assert not any(part.startswith("=") for cell in cells for part in cell.split(";"))
    assert again.status_code == 302 and second == first
    with app.app_context():
        assert active_rate_card(settings_store(db.session)) == load_rate_card(HOSTILE_CARD)
