"""The Cin7 sandbox over real HTTP: auth, lists, writes, limits, faults, the Shopify trigger, controls.

Each test builds its own sandbox with ``create_sandbox(state, limits=..., clock=...)``.
One loopback server per module serves whichever sandbox the running test built: a
werkzeug server takes up to half a second to stop, and a server per test would make
this file slow for no gain.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from flask import Flask

from station.cin7.sandbox import (
    DEMO_API_KEY,
    DEMO_USERNAME,
    Limits,
    SandboxState,
    create_sandbox,
    seed_demo,
    serve_sandbox,
)

AUTH = (DEMO_USERNAME, DEMO_API_KEY)
START = 1_777_777_777.0  # 2026-05-03T03:09:37Z


class FakeClock:
    """A clock moved by hand: each ``advance`` appends the new time to ``times``."""

    def __init__(self, start: float = START) -> None:
        self.times = [start]

    def __call__(self) -> float:
        return self.times[-1]

    def advance(self, seconds: float) -> None:
        self.times.append(self.times[-1] + seconds)


def iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _CurrentSandbox:
    """A WSGI app that hands each request to the sandbox the running test built."""

    def __init__(self) -> None:
        self.app: Flask | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        assert self.app is not None, "no sandbox built for this test"
        return self.app(environ, start_response)


@dataclass
class Sandbox:
    """One test's sandbox: its account, its clock, and an HTTP client pointed at it."""

    state: SandboxState
    clock: FakeClock
    http: httpx.Client

    def api(self, method: str, path: str, *, auth: Any = AUTH, **kwargs: Any) -> httpx.Response:
        """Call ``/api/v1/<path>`` with the demo credentials (or ``auth``)."""
        return self.http.request(method, f"/api/v1/{path}", auth=auth, **kwargs)

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.api("GET", path, params=params)

    def ids(self, **params: Any) -> list[int]:
        response = self.get("SalesOrders", **params)
        assert response.status_code == 200, response.text
        return [o["id"] for o in response.json()]

    def put(self, items: Any) -> httpx.Response:
        return self.api("PUT", "SalesOrders", json=items)

    def post(self, items: Any) -> httpx.Response:
        return self.api("POST", "SalesOrders", json=items)

    def order(self, order_id: int) -> dict[str, Any]:
        """The order as the sandbox holds it (through the control endpoint, no API call)."""
        response = self.http.get(f"/_sandbox/orders/{order_id}")
        assert response.status_code == 200
        return response.json()  # type: ignore[no-any-return]

    def logged(self, since: float | None = None) -> list[dict[str, Any]]:
        params = {} if since is None else {"since": since}
        return self.http.get("/_sandbox/requests", params=params).json()  # type: ignore[no-any-return]


MakeSandbox = Callable[..., Sandbox]


@pytest.fixture(scope="module")
def current() -> Iterator[tuple[_CurrentSandbox, httpx.Client]]:
    switch = _CurrentSandbox()
    with serve_sandbox(switch) as server:  # type: ignore[arg-type]
        root = server.base_url.removesuffix("/api")
        with httpx.Client(base_url=root, timeout=10) as http:
            yield switch, http


@pytest.fixture
def make_sandbox(current: tuple[_CurrentSandbox, httpx.Client]) -> Iterator[MakeSandbox]:
    switch, http = current

    def make(
        *,
        orders: list[dict[str, Any]] | None = None,
        order_count: int = 12,
        limits: Limits = Limits.unlimited(),
    ) -> Sandbox:
        clock = FakeClock()
        state = SandboxState(clock=clock)
        seed_demo(state, order_count=0 if orders is not None else order_count)
        for order in orders or []:
            state.orders[order["id"]] = order
        switch.app = create_sandbox(state, limits=limits, clock=clock)
        return Sandbox(state, clock, http)

    yield make
    switch.app = None


@pytest.fixture
def sandbox(make_sandbox: MakeSandbox) -> Sandbox:
    """A demo account with a dozen orders and no limits."""
    return make_sandbox()


@pytest.fixture
def limited(make_sandbox: MakeSandbox) -> Sandbox:
    """A demo account enforcing Cin7's limits: 3 a second, 60 a minute, 5,000 a day."""
    return make_sandbox(limits=Limits())


def first_id(sandbox: Sandbox) -> int:
    return min(sandbox.state.orders)


# --- credentials --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "auth",
    [None, (DEMO_USERNAME, "wrong-key"), ("someone-else", DEMO_API_KEY), (DEMO_USERNAME, "")],
    ids=["missing", "wrong key", "wrong user", "empty key"],
)
@pytest.mark.parametrize(
    "path", ["SalesOrders", "SalesOrders/1001", "Products", "Stock", "Branches"]
)
def test_wrong_or_missing_credentials_are_answered_401(
    sandbox: Sandbox, auth: Any, path: str
) -> None:
    response = sandbox.api("GET", path, auth=auth)
    assert response.status_code == 401
    assert "Message" in response.json()


def test_writes_without_credentials_are_refused_and_change_nothing(sandbox: Sandbox) -> None:
    order_id = first_id(sandbox)
    response = sandbox.api("PUT", "SalesOrders", auth=None, json=[{"id": order_id, "stage": "X"}])
    assert response.status_code == 401
    assert sandbox.order(order_id)["stage"] != "X"


