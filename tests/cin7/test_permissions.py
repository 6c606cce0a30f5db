"""The API permissions Station lists are exactly what its Cin7 client uses.

Every request method of ``Cin7Client`` is called against the sandbox; the resources and
methods the sandbox logged must be the ones ``PERMISSIONS`` names (none missing, none
extra), and the Cin7 settings page shows the list.
"""

from __future__ import annotations

import inspect

from flask.testing import FlaskClient

from station.cin7.client import Cin7Client
from station.cin7.permissions import PERMISSIONS
from station.cin7.sandbox import SandboxServer
from tests.conftest import AuthActions
from tests.dispatch.conftest import connect

REQUEST_METHODS = {
    "sales_orders",
    "sales_order",
    "products",
    "product_options",
    "stock",
    "branches",
    "update_sales_orders",
    "create_sales_orders",
}


def test_every_request_the_client_can_make_is_covered_here() -> None:
    public = {
        name
        for name, member in inspect.getmembers(Cin7Client, inspect.isfunction)
        if not name.startswith("_")
    }
    assert public - REQUEST_METHODS == {"list_page", "iter_pages", "close", "get_url"}


def test_the_listed_permissions_are_exactly_what_the_client_uses(sandbox: SandboxServer) -> None:
    order = next(o for o in sandbox.state.orders.values() if not o["isVoid"])
    with connect(sandbox) as client:
        client.sales_orders(rows=1)
        client.sales_order(order["id"])
        client.products(rows=1)
        client.product_options(rows=1)
        client.stock(rows=1)
        client.branches(rows=1)
        client.update_sales_orders([{"id": order["id"], "internalComments": "checked"}])
        client.create_sales_orders([{"reference": "WEB-PERMISSIONS"}])

    used: dict[str, set[str]] = {}
    for call in sandbox.state.api_calls():
        resource = call.path.split("/v1/", 1)[1].split("/")[0]
        used.setdefault(resource, set()).add(call.method)
    assert used == {p.resource: set(p.methods) for p in PERMISSIONS}


def test_the_cin7_settings_page_lists_them(client: FlaskClient, auth: AuthActions) -> None:
    auth.login()

    page = client.get("/settings/cin7").get_data(as_text=True)

    assert "The permissions Station's API user needs in Cin7" in page
    for permission in PERMISSIONS:
        assert f"<code>{permission.resource}</code></td><td>{permission.words}</td>" in page
    assert "Read, Create, Update" in page
