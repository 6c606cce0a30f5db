"""The v1 resources over real HTTP: bare-array lists with their parameters, one order, 404s."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cin7.sandbox.conftest import Serve, Served

RESOURCES = ["SalesOrders", "Products", "ProductOptions", "Stock", "Branches", "Contacts"]

ORDERS: list[dict[str, Any]] = [
    {"id": 4, "stage": "New", "branchId": 1, "modifiedDate": "2026-05-01T01:00:00Z"},
    {"id": 1, "stage": "Processing", "branchId": 2, "modifiedDate": "2026-05-01T02:00:00Z"},
    {"id": 3, "stage": "New", "branchId": 2, "modifiedDate": "2026-05-01T02:00:00Z"},
    {"id": 2, "stage": "On Hold", "branchId": 1, "modifiedDate": "2026-05-01T01:00:00Z"},
    {"id": 5, "stage": "New", "branchId": 3, "modifiedDate": "2026-05-01T14:30:00+12:00"},
]


@pytest.fixture
def five(serve: Serve) -> Served:
    """An account holding exactly the five orders above."""
    return serve(orders=[dict(o) for o in ORDERS])


@pytest.mark.parametrize("resource", RESOURCES)
def test_each_list_is_a_bare_json_array_of_objects(served: Served, resource: str) -> None:
    response = served.get(resource)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body, list) and body and all(isinstance(r, dict) for r in body)
    assert "Link" not in response.headers


@pytest.mark.parametrize("resource", RESOURCES)
def test_each_list_takes_page_rows_fields_and_order(served: Served, resource: str) -> None:
    key = "code" if resource == "Stock" else "id"
    response = served.get(resource, rows=2, page=2, fields=key, order=f"{key} DESC")
    assert response.status_code == 200
    body = response.json()
    assert body and all(set(r) == {key} for r in body)
    everything = [r[key] for r in served.get(resource, rows=250, order=f"{key} DESC").json()]
    assert [r[key] for r in body] == everything[2:4]


def test_pages_split_the_orders_and_the_last_page_is_short_then_empty(serve: Serve) -> None:
    served = serve(order_count=20)
    pages = [served.ids(rows=8, page=page) for page in (1, 2, 3, 4)]
    assert [len(p) for p in pages] == [8, 8, 4, 0]
    assert pages[0] + pages[1] + pages[2] == sorted(served.state.orders)


def test_rows_are_capped_at_250_and_fifty_is_the_default(serve: Serve) -> None:
    served = serve(order_count=300)
    assert len(served.ids()) == 50
    assert len(served.ids(rows=1000)) == 250
    assert len(served.ids(rows=1000, page=2)) == 50


def test_fields_are_read_in_any_case(served: Served) -> None:
    body = served.get("SalesOrders", fields="ID, Reference,ModifiedDATE").json()
    assert all(set(o) == {"id", "reference", "modifiedDate"} for o in body)


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("id DESC", [5, 4, 3, 2, 1]),
        ("modifiedDate ASC", [2, 4, 1, 3, 5]),
        ("modifiedDate DESC", [5, 1, 3, 2, 4]),
        ("stage ASC, id DESC", [5, 4, 3, 2, 1]),
    ],
)
def test_order_sorts_and_breaks_ties_by_id(five: Served, order: str, expected: list[int]) -> None:
    assert five.ids(order=order) == expected


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("stage = 'New'", [3, 4, 5]),
        ("stage <> 'New'", [1, 2]),
        ("id > 3", [4, 5]),
        ("id < 3", [1, 2]),
        ("id >= 3", [3, 4, 5]),
        ("id <= 3", [1, 2, 3]),
        ("stage LIKE 'On%'", [2]),
        ("id IN (1, 5, 9)", [1, 5]),
        ("dispatchedDate IS NULL", [1, 2, 3, 4, 5]),
        ("stage IS NOT NULL AND (id = 1 OR id = 4)", [1, 4]),
        ("stage = 'New' AND branchId = 2 OR id = 1", [1, 3]),
        ("modifiedDate > '2026-05-01T01:30:00Z'", [1, 3, 5]),
        ("modifiedDate = '2026-05-01T14:00:00+12:00'", [1, 3]),
        ("modifiedDate = '2026-05-01T02:30:00'", [5]),
    ],
)
def test_where_filters_the_list(five: Served, where: str, expected: list[int]) -> None:
    assert five.ids(where=where) == expected


def test_where_order_and_paging_combine_like_a_poll(five: Served) -> None:
    where = "modifiedDate > '2026-05-01T00:00:00Z' AND dispatchedDate IS NULL"
    pages = [five.ids(where=where, order="modifiedDate ASC", rows=2, page=p) for p in (1, 2, 3)]
    assert pages == [[2, 4], [1, 3], [5]]


def test_where_works_on_other_resources(served: Served) -> None:
    body = served.get("Stock", where="branchId = 3 AND available >= 0", rows=250).json()
    assert body and {row["branchId"] for row in body} == {3}


@pytest.mark.parametrize(
    "params",
    [
        {"where": "stage = "},
        {"where": "stage = New"},
        {"where": "id IN ()"},
        {"where": "modifiedDate > 'soon'"},
        {"order": "id SIDEWAYS"},
        {"page": -1},
        {"rows": "ten"},
    ],
)
def test_malformed_list_parameters_are_answered_400_with_a_message(
    served: Served, params: dict[str, Any]
) -> None:
    response = served.get("SalesOrders", **params)
    assert response.status_code == 400
    assert response.json()["Message"]


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("param", ["where", "order"])
def test_a_where_or_order_naming_an_unknown_field_is_answered_400(
    served: Served, resource: str, param: str
) -> None:
    value = "noSuchField = 1" if param == "where" else "noSuchField ASC"
    response = served.get(resource, **{param: value})
    assert response.status_code == 400
    assert "noSuchField" in response.json()["Message"]


@pytest.mark.parametrize(
    ("resource", "where", "order"),
    [
        (
            "SalesOrders",
            "createdDate >= '2026-01-01T00:00:00Z' AND dispatchedDate IS NULL "
            "AND branchId IN (1, 2) AND stage IN ('New') AND reference = 'x' AND id > 0",
            "modifiedDate ASC, id ASC",
        ),
        ("Products", "id IN (101, 102) AND styleCode = 'MUG'", "id ASC"),
        ("ProductOptions", "code IN ('MUG-SAND') AND productId > 0", "id ASC"),
        ("Stock", "branchId = 1 AND available >= 0 AND code LIKE 'MUG%'", "code ASC"),
        ("Branches", "isActive = true", "id ASC"),
        ("Contacts", "email LIKE '%@example.com' AND type = 'Customer'", "id DESC"),
    ],
)
def test_the_filters_station_sends_name_known_fields(
    served: Served, resource: str, where: str, order: str
) -> None:
    assert served.get(resource, where=where, order=order).status_code == 200


def test_page_zero_is_read_as_page_one(served: Served) -> None:
    assert (
        served.ids(rows=5, page=0) == served.ids(rows=5, page=1) == sorted(served.state.orders)[:5]
    )


def test_one_order_by_id_is_the_stored_object(served: Served) -> None:
    order_id = served.first_id()
    response = served.get(f"SalesOrders/{order_id}")
    assert response.status_code == 200
    assert response.json() == served.state.orders[order_id]


@pytest.mark.parametrize(
    "path",
    [
        "SalesOrders/999999",
        "Widgets",
        "Products/999",
        "Branches/999",
        "Contacts/1",
        "Stock/1",
        "SalesOrders/x",
    ],
)
def test_unknown_ids_and_paths_are_answered_404_in_json(served: Served, path: str) -> None:
    response = served.get(path)
    assert response.status_code == 404
    assert response.json()["Message"]


@pytest.mark.parametrize("resource", ["Products", "Branches", "Contacts"])
def test_products_branches_and_contacts_are_served_by_id_too(served: Served, resource: str) -> None:
    listed = served.get(resource, rows=250).json()
    for record in (listed[0], listed[-1]):
        response = served.get(f"{resource}/{record['id']}")
        assert response.status_code == 200 and response.json() == record


def test_contacts_are_the_customers_of_the_orders_once_each(served: Served) -> None:
    contacts = served.get("Contacts", rows=250).json()
    emails = {o["email"].lower() for o in served.state.orders.values() if o.get("email")}
    assert sorted(c["email"].lower() for c in contacts) == sorted(emails)
    assert len({c["id"] for c in contacts}) == len(contacts)
    first = min(served.state.orders.values(), key=lambda o: o["id"])
    assert (contacts[0]["email"], contacts[0]["city"], contacts[0]["type"]) == (
        first["email"],
        first["deliveryCity"],
        "Customer",
    )


def test_an_unsupported_method_is_answered_405_in_json(served: Served) -> None:
    response = served.api("DELETE", f"SalesOrders/{served.first_id()}")
    assert response.status_code == 405
    assert response.json()["Message"]


def test_products_nest_their_options_and_product_options_list_them_flat(served: Served) -> None:
    products = served.get("Products", rows=250).json()
    options = served.get("ProductOptions", rows=250).json()
    nested = [o for p in products for o in p["productOptions"]]
    assert sorted(o["id"] for o in nested) == [o["id"] for o in options]
    assert all(o["productId"] in {p["id"] for p in products} for o in options)