# --- lists --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "resource", ["SalesOrders", "Products", "ProductOptions", "Stock", "Branches"]
)
def test_lists_are_bare_json_arrays_of_objects(sandbox: Sandbox, resource: str) -> None:
    response = sandbox.get(resource)
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body, list) and body
    assert all(isinstance(item, dict) for item in body)
    assert "Link" not in response.headers


def test_an_unknown_resource_is_answered_404(sandbox: Sandbox) -> None:
    response = sandbox.get("Widgets")
    assert response.status_code == 404
    assert "Message" in response.json()


def test_pages_split_the_list_and_the_last_page_is_short_then_empty(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = make_sandbox(order_count=20)
    pages = [sandbox.ids(rows=8, page=page) for page in (1, 2, 3, 4)]
    assert [len(p) for p in pages] == [8, 8, 4, 0]
    assert pages[0] + pages[1] + pages[2] == sorted(sandbox.state.orders)


def test_page_one_is_the_default_and_fifty_rows_the_default_size(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(order_count=60)
    assert sandbox.ids() == sorted(sandbox.state.orders)[:50]


def test_rows_are_capped_at_250(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(order_count=300)
    assert len(sandbox.ids(rows=1000)) == 250
    assert len(sandbox.ids(rows=1000, page=2)) == 50


@pytest.mark.parametrize("params", [{"page": -1}, {"rows": 0}, {"page": "two"}, {"rows": "-5"}])
def test_a_page_or_rows_that_is_not_a_positive_number_is_answered_400(
    sandbox: Sandbox, params: dict[str, Any]
) -> None:
    response = sandbox.get("SalesOrders", **params)
    assert response.status_code == 400
    assert response.json()["Message"]


@pytest.mark.parametrize("fields", ["id,reference", "ID, Reference", "id,reference,noSuchField"])
def test_fields_limits_each_record_to_the_named_fields(sandbox: Sandbox, fields: str) -> None:
    body = sandbox.get("SalesOrders", fields=fields).json()
    assert body and all(set(order) == {"id", "reference"} for order in body)


def test_fields_apply_to_other_resources_too(sandbox: Sandbox) -> None:
    body = sandbox.get("Stock", fields="code,available").json()
    assert body and all(set(row) == {"code", "available"} for row in body)


ORDERS_FOR_SORTING = [
    {"id": 4, "stage": "New", "branchId": 1, "modifiedDate": "2026-05-01T01:00:00Z"},
    {"id": 1, "stage": "Processing", "branchId": 2, "modifiedDate": "2026-05-01T02:00:00Z"},
    {"id": 3, "stage": "New", "branchId": 2, "modifiedDate": "2026-05-01T02:00:00Z"},
    {"id": 2, "stage": "On Hold", "branchId": 1, "modifiedDate": "2026-05-01T01:00:00Z"},
    {"id": 5, "stage": "New", "branchId": 3, "modifiedDate": "2026-05-01T14:30:00+12:00"},
]


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        (None, [1, 2, 3, 4, 5]),
        ("id ASC", [1, 2, 3, 4, 5]),
        ("id DESC", [5, 4, 3, 2, 1]),
        ("modifiedDate ASC", [2, 4, 1, 3, 5]),
        ("modifiedDate", [2, 4, 1, 3, 5]),
        ("modifiedDate DESC", [5, 1, 3, 2, 4]),
        ("modifieddate desc", [5, 1, 3, 2, 4]),
        ("stage ASC", [3, 4, 5, 2, 1]),
        ("stage DESC", [1, 2, 3, 4, 5]),
        ("branchId DESC, modifiedDate ASC", [5, 1, 3, 2, 4]),
        ("stage ASC, id DESC", [5, 4, 3, 2, 1]),
    ],
)
def test_order_sorts_ascending_or_descending_and_breaks_ties_by_id(
    make_sandbox: MakeSandbox, order: str | None, expected: list[int]
) -> None:
    sandbox = make_sandbox(orders=[dict(o) for o in ORDERS_FOR_SORTING])
    params = {} if order is None else {"order": order}
    assert sandbox.ids(**params) == expected


@pytest.mark.parametrize("order", ["id SIDEWAYS", "id ASC DESC"])
def test_an_order_it_cannot_read_is_answered_400(sandbox: Sandbox, order: str) -> None:
    response = sandbox.get("SalesOrders", order=order)
    assert response.status_code == 400
    assert response.json()["Message"]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("stage = 'New'", [3, 4, 5]),
        ("stage = 'New' AND branchId = 2", [3]),
        ("branchId = 1 OR id = 5", [2, 4, 5]),
        ("modifiedDate > '2026-05-01T01:30:00Z'", [1, 3, 5]),
        ("modifiedDate = '2026-05-01T02:30:00Z'", [5]),
        ("modifiedDate >= '2026-05-01T14:00:00+12:00' AND stage <> 'New'", [1]),
        ("stage LIKE 'On%' OR stage IN ('Processing')", [1, 2]),
        ("id NOT IN (1, 2, 3)", [4, 5]),
        ("dispatchedDate IS NULL", [1, 2, 3, 4, 5]),
        ("stage IS NOT NULL AND (id = 1 OR id = 4)", [1, 4]),
    ],
)
def test_where_in_the_query_string_filters_the_list(
    make_sandbox: MakeSandbox, where: str, expected: list[int]
) -> None:
    sandbox = make_sandbox(orders=[dict(o) for o in ORDERS_FOR_SORTING])
    assert sandbox.ids(where=where) == expected


