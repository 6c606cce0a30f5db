"""The Shopify module's trigger link: recorded per hit, outside the API's auth, limits and faults."""

from __future__ import annotations

from typing import Any

import pytest

from station.cin7.sandbox.shopify import TRIGGER_PATH
from tests.cin7.sandbox.conftest import START, Served


def trigger(served: Served, **params: Any) -> int:
    return served.http.get(served.url(TRIGGER_PATH), params=params).status_code


def test_each_hit_is_recorded_with_the_clock_time_and_needs_no_credentials(served: Served) -> None:
    order_id = served.first_id()
    assert trigger(served, idCustomerAppsLink="abc-123", OrderId=order_id) == 200
    served.clock.advance(2)
    assert trigger(served, idCustomerAppsLink="abc-123", OrderId=order_id) == 200
    assert served.state.shopify_hits == [
        {"link_id": "abc-123", "order_id": order_id, "t": START},
        {"link_id": "abc-123", "order_id": order_id, "t": START + 2},
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"idCustomerAppsLink": "abc", "OrderId": 999999},
        {"idCustomerAppsLink": "abc", "OrderId": "SO-1001"},
        {"idCustomerAppsLink": "abc"},
        {"OrderId": 1001},
        {"idCustomerAppsLink": "", "OrderId": 1001},
    ],
)
def test_an_unknown_order_or_missing_link_is_404(served: Served, params: dict[str, Any]) -> None:
    assert trigger(served, **params) == 404
    assert served.state.shopify_hits == []


def test_the_trigger_spends_no_rate_limit_and_meets_no_fault(limited: Served) -> None:
    order_id = limited.first_id()
    for _ in range(3):
        limited.get("Branches")
    limited.state.faults.fail_next(500)
    assert {trigger(limited, idCustomerAppsLink="x", OrderId=order_id) for _ in range(5)} == {200}
    assert limited.get("Branches").status_code == 429  # the trigger spent none of the second
    limited.clock.advance(1)
    assert limited.get("Branches").status_code == 500  # nor the planned fault


def test_hits_are_in_the_request_log_but_not_among_api_calls(served: Served) -> None:
    trigger(served, idCustomerAppsLink="x", OrderId=served.first_id())
    assert [r.path for r in served.state.requests] == [TRIGGER_PATH]
    assert served.state.api_calls() == []
