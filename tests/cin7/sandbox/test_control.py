"""``/_sandbox``: what a test in another process uses to watch and steer the sandbox."""

from __future__ import annotations

import json
from typing import Any

import pytest

from station.cin7.sandbox.shopify import TRIGGER_PATH
from tests.cin7.sandbox.conftest import START, Served, iso


def control(served: Served, method: str, path: str, **kwargs: Any) -> Any:
    response = served.http.request(method, served.url(f"/_sandbox{path}"), **kwargs)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_request_log_lists_api_calls_since_a_time(served: Served) -> None:
    order_id = served.first_id()
    served.get("Branches", fields="id")
    served.clock.advance(5)
    served.put([{"id": order_id, "stage": "Processing"}])
    assert control(served, "GET", "/requests") == [
        {
            "t": START,
            "method": "GET",
            "path": "/api/v1/Branches",
            "query": {"fields": "id"},
            "status": 200,
            "body": None,
        },
        {
            "t": START + 5,
            "method": "PUT",
            "path": "/api/v1/SalesOrders",
            "query": {},
            "status": 200,
            "body": [{"id": order_id, "stage": "Processing"}],
        },
    ]
    assert [r["t"] for r in control(served, "GET", "/requests", params={"since": START + 1})] == [
        START + 5
    ]


def answers(served: Served, count: int) -> list[Any]:
    """Status of the next API calls, or "malformed" for a 200 that is not JSON."""
    seen: list[Any] = []
    for _ in range(count):
        response = served.get("Branches")
        try:
            response.json()
        except json.JSONDecodeError:
            seen.append("malformed")
        else:
            seen.append(response.status_code)
    return seen


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"fail_next": {"status": 429, "count": 2, "retry_after": 3}}, [429, 429, 200]),
        ({"fail_next": {"status": 500}}, [500, 200, 200]),
        ({"malformed_next": {"count": 2}}, ["malformed", "malformed", 200]),
        ({"slow_next": {"seconds": 0.01}}, [200, 200, 200]),
        ({"random": {"rate": 1.0, "statuses": [503]}}, [503, 503, 503]),
        ({"random": {"rate": 0.0}}, [200, 200, 200]),
        ({"clear": True, "fail_next": {"status": 500}}, [500, 200, 200]),
    ],
)
def test_faults_switch_on_from_json(
    served: Served, spec: dict[str, Any], expected: list[Any]
) -> None:
    assert control(served, "POST", "/faults", json=spec) == {"ok": True}
    assert answers(served, len(expected)) == expected


def test_clear_switches_earlier_faults_off(served: Served) -> None:
    control(served, "POST", "/faults", json={"fail_next": {"status": 500, "count": 5}})
    control(served, "POST", "/faults", json={"clear": True})
    assert answers(served, 2) == [200, 200]


@pytest.mark.parametrize("spec", [lambda ids: ids, lambda ids: {"ids": ids, "message": "Locked"}])
def test_fail_items_takes_ids_or_ids_with_a_message(served: Served, spec: Any) -> None:
    first, second = sorted(served.state.orders)[:2]
    control(served, "POST", "/faults", json={"fail_items": spec([second])})
    results = served.put([{"id": first, "stage": "New"}, {"id": second, "stage": "New"}])
    assert [r["success"] for r in results] == [True, False]


@pytest.mark.parametrize(
    "spec",
    [
        {"explode": True},
        {"fail_next": {"status": "soon"}},
        {"fail_next": {"count": 2}},
        {"random": {"rate": 2}},
        {"fail_items": {"message": "no ids"}},
        ["not", "an", "object"],
    ],
)
def test_a_fault_spec_it_cannot_read_is_answered_400(served: Served, spec: Any) -> None:
    response = served.http.post(served.url("/_sandbox/faults"), json=spec)
    assert response.status_code == 400 and response.json()["Message"]


def test_touch_changes_an_order_and_moves_its_modified_date(served: Served) -> None:
    order_id = served.first_id()
    served.clock.advance(90)
    touched = control(served, "POST", f"/orders/{order_id}/touch", json={"stage": "On Hold"})
    assert (touched["stage"], touched["modifiedDate"]) == ("On Hold", iso(served.clock()))
    assert served.order(order_id) == touched


def test_dispatch_ships_an_order_with_its_tracking_and_the_api_lists_it(served: Served) -> None:
    order_id = served.first_id()
    served.clock.advance(30)

    shipped = control(
        served,
        "POST",
        f"/orders/{order_id}/dispatch",
        json={"trackingCode": "NZP1", "logisticsCarrier": "NZ Post"},
    )

    assert (shipped["stage"], shipped["dispatchedDate"]) == ("Dispatched", iso(served.clock()))
    where = f"id = {order_id} AND trackingCode = 'NZP1' AND dispatchedDate IS NOT NULL"
    assert served.ids(where=where) == [order_id]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"trackingCode": ""},
        {"trackingCode": "X" * 51},
        {"trackingCode": "T", "logisticsCarrier": 7},
    ],
)
def test_dispatch_without_a_usable_tracking_code_is_a_400(
    served: Served, body: dict[str, Any]
) -> None:
    order_id = served.first_id()
    before = served.order(order_id)

    response = served.http.post(served.url(f"/_sandbox/orders/{order_id}/dispatch"), json=body)

    assert response.status_code == 400 and response.json()["Message"]
    assert served.order(order_id) == before


def test_touch_and_raw_read_of_an_unknown_order_are_404(served: Served) -> None:
    assert served.http.post(served.url("/_sandbox/orders/999999/touch"), json={}).status_code == 404
    dispatch = served.http.post(
        served.url("/_sandbox/orders/999999/dispatch"), json={"trackingCode": "T"}
    )
    assert dispatch.status_code == 404
    assert served.http.get(served.url("/_sandbox/orders/999999")).status_code == 404


def test_generate_adds_orders_the_api_then_lists(served: Served) -> None:
    before = set(served.state.orders)
    ids = control(served, "POST", "/orders/generate", json={"count": 1000})
    assert len(ids) == len(set(ids)) == 1000 and not set(ids) & before
    listed = {i for page in range(1, 6) for i in served.ids(rows=250, page=page)}
    assert set(ids) <= listed


def test_shopify_hits_are_listed(served: Served) -> None:
    order_id = served.first_id()
    assert control(served, "GET", "/shopify-hits") == []
    served.http.get(
        served.url(TRIGGER_PATH), params={"idCustomerAppsLink": "L1", "OrderId": order_id}
    )
    assert control(served, "GET", "/shopify-hits") == [
        {"link_id": "L1", "order_id": order_id, "t": START}
    ]


def test_controls_are_neither_limited_nor_logged(limited: Served) -> None:
    order_id = limited.first_id()
    for _ in range(5):
        control(limited, "GET", f"/orders/{order_id}")
        control(limited, "GET", "/requests")
    assert [limited.get("Branches").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert len(limited.state.requests) == 4