def test_where_order_and_paging_combine_like_a_poll(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(orders=[dict(o) for o in ORDERS_FOR_SORTING])
    where = "modifiedDate > '2026-05-01T00:00:00Z' AND dispatchedDate IS NULL"
    pages = [sandbox.ids(where=where, order="modifiedDate ASC", rows=2, page=p) for p in (1, 2, 3)]
    assert pages == [[2, 4], [1, 3], [5]]


@pytest.mark.parametrize(
    "where",
    ["stage = ", "stage = New", "id IN ()", "(id = 1", "modifiedDate > 'soon'", "id = 1; --"],
)
def test_a_malformed_where_is_answered_400_with_a_message(sandbox: Sandbox, where: str) -> None:
    response = sandbox.get("SalesOrders", where=where)
    assert response.status_code == 400
    assert response.json()["Message"].startswith("The request is invalid")


def test_get_by_id_returns_one_order_object(sandbox: Sandbox) -> None:
    order_id = first_id(sandbox)
    response = sandbox.get(f"SalesOrders/{order_id}")
    assert response.status_code == 200
    assert response.json() == sandbox.state.orders[order_id]


def test_get_by_an_unknown_id_is_answered_404_with_a_message(sandbox: Sandbox) -> None:
    response = sandbox.get("SalesOrders/999999")
    assert response.status_code == 404
    assert response.json()["Message"]


# --- PUT ----------------------------------------------------------------------------------


def test_put_answers_one_result_per_item_and_an_unknown_id_fails_only_its_item(
    sandbox: Sandbox,
) -> None:
    known = first_id(sandbox)
    response = sandbox.put(
        [{"id": known, "stage": "Fully Picked"}, {"id": 424242, "stage": "Fully Picked"}]
    )
    assert response.status_code == 200
    ok, missing = response.json()
    assert ok == {"index": 0, "success": True, "id": known, "code": None, "errors": []}
    assert missing["index"] == 1 and missing["success"] is False and missing["id"] == 424242
    assert "424242" in missing["errors"][0]
    assert sandbox.order(known)["stage"] == "Fully Picked"


@pytest.mark.parametrize(("length", "succeeds"), [(1, True), (50, True), (51, False), (300, False)])
def test_a_tracking_code_over_50_characters_fails_its_item(
    sandbox: Sandbox, length: int, succeeds: bool
) -> None:
    order_id = first_id(sandbox)
    before = sandbox.order(order_id)
    code = "T" * length
    (result,) = sandbox.put([{"id": order_id, "trackingCode": code, "stage": "Dispatched"}]).json()
    assert result["success"] is succeeds
    after = sandbox.order(order_id)
    if succeeds:
        assert after["trackingCode"] == code and after["stage"] == "Dispatched"
    else:
        assert "trackingCode" in result["errors"][0]
        assert after == before


def test_a_put_naming_line_items_fails_and_leaves_the_lines_alone(sandbox: Sandbox) -> None:
    order_id = first_id(sandbox)
    lines = sandbox.order(order_id)["lineItems"]
    (result,) = sandbox.put([{"id": order_id, "lineItems": [], "stage": "Dispatched"}]).json()
    assert result["success"] is False and "lineItems" in result["errors"][0]
    assert sandbox.order(order_id)["lineItems"] == lines


@pytest.mark.parametrize(
    "item", [{"stage": "New"}, {"id": "1001", "stage": "New"}, "1001", 1001, None]
)
def test_a_put_item_without_a_usable_id_fails_alone(sandbox: Sandbox, item: Any) -> None:
    order_id = first_id(sandbox)
    results = sandbox.put([item, {"id": order_id, "internalComments": "checked"}]).json()
    assert [r["success"] for r in results] == [False, True]
    assert results[0]["errors"]
    assert sandbox.order(order_id)["internalComments"] == "checked"


def test_pascal_case_keys_are_accepted_and_stored_camel_case(sandbox: Sandbox) -> None:
    order_id = first_id(sandbox)
    (result,) = sandbox.put(
        [
            {
                "Id": order_id,
                "TrackingCode": "NZP1",
                "LogisticsCarrier": "NZ Post",
                "FreightTotal": 9.5,
            }
        ]
    ).json()
    assert result["success"] is True
    order = sandbox.order(order_id)
    assert (order["trackingCode"], order["logisticsCarrier"], order["freightTotal"]) == (
        "NZP1",
        "NZ Post",
        9.5,
    )
    assert not {"TrackingCode", "LogisticsCarrier", "FreightTotal", "Id"} & set(order)


@pytest.mark.parametrize("key", ["trackingCode", "TrackingCode", "trackingcode", "TRACKINGCODE"])
def test_a_key_in_any_letter_case_updates_the_one_camel_case_field(
    sandbox: Sandbox, key: str
) -> None:
    order_id = first_id(sandbox)
    (result,) = sandbox.put([{"id": order_id, key: "NZP777"}]).json()
    assert result["success"] is True
    order = sandbox.order(order_id)
    assert order["trackingCode"] == "NZP777"
    assert [k for k in order if k.lower() == "trackingcode"] == ["trackingCode"]


@pytest.mark.parametrize("key", ["lineitems", "LINEITEMS", "LineItems"])
def test_line_items_are_refused_whatever_the_letter_case(sandbox: Sandbox, key: str) -> None:
    order_id = first_id(sandbox)
    (result,) = sandbox.put([{"id": order_id, key: []}]).json()
    assert result["success"] is False


def test_a_tracking_code_over_50_characters_fails_whatever_the_key_case(sandbox: Sandbox) -> None:
    (result,) = sandbox.put([{"id": first_id(sandbox), "trackingcode": "T" * 51}]).json()
    assert result["success"] is False


def test_read_only_fields_in_a_put_fail_the_item_and_change_nothing(sandbox: Sandbox) -> None:
    order_id = first_id(sandbox)
    before = sandbox.order(order_id)
    sandbox.clock.advance(60)
    (result,) = sandbox.put(
        [
            {
                "id": order_id,
                "status": "VOID",
                "Total": 0,
                "productTotal": 0,
                "source": "Station",
                "createdDate": "2000-01-01T00:00:00Z",
                "modifiedDate": "2000-01-01T00:00:00Z",
                "internalComments": "read-only fields refused",
            }
        ]
    ).json()
    assert result["success"] is False
    assert [e.split()[0] for e in result["errors"]] == [
        "status",
        "total",
        "productTotal",
        "source",
        "createdDate",
        "modifiedDate",
    ]
    assert sandbox.order(order_id) == before


def test_a_put_changes_only_the_fields_it_names(sandbox: Sandbox) -> None:
    order_id = first_id(sandbox)
    before = sandbox.order(order_id)
    sandbox.clock.advance(60)
    sandbox.put([{"id": order_id, "freightTotal": 12.5, "freightDescription": "NZ Post CPOLP"}])
    after = sandbox.order(order_id)
    changed = {k for k in after if after[k] != before.get(k)}
    assert changed == {"freightTotal", "freightDescription", "modifiedDate"}


def test_a_put_moves_modified_date_to_now_in_whole_seconds_utc(sandbox: Sandbox) -> None:
    order_id = first_id(sandbox)
    sandbox.clock.advance(3600.75)
    sandbox.put([{"id": order_id, "stage": "Processing"}])
    assert sandbox.order(order_id)["modifiedDate"] == iso(sandbox.clock())
    assert sandbox.ids(where=f"modifiedDate >= '{iso(sandbox.clock())}'") == [order_id]


def test_a_failed_put_item_does_not_move_modified_date(sandbox: Sandbox) -> None:
    order_id = first_id(sandbox)
    before = sandbox.order(order_id)["modifiedDate"]
    sandbox.clock.advance(3600)
    sandbox.put([{"id": order_id, "trackingCode": "T" * 51}])
    assert sandbox.order(order_id)["modifiedDate"] == before


def test_setting_dispatched_date_ships_every_line_in_full(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(order_count=40)
    order_id = next(
        o["id"]
        for o in sandbox.state.orders.values()
        if o["dispatchedDate"] is None and len(o["lineItems"]) > 1
    )
    (result,) = sandbox.put(
        [
            {
                "id": order_id,
                "stage": "Dispatched",
                "dispatchedDate": "2026-05-01T03:04:05Z",
                "trackingCode": "NZP123456789",
            }
        ]
    ).json()
    assert result["success"] is True
    order = sandbox.order(order_id)
    assert order["dispatchedDate"] == "2026-05-01T03:04:05Z"
    assert [line["qtyShipped"] for line in order["lineItems"]] == [
        line["qty"] for line in order["lineItems"]
    ]
    assert order_id not in sandbox.ids(where="dispatchedDate IS NULL", rows=250)


def test_a_put_without_dispatched_date_ships_nothing(sandbox: Sandbox) -> None:
    order_id = next(o["id"] for o in sandbox.state.orders.values() if o["dispatchedDate"] is None)
    sandbox.put([{"id": order_id, "stage": "Fully Picked"}])
    assert all(line["qtyShipped"] == 0 for line in sandbox.order(order_id)["lineItems"])


NOT_ARRAYS = [
    {"json": {"id": 1001, "stage": "New"}},
    {"json": "orders"},
    {"json": 5},
    {"json": None},
    {"content": b"[{not json", "headers": {"Content-Type": "application/json"}},
    {"content": b"", "headers": {"Content-Type": "application/json"}},
    {"content": b'[{"id": 1001}]', "headers": {"Content-Type": "text/plain"}},
]


@pytest.mark.parametrize("method", ["PUT", "POST"])
@pytest.mark.parametrize(
    "body", NOT_ARRAYS, ids=lambda b: repr(b.get("json", b.get("content")))[:20]
)
def test_a_write_whose_body_is_not_a_json_array_is_answered_400(
    sandbox: Sandbox, method: str, body: dict[str, Any]
) -> None:
    before = {k: dict(v) for k, v in sandbox.state.orders.items()}
    response = sandbox.api(method, "SalesOrders", **body)
    assert response.status_code == 400
    assert response.json()["Message"]
    assert sandbox.state.orders == before


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_a_write_of_more_than_250_items_is_answered_400(sandbox: Sandbox, method: str) -> None:
    response = sandbox.api(method, "SalesOrders", json=[{"id": first_id(sandbox)}] * 251)
    assert response.status_code == 400


def test_an_empty_array_is_an_empty_answer(sandbox: Sandbox) -> None:
    assert sandbox.put([]).json() == []
    assert sandbox.post([]).json() == []


# --- POST ---------------------------------------------------------------------------------


def a_new_order(**extra: Any) -> dict[str, Any]:
    return {
        "reference": "WEB-1",
        "firstName": "Aroha",
        "lastName": "Ngata",
        "deliveryAddress1": "1 Queen Street",
        "deliveryCity": "Auckland",
        "deliveryPostalCode": "1010",
        "deliveryCountry": "New Zealand",
        "branchId": 1,
        "lineItems": [{"code": "MUG-SEAGRE", "qty": 2, "unitPrice": 24.0}],
        **extra,
    }


def test_post_creates_orders_that_can_then_be_read(sandbox: Sandbox) -> None:
    sandbox.clock.advance(7.5)
    response = sandbox.post([a_new_order(isApproved=False), a_new_order(reference="WEB-2")])
    assert response.status_code == 200
    results = response.json()
    assert [(r["index"], r["success"], r["errors"]) for r in results] == [
        (0, True, []),
        (1, True, []),
    ]
    draft, approved = (sandbox.get(f"SalesOrders/{r['id']}").json() for r in results)
    assert (draft["reference"], draft["status"], draft["isApproved"]) == ("WEB-1", "DRAFT", False)
    assert (approved["reference"], approved["status"], approved["isApproved"]) == (
        "WEB-2",
        "APPROVED",
        True,
    )
    assert draft["createdDate"] == draft["modifiedDate"] == iso(sandbox.clock())
    assert draft["source"] == "API" and draft["stage"] == "New" and draft["isVoid"] is False
    (line,) = draft["lineItems"]
    assert line["code"] == "MUG-SEAGRE" and line["qty"] == 2 and line["qtyShipped"] == 0
    assert isinstance(line["id"], int)
    assert results[1]["id"] > results[0]["id"]


def test_post_refuses_an_id_and_read_only_fields(sandbox: Sandbox) -> None:
    existing = first_id(sandbox)
    count = len(sandbox.state.orders)
    results = sandbox.post(
        [a_new_order(id=existing), a_new_order(status="VOID", source="Hacked", total=1)]
    ).json()
    assert [(r["success"], r["id"]) for r in results] == [(False, None), (False, None)]
    assert str(existing) in results[0]["errors"][0]
    assert [e.split()[0] for e in results[1]["errors"]] == ["status", "source", "total"]
    assert len(sandbox.state.orders) == count


@pytest.mark.parametrize(
    ("reference", "is_approved", "line_items", "code", "qty"),
    [
        ("reference", "isApproved", "lineItems", "code", "qty"),
        ("Reference", "IsApproved", "LineItems", "Code", "Qty"),
        ("reference", "isapproved", "lineitems", "code", "qty"),
        ("REFERENCE", "ISAPPROVED", "LINEITEMS", "CODE", "QTY"),
    ],
    ids=["camel", "Pascal", "lower", "UPPER"],
)
def test_post_reads_keys_in_any_letter_case(
    sandbox: Sandbox, reference: str, is_approved: str, line_items: str, code: str, qty: str
) -> None:
    item = {reference: "WEB-P", is_approved: True, line_items: [{code: "TEA-LOOSEL", qty: 1}]}
    (result,) = sandbox.post([item]).json()
    assert result["success"] is True, result
    created = sandbox.order(result["id"])
    assert (created["reference"], created["status"], created["isApproved"]) == (
        "WEB-P",
        "APPROVED",
        True,
    )
    (line,) = created["lineItems"]
    assert (line["code"], line["qty"], line["qtyShipped"]) == ("TEA-LOOSEL", 1, 0)
    assert [k for k in created if k.lower() == "isapproved"] == ["isApproved"]


def test_an_unknown_sku_fails_its_item_naming_the_sku_and_creates_nothing(sandbox: Sandbox) -> None:
    count = len(sandbox.state.orders)
    bad = a_new_order(lineItems=[{"code": "MUG-SEAGRE", "qty": 1}, {"code": "NOPE-123", "qty": 1}])
    results = sandbox.post([bad, a_new_order(reference="WEB-OK")]).json()
    assert results[0]["success"] is False and results[0]["id"] is None
    assert any("NOPE-123" in e for e in results[0]["errors"])
    assert results[1]["success"] is True
    assert len(sandbox.state.orders) == count + 1


# --- rate limits --------------------------------------------------------------------------


def test_the_fourth_call_within_one_second_is_answered_429_with_retry_after_if_told(
    make_sandbox: MakeSandbox,
) -> None:
    limited = make_sandbox(limits=Limits(retry_after=True))
    statuses = [limited.get("Branches").status_code for _ in range(3)]
    refused = limited.get("Branches")
    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "1"
    assert refused.json()["Message"]


def test_calls_are_allowed_again_once_the_clock_moves_past_the_second(limited: Sandbox) -> None:
    for _ in range(3):
        limited.get("Branches")
    limited.clock.advance(0.75)
    assert limited.get("Branches").status_code == 429
    limited.clock.advance(0.25)
    assert [limited.get("Branches").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_the_second_window_slides_rather_than_resetting_on_the_second(limited: Sandbox) -> None:
    for step in (0, 0.5, 0.25):  # calls at t, t+0.5, t+0.75
        limited.clock.advance(step)
        assert limited.get("Branches").status_code == 200
    limited.clock.advance(0.25)  # t+1.0: the call at t has left the window, two remain
    assert limited.get("Branches").status_code == 200
    assert limited.get("Branches").status_code == 429


def test_the_sixty_first_call_within_a_minute_is_answered_429(make_sandbox: MakeSandbox) -> None:
    limited = make_sandbox(limits=Limits(retry_after=True))
    for second in range(20):
        assert [limited.get("Branches").status_code for _ in range(3)] == [200, 200, 200], second
        limited.clock.advance(1)
    refused = limited.get("Branches")  # t+20: 60 calls in the last minute
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "60"
    limited.clock.advance(39.5)
    assert limited.get("Branches").status_code == 429
    limited.clock.advance(0.5)  # t+60: the three calls at t have left the window
    assert [limited.get("Branches").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_the_daily_limit_is_answered_429(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(
        limits=Limits(per_second=100, per_minute=100, per_day=5, retry_after=True)
    )
    for _ in range(5):
        assert sandbox.get("Branches").status_code == 200
        sandbox.clock.advance(3600)
    refused = sandbox.get("Branches")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "3600"
    sandbox.clock.advance(86_400 - 5 * 3600)  # the first call is a day old
    assert sandbox.get("Branches").status_code == 200


def test_refused_calls_are_logged_but_do_not_count(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(limits=Limits(per_second=3, per_minute=6))
    statuses = [sandbox.get("Branches").status_code for _ in range(10)]
    statuses += [sandbox.api("GET", "Branches", auth=None).status_code for _ in range(5)]
    sandbox.clock.advance(1)
    statuses += [sandbox.get("Branches").status_code for _ in range(4)]
    assert statuses == [200] * 3 + [429] * 7 + [401] * 5 + [200, 200, 200, 429]
    assert [r["status"] for r in sandbox.logged()] == statuses


def test_writes_count_against_the_same_limits(limited: Sandbox) -> None:
    order_id = first_id(limited)
    limited.get("Branches")
    limited.put([{"id": order_id, "stage": "New"}])
    limited.get(f"SalesOrders/{order_id}")
    assert limited.put([{"id": order_id, "stage": "Processing"}]).status_code == 429
    assert limited.order(order_id)["stage"] == "New"


# --- faults -------------------------------------------------------------------------------


def test_fail_next_answers_a_burst_of_429s_with_retry_after_then_recovers(sandbox: Sandbox) -> None:
    sandbox.state.faults.fail_next(429, count=2, retry_after=5)
    responses = [sandbox.get("SalesOrders") for _ in range(3)]
    assert [r.status_code for r in responses] == [429, 429, 200]
    assert [r.headers.get("Retry-After") for r in responses[:2]] == ["5", "5"]
    assert isinstance(responses[2].json(), list)


@pytest.mark.parametrize("status", [500, 502, 503])
def test_fail_next_answers_a_server_error_once_without_retry_after(
    sandbox: Sandbox, status: int
) -> None:
    sandbox.state.faults.fail_next(status)
    failed = sandbox.get("SalesOrders")
    assert failed.status_code == status
    assert "Retry-After" not in failed.headers
    assert failed.json()["Message"]
    assert sandbox.get("SalesOrders").status_code == 200


def test_a_failed_write_applies_nothing(sandbox: Sandbox) -> None:
    order_id = first_id(sandbox)
    sandbox.state.faults.fail_next(500)
    assert sandbox.put([{"id": order_id, "stage": "Dispatched"}]).status_code == 500
    assert sandbox.order(order_id)["stage"] != "Dispatched"


def test_malformed_next_answers_200_with_a_body_that_is_not_json(sandbox: Sandbox) -> None:
    sandbox.state.faults.malformed_next()
    response = sandbox.get("SalesOrders")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)
    assert isinstance(sandbox.get("SalesOrders").json(), list)


def test_slow_next_delays_the_answer_then_answers_normally(sandbox: Sandbox) -> None:
    sandbox.state.faults.slow_next(0.2)
    started = time.perf_counter()
    response = sandbox.get("Branches")
    took = time.perf_counter() - started
    assert response.status_code == 200 and len(response.json()) == 3
    assert took >= 0.2


def test_fail_items_fails_those_orders_inside_a_batch_and_the_others_succeed(
    sandbox: Sandbox,
) -> None:
    first, second, third = sorted(sandbox.state.orders)[:3]
    sandbox.state.faults.fail_items(second, message="Branch is locked")
    response = sandbox.put([{"id": i, "stage": "Fully Picked"} for i in (first, second, third)])
    assert response.status_code == 200
    results = response.json()
    assert [r["success"] for r in results] == [True, False, True]
    assert results[1]["errors"] == ["Branch is locked"] and results[1]["id"] == second
    assert [sandbox.order(i)["stage"] == "Fully Picked" for i in (first, second, third)] == [
        True,
        False,
        True,
    ]


def test_random_faults_at_rate_one_fail_every_call(sandbox: Sandbox) -> None:
    sandbox.state.faults.random(1.0)
    responses = [sandbox.get("Branches") for _ in range(8)]
    assert {r.status_code for r in responses} <= {429, 500}
    assert all("Retry-After" not in r.headers for r in responses)
    sandbox.state.faults.random(1.0, retry_after=1)
    assert sandbox.get("Branches").headers["Retry-After"] == "1"


def test_random_faults_use_the_statuses_given(sandbox: Sandbox) -> None:
    sandbox.state.faults.random(1.0, statuses=(503,))
    assert {sandbox.get("Branches").status_code for _ in range(5)} == {503}


def test_random_faults_at_rate_zero_fail_nothing(sandbox: Sandbox) -> None:
    sandbox.state.faults.random(0.0)
    assert {sandbox.get("Branches").status_code for _ in range(8)} == {200}


def test_random_faults_are_repeatable_with_the_same_seed(make_sandbox: MakeSandbox) -> None:
    runs = []
    for _ in range(2):
        sandbox = make_sandbox()
        sandbox.state.faults.random(0.5, seed=3)
        runs.append([sandbox.get("Branches").status_code for _ in range(12)])
    assert runs[0] == runs[1]
    assert 200 in runs[0] and set(runs[0]) - {200}


def test_clear_switches_every_fault_off(sandbox: Sandbox) -> None:
    order_id = first_id(sandbox)
    faults = sandbox.state.faults
    faults.fail_next(500, count=3)
    faults.malformed_next()
    faults.slow_next(5.0)
    faults.fail_items(order_id)
    faults.random(1.0)
    faults.clear()
    assert [sandbox.get("Branches").status_code for _ in range(4)] == [200] * 4
    assert sandbox.put([{"id": order_id, "stage": "New"}]).json()[0]["success"] is True


def test_faults_are_applied_after_credentials_and_limits(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(limits=Limits(per_second=1))
    sandbox.state.faults.fail_next(500)
    assert sandbox.api("GET", "Branches", auth=None).status_code == 401
    assert sandbox.get("Branches").status_code == 500
    assert sandbox.get("Branches").status_code == 429
    sandbox.clock.advance(1)
    assert sandbox.get("Branches").status_code == 200


def test_faulted_calls_are_logged_with_the_status_they_were_answered(sandbox: Sandbox) -> None:
    sandbox.state.faults.fail_next(429)
    sandbox.state.faults.malformed_next()
    sandbox.get("SalesOrders")
    sandbox.get("SalesOrders")
    sandbox.get("SalesOrders")
    assert [r["status"] for r in sandbox.logged()] == [429, 200, 200]


# --- the Shopify trigger ------------------------------------------------------------------

TRIGGER = "/Cloud/Apps/ShopifyConnector/UpdateOrderStatus"


def test_the_shopify_trigger_records_each_hit_and_needs_no_credentials(sandbox: Sandbox) -> None:
    order_id = first_id(sandbox)
    response = sandbox.http.get(
        TRIGGER, params={"idCustomerAppsLink": "abc-123", "OrderId": order_id}
    )
    assert response.status_code == 200
    sandbox.clock.advance(2)
    sandbox.http.get(TRIGGER, params={"idCustomerAppsLink": "abc-123", "OrderId": order_id})
    assert sandbox.state.shopify_hits == [
        {"link_id": "abc-123", "order_id": order_id, "t": START},
        {"link_id": "abc-123", "order_id": order_id, "t": START + 2},
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"idCustomerAppsLink": "abc-123", "OrderId": 999999},
        {"idCustomerAppsLink": "abc-123", "OrderId": "SO-1001"},
        {"idCustomerAppsLink": "abc-123"},
        {"OrderId": 1001},
        {"idCustomerAppsLink": "", "OrderId": 1001},
    ],
)
def test_the_shopify_trigger_404s_an_unknown_order_or_missing_link(
    sandbox: Sandbox, params: dict[str, Any]
) -> None:
    assert sandbox.http.get(TRIGGER, params=params).status_code == 404
    assert sandbox.state.shopify_hits == []


def test_the_shopify_trigger_is_not_rate_limited_faulted_or_logged(limited: Sandbox) -> None:
    order_id = first_id(limited)
    for _ in range(3):
        limited.get("Branches")
    limited.state.faults.fail_next(500)
    hits = [
        limited.http.get(
            TRIGGER, params={"idCustomerAppsLink": "x", "OrderId": order_id}
        ).status_code
        for _ in range(10)
    ]
    assert hits == [200] * 10
    assert limited.get("Branches").status_code == 429  # the trigger spent none of the second
    limited.clock.advance(1)
    assert limited.get("Branches").status_code == 500  # nor the planned fault
    assert len(limited.logged()) == 5


# --- the /_sandbox controls -----------------------------------------------------------------


def test_the_request_log_lists_api_calls_with_their_query_and_body(sandbox: Sandbox) -> None:
    order_id = first_id(sandbox)
    sandbox.get("SalesOrders", where="stage = 'New'", rows=5)
    sandbox.clock.advance(10)
    sandbox.put([{"id": order_id, "stage": "Processing"}])
    sandbox.http.get("/_sandbox/shopify-hits")
    log = sandbox.logged()
    assert log == [
        {
            "t": START,
            "method": "GET",
            "path": "/api/v1/SalesOrders",
            "query": {"where": "stage = 'New'", "rows": "5"},
            "status": 200,
            "body": None,
        },
        {
            "t": START + 10,
            "method": "PUT",
            "path": "/api/v1/SalesOrders",
            "query": {},
            "status": 200,
            "body": [{"id": order_id, "stage": "Processing"}],
        },
    ]


def test_the_request_log_since_keeps_calls_at_or_after_that_time(sandbox: Sandbox) -> None:
    for _ in range(3):
        sandbox.get("Branches")
        sandbox.clock.advance(5)
    assert [r["t"] for r in sandbox.logged(since=START + 5)] == [START + 5, START + 10]
    assert sandbox.logged(since=START + 100) == []


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"fail_next": {"status": 429, "count": 2, "retry_after": 3}}, [429, 429, 200]),
        ({"fail_next": {"status": 500}}, [500, 200, 200]),
        ({"malformed_next": {"count": 2}}, ["malformed", "malformed", 200]),
        ({"slow_next": {"seconds": 0.01}}, [200, 200, 200]),
        ({"random": {"rate": 1.0, "statuses": [503]}}, [503, 503, 503]),
        ({"random": {"rate": 0.0}}, [200, 200, 200]),
        ({"fail_next": {"status": 500, "count": 5}, "clear": True}, [500, 500, 500]),
        ({"clear": True, "fail_next": {"status": 500}}, [500, 200, 200]),
    ],
)
def test_the_faults_endpoint_switches_faults_on_from_json(
    sandbox: Sandbox, spec: dict[str, Any], expected: list[Any]
) -> None:
    assert sandbox.http.post("/_sandbox/faults", json=spec).json() == {"ok": True}
    seen: list[Any] = []
    for _ in expected:
        response = sandbox.get("Branches")
        try:
            response.json()
        except json.JSONDecodeError:
            seen.append("malformed")
            continue
        seen.append(response.status_code)
    assert seen == expected


