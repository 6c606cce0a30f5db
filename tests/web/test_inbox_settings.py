"""Inbox → Settings: folder routing, mail class, the Shopify secret, folders and API tokens."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station.extensions import db
from station.inbox.options import SHOPIFY_SECRET_KEY, InboxOptions, load_options
from station.inbox.shopify_shops import bound_shops, shop_secret
from station.models import ApiToken, InboxFolder, InboxProductSetting
from station.settings import settings_store
from tests.conftest import AuthActions
from tests.inbox.samples import order_json


def folder_id(app: Flask, name: str) -> int:
    with app.app_context():
        found = db.session.scalar(select(InboxFolder.id).where(InboxFolder.name == name))
        assert found is not None
        return found


def test_a_manager_saves_where_orders_go_and_the_mail_class(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()
    client.post("/inbox/settings/folders", data={"name": "Warehouse"})
    warehouse, shipped, canceled = (folder_id(app, n) for n in ("Warehouse", "Shipped", "Canceled"))

    response = client.post(
        "/inbox/settings",
        data={
            "after_import_folder_id": warehouse,
            "after_shipment_folder_id": shipped,
            "if_canceled_folder_id": canceled,
            "default_mail_class": " CourierPost Overnight ",
        },
    )

    assert response.status_code == 302
    with app.app_context():
        assert load_options(settings_store(db.session)) == InboxOptions(
            after_import_folder_id=warehouse,
            after_shipment_folder_id=shipped,
            if_canceled_folder_id=canceled,
            default_mail_class="CourierPost Overnight",
        )


def test_a_folder_that_is_not_offered_is_refused(client: FlaskClient, auth: AuthActions) -> None:
    auth.login()
    client.get("/inbox/settings")

    response = client.post(
        "/inbox/settings",
        data={
            "after_import_folder_id": 999,
            "after_shipment_folder_id": 1,
            "if_canceled_folder_id": 1,
        },
    )

    assert response.status_code == 422 and "Not a valid choice" in response.get_data(as_text=True)


def _step_ids(app: Flask, client: FlaskClient) -> dict[str, int]:
    client.get("/inbox/settings")  # the default folders appear
    steps = [
        ("after_import_folder_id", "Submitted"),
        ("after_shipment_folder_id", "Shipped"),
        ("if_canceled_folder_id", "Canceled"),
    ]
    return {field: folder_id(app, name) for field, name in steps}


def test_a_shopify_secret_is_bound_to_its_shop_never_shown_and_can_be_forgotten(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()
    secret, shop = "shpss_never_shown_0123456789", "kete-co.myshopify.com"
    ids = _step_ids(app, client)

    client.post("/inbox/settings", data={**ids, "shopify_shop": shop, "shopify_secret": secret})
    page = client.get("/inbox/settings").get_data(as_text=True)

    assert secret not in page and shop in page
    with app.app_context():
        store = settings_store(db.session)
        assert shop_secret(store, shop) == secret
        assert shop_secret(store, "other-co.myshopify.com") is None
    client.post(f"/inbox/settings/shopify/{shop}/forget")
    with app.app_context():
        assert shop_secret(settings_store(db.session), shop) is None


@pytest.mark.parametrize(
    ("shop", "secret", "message"),
    [
        ("", "shpss_some_secret", "Shop domain: A shop name is 1 to 64"),
        ("other-co.myshopify.com", "shpss_first_shop_secret", "Another shop already has this"),
    ],
)
def test_a_secret_without_a_shop_or_shared_with_another_shop_is_refused(
    app: Flask, client: FlaskClient, auth: AuthActions, shop: str, secret: str, message: str
) -> None:
    auth.login()
    ids = _step_ids(app, client)
    first = {"shopify_shop": "kete-co.myshopify.com", "shopify_secret": "shpss_first_shop_secret"}
    client.post("/inbox/settings", data={**ids, **first})

    response = client.post(
        "/inbox/settings", data={**ids, "shopify_shop": shop, "shopify_secret": secret}
    )

    assert response.status_code == 422 and message in response.get_data(as_text=True)
    with app.app_context():
        assert bound_shops(db.session) == ["kete-co.myshopify.com"]


def test_the_unbound_secret_of_old_is_named_until_one_is_bound(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()
    with app.app_context():
        settings_store(db.session).set_secret(SHOPIFY_SECRET_KEY, "shpss_from_before")
        db.session.commit()
    ids = _step_ids(app, client)

    before = client.get("/inbox/settings").get_data(as_text=True)
    client.post(
        "/inbox/settings",
        data={
            **ids,
            "shopify_shop": "kete-co.myshopify.com",
            "shopify_secret": "shpss_from_before",
        },
    )
    after = client.get("/inbox/settings").get_data(as_text=True)

    assert "kept but not used" in before and "kept but not used" not in after


def test_custom_folders_come_and_go_but_defaults_stay(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()
    client.post("/inbox/settings/folders", data={"name": "Wholesale"})

    taken = client.post("/inbox/settings/folders", data={"name": "wholesale"})
    default = client.post(f"/inbox/settings/folders/{folder_id(app, 'Errors')}/remove")
    removed = client.post(f"/inbox/settings/folders/{folder_id(app, 'Wholesale')}/remove")

    assert taken.status_code == 422 and "already a folder called Wholesale" in taken.get_data(
        as_text=True
    )
    assert (
        default.status_code == 409
        and "Errors is one of the default folders" in default.get_data(as_text=True)
    )
    assert removed.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(InboxFolder).where(InboxFolder.name == "Wholesale")) is None


def test_a_token_is_shown_once_works_and_can_be_revoked(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()

    made = client.post("/inbox/settings/tokens", data={"name": "Web shop", "shop": "kete-co"})

    assert made.status_code == 201 and made.headers["Cache-Control"] == "no-store"
    token = made.get_data(as_text=True).split('<code id="api-token">')[1].split("</code>")[0]
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    created = api.post("/api/v1/orders", json=order_json(), headers=headers)
    assert created.status_code == 201 and created.get_json()["shop"] == "kete-co"
    assert token not in client.get("/inbox/settings").get_data(as_text=True)
    with app.app_context():
        row = db.session.scalar(select(ApiToken))
        assert row is not None and row.token_hash != token

    client.post(f"/inbox/settings/tokens/{row.id}/revoke")

    assert api.post("/api/v1/orders", json=order_json(), headers=headers).status_code == 401
    assert "revoked" in client.get("/inbox/settings").get_data(as_text=True)


def test_a_token_for_a_bad_shop_name_is_refused(client: FlaskClient, auth: AuthActions) -> None:
    auth.login()

    response = client.post("/inbox/settings/tokens", data={"name": "Web", "shop": "my shop"})

    assert response.status_code == 422 and "A shop name is" in response.get_data(as_text=True)


def test_product_settings_are_saved_listed_and_removed(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()

    saved = client.post("/inbox/settings/products", data={"sku": "GIFT-CARD", "do_not_send": "y"})
    client.post("/inbox/settings/products", data={"sku": "MUG-OLD", "send_as": "MUG-SAND"})
    refused = client.post("/inbox/settings/products", data={"sku": "MUG", "send_as": "mug"})
    page = client.get("/inbox/settings").get_data(as_text=True)

    assert saved.status_code == 302
    assert refused.status_code == 422 and "cannot be sent as itself" in refused.get_data(
        as_text=True
    )
    assert "GIFT-CARD</td>" in page and "not sent" in page and "sent as MUG-SAND" in page
    with app.app_context():
        row = db.session.scalar(
            select(InboxProductSetting).where(InboxProductSetting.sku == "MUG-OLD")
        )
        assert row is not None
        row_id = row.id

    client.post(f"/inbox/settings/products/{row_id}/remove")

    with app.app_context():
        assert db.session.get(InboxProductSetting, row_id) is None