def test_the_faults_endpoint_clear_switches_earlier_faults_off(sandbox: Sandbox) -> None:
    sandbox.http.post("/_sandbox/faults", json={"fail_next": {"status": 500, "count": 5}})
    sandbox.http.post("/_sandbox/faults", json={"clear": True})
    assert sandbox.get("Branches").status_code == 200


def test_the_faults_endpoint_fails_items(sandbox: Sandbox) -> None:
    first, second = sorted(sandbox.state.orders)[:2]
    sandbox.http.post("/_sandbox/faults", json={"fail_items": [second]})
    results = sandbox.put([{"id": first, "stage": "New"}, {"id": second, "stage": "New"}]).json()
    assert [r["success"] for r in results] == [True, False]


def test_touch_changes_an_order_and_moves_its_modified_date(sandbox: Sandbox) -> None:
    order_id = first_id(sandbox)
    sandbox.clock.advance(90)
    response = sandbox.http.post(f"/_sandbox/orders/{order_id}/touch", json={"stage": "On Hold"})
    assert response.status_code == 200
    assert response.json()["stage"] == "On Hold"
    order = sandbox.order(order_id)
    assert (order["stage"], order["modifiedDate"]) == ("On Hold", iso(sandbox.clock()))


def test_touch_without_a_body_only_moves_modified_date(sandbox: Sandbox) -> None:
    order_id = first_id(sandbox)
    before = sandbox.order(order_id)
    sandbox.clock.advance(90)
    sandbox.http.post(f"/_sandbox/orders/{order_id}/touch")
    after = sandbox.order(order_id)
    assert after == {**before, "modifiedDate": iso(sandbox.clock())}


def test_touch_of_an_unknown_order_is_404(sandbox: Sandbox) -> None:
    assert sandbox.http.post("/_sandbox/orders/999999/touch", json={}).status_code == 404


def test_generate_adds_orders_the_api_then_lists(sandbox: Sandbox) -> None:
    before = set(sandbox.state.orders)
    ids = sandbox.http.post("/_sandbox/orders/generate", json={"count": 5}).json()
    assert len(ids) == 5 and not set(ids) & before
    assert set(ids) <= set(sandbox.ids(rows=250))
    for order_id in ids:
        assert sandbox.order(order_id)["modifiedDate"] <= iso(sandbox.clock())


def test_generate_adds_a_hundred_orders_by_default(sandbox: Sandbox) -> None:
    count = len(sandbox.state.orders)
    assert len(sandbox.http.post("/_sandbox/orders/generate").json()) == 100
    assert len(sandbox.state.orders) == count + 100


def test_the_raw_order_endpoint_needs_no_credentials_and_404s_unknown_ids(sandbox: Sandbox) -> None:
    order_id = first_id(sandbox)
    assert sandbox.http.get(f"/_sandbox/orders/{order_id}").json() == sandbox.state.orders[order_id]
    assert sandbox.http.get("/_sandbox/orders/999999").status_code == 404


def test_the_shopify_hits_endpoint_lists_the_hits(sandbox: Sandbox) -> None:
    order_id = first_id(sandbox)
    assert sandbox.http.get("/_sandbox/shopify-hits").json() == []
    sandbox.http.get(TRIGGER, params={"idCustomerAppsLink": "L1", "OrderId": order_id})
    assert sandbox.http.get("/_sandbox/shopify-hits").json() == [
        {"link_id": "L1", "order_id": order_id, "t": START}
    ]


def test_the_controls_are_neither_limited_nor_logged(limited: Sandbox) -> None:
    order_id = first_id(limited)
    for _ in range(5):
        assert limited.http.get(f"/_sandbox/orders/{order_id}").status_code == 200
        assert limited.http.get("/_sandbox/requests").status_code == 200
    assert [limited.get("Branches").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert len(limited.logged()) == 4
