"""Batch writes of sales orders over HTTP: one result per item, in order, each on its own."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cin7.sandbox.conftest import Serve, Served, iso


def open_order_with_lines(served: Served, *, at_least: int = 2) -> int:
    return next(
        o["id"]
        for o in served.state.orders.values()
        if o["dispatchedDate"] is None and len(o["lineItems"]) >= at_least
    )


class TestUpdate:
    def test_each_item_gets_its_own_result_and_an_unknown_id_fails_alone(
        self, served: Served
    ) -> None:
        known = served.first_id()
        results = served.put(
            [{"id": known, "stage": "Fully Picked"}, {"id": 424242, "stage": "Fully Picked"}]
        )
        assert results[0] == {"index": 0, "success": True, "id": known, "code": None, "errors": []}
        assert results[1]["index"] == 1 and results[1]["success"] is False
        assert results[1]["id"] == 424242 and "424242" in results[1]["errors"][0]
        assert served.order(known)["stage"] == "Fully Picked"

    @pytest.mark.parametrize(("length", "succeeds"), [(50, True), (51, False)])
    def test_a_tracking_code_over_50_characters_fails_its_item(
        self, served: Served, length: int, succeeds: bool
    ) -> None:
        order_id = served.first_id()
        before = served.order(order_id)
        (result,) = served.put(
            [{"id": order_id, "trackingCode": "T" * length, "stage": "Dispatched"}]
        )
        assert result["success"] is succeeds
        if succeeds:
            assert served.order(order_id)["trackingCode"] == "T" * length
        else:
            assert "trackingCode" in result["errors"][0]
            assert served.order(order_id) == before

    @pytest.mark.parametrize("key", ["lineItems", "LineItems", "LINEITEMS"])
    def test_line_items_fail_the_item_and_leave_the_lines_alone(
        self, served: Served, key: str
    ) -> None:
        order_id = served.first_id()
        lines = served.order(order_id)["lineItems"]
        (result,) = served.put([{"id": order_id, key: [], "stage": "Dispatched"}])
        assert result["success"] is False and "lineItems" in result["errors"][0]
        assert served.order(order_id)["lineItems"] == lines

    @pytest.mark.parametrize("item", [{"stage": "New"}, {"id": "1001"}, {"id": True}, "1001", None])
    def test_an_item_without_a_usable_id_fails_alone(self, served: Served, item: Any) -> None:
        order_id = served.first_id()
        results = served.put([item, {"id": order_id, "internalComments": "checked"}])
        assert [r["success"] for r in results] == [False, True]
        assert results[0]["errors"] and results[0]["id"] is None

    def test_pascal_case_keys_are_accepted_and_stored_camel_case(self, served: Served) -> None:
        order_id = served.first_id()
        (result,) = served.put(
            [
                {
                    "Id": order_id,
                    "TrackingCode": "NZP1",
                    "LogisticsCarrier": "NZ Post",
                    "FREIGHTTOTAL": 9.5,
                }
            ]
        )
        assert result["success"] is True
        order = served.order(order_id)
        assert (order["trackingCode"], order["logisticsCarrier"], order["freightTotal"]) == (
            "NZP1",
            "NZ Post",
            9.5,
        )
        assert not {"TrackingCode", "LogisticsCarrier", "FREIGHTTOTAL", "Id"} & set(order)

    def test_only_the_named_fields_change_and_modified_date_moves_to_now(
        self, served: Served
    ) -> None:
        order_id = served.first_id()
        before = served.order(order_id)
        served.clock.advance(3600.5)
        served.put([{"id": order_id, "freightTotal": 12.5, "freightDescription": "NZ Post CPOLP"}])
        after = served.order(order_id)
        assert {k for k in after if after[k] != before.get(k)} == {
            "freightTotal",
            "freightDescription",
            "modifiedDate",
        }
        assert after["modifiedDate"] == iso(served.clock())
        assert served.ids(where=f"modifiedDate >= '{iso(served.clock())}'") == [order_id]

    def test_read_only_and_unknown_fields_are_ignored(self, served: Served) -> None:
        order_id = served.first_id()
        before = served.order(order_id)
        (result,) = served.put(
            [
                {
                    "id": order_id,
                    "status": "VOID",
                    "Total": 0,
                    "productTotal": 0,
                    "source": "Station",
                    "createdDate": "2000-01-01T00:00:00Z",
                    "modifiedDate": "2000-01-01T00:00:00Z",
                    "notACin7Field": "x",
                    "internalComments": "kept",
                }
            ]
        )
        assert result["success"] is True
        after = served.order(order_id)
        for key in ("status", "total", "productTotal", "source", "createdDate"):
            assert after[key] == before[key]
        assert "notACin7Field" not in after and after["internalComments"] == "kept"

    def test_a_failed_item_does_not_move_modified_date(self, served: Served) -> None:
        order_id = served.first_id()
        before = served.order(order_id)["modifiedDate"]
        served.clock.advance(3600)
        served.put([{"id": order_id, "trackingCode": "T" * 51}])
        assert served.order(order_id)["modifiedDate"] == before

    def test_dispatching_ships_every_line_and_stores_the_date_in_utc(self, serve: Serve) -> None:
        served = serve(order_count=40)
        order_id = open_order_with_lines(served)
        (result,) = served.put(
            [
                {
                    "id": order_id,
                    "stage": "Dispatched",
                    "dispatchedDate": "2026-05-01T15:04:05+12:00",
                    "trackingCode": "NZP123456789",
                }
            ]
        )
        assert result["success"] is True
        order = served.order(order_id)
        assert order["dispatchedDate"] == "2026-05-01T03:04:05Z"
        assert [li["qtyShipped"] for li in order["lineItems"]] == [
            li["qty"] for li in order["lineItems"]
        ]
        assert order_id not in served.ids(where="dispatchedDate IS NULL", rows=250)

    def test_an_update_without_dispatched_date_ships_nothing(self, serve: Serve) -> None:
        served = serve(order_count=40)
        order_id = open_order_with_lines(served)
        served.put([{"id": order_id, "stage": "Fully Picked"}])
        assert {li["qtyShipped"] for li in served.order(order_id)["lineItems"]} == {0}

    def test_a_date_that_is_not_a_date_fails_its_item(self, served: Served) -> None:
        (result,) = served.put([{"id": served.first_id(), "dispatchedDate": "tomorrow"}])
        assert result["success"] is False and "dispatchedDate" in result["errors"][0]

    def test_voiding_or_approving_moves_the_read_only_status(self, served: Served) -> None:
        order_id = served.first_id()
        served.put([{"id": order_id, "isApproved": False}])
        assert served.order(order_id)["status"] == "DRAFT"
        served.put([{"id": order_id, "isVoid": True}])
        assert served.order(order_id)["status"] == "VOID"

    def test_an_update_to_a_void_order_fails_its_item_and_changes_nothing(
        self, served: Served
    ) -> None:
        void, other = served.ids(where="isVoid = FALSE", rows=2)
        served.put([{"id": void, "isVoid": True}])
        before = served.order(void)

        results = served.put(
            [{"id": void, "stage": "Dispatched"}, {"id": other, "stage": "Dispatched"}]
        )

        assert [r["success"] for r in results] == [False, True]
        assert results[0]["errors"] == [f"Sales order {void} is void and cannot be updated."]
        assert served.order(void) == before


NOT_ARRAYS = [
    {"json": {"id": 1001, "stage": "New"}},
    {"json": "orders"},
    {"json": None},
    {"content": b"[{not json", "headers": {"Content-Type": "application/json"}},
    {"content": b"", "headers": {"Content-Type": "application/json"}},
]


@pytest.mark.parametrize("method", ["PUT", "POST"])
@pytest.mark.parametrize(
    "body", NOT_ARRAYS, ids=lambda b: repr(b.get("json", b.get("content")))[:16]
)
def test_a_body_that_is_not_a_json_array_is_answered_400(
    served: Served, method: str, body: dict[str, Any]
) -> None:
    before = {k: dict(v) for k, v in served.state.orders.items()}
    response = served.api(method, "SalesOrders", **body)
    assert response.status_code == 400 and response.json()["Message"]
    assert served.state.orders == before


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_more_than_250_items_are_answered_400(served: Served, method: str) -> None:
    response = served.api(method, "SalesOrders", json=[{"id": served.first_id()}] * 251)
    assert response.status_code == 400


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


class TestCreate:
    def test_creates_orders_that_can_then_be_read(self, served: Served) -> None:
        served.clock.advance(7.5)
        results = served.post([a_new_order(), a_new_order(reference=None, isApproved=True)])
        assert [(r["index"], r["success"], r["errors"]) for r in results] == [
            (0, True, []),
            (1, True, []),
        ]
        draft, approved = (served.get(f"SalesOrders/{r['id']}").json() for r in results)
        assert (draft["reference"], draft["status"], draft["isApproved"]) == (
            "WEB-1",
            "DRAFT",
            False,
        )
        assert (approved["reference"], approved["status"]) == (f"SO-{results[1]['id']}", "APPROVED")
        assert draft["createdDate"] == draft["modifiedDate"] == iso(served.clock())
        assert (draft["source"], draft["stage"], draft["isVoid"]) == ("API", "New", False)
        assert draft["deliveryCity"] == "Auckland" and draft["trackingCode"] is None

    def test_lines_are_filled_in_from_the_product_option(self, served: Served) -> None:
        (result,) = served.post([a_new_order(lineItems=[{"Code": "TEE-M", "Qty": 3}])])
        (line,) = served.order(result["id"])["lineItems"]
        option = next(
            o
            for p in served.state.products.values()
            for o in p["productOptions"]
            if o["code"] == "TEE-M"
        )
        assert (line["productOptionId"], line["barcode"], line["sizeCodes"]) == (
            option["id"],
            option["barcode"],
            "M",
        )
        assert (line["qty"], line["qtyShipped"], line["stockControl"]) == (3, 0, "Batch")
        assert isinstance(line["id"], int) and line["unitPrice"] > 0

    def test_an_unknown_sku_fails_its_item_naming_it_and_creates_nothing(
        self, served: Served
    ) -> None:
        count = len(served.state.orders)
        bad = a_new_order(
            lineItems=[{"code": "MUG-SEAGRE", "qty": 1}, {"code": "NOPE-123", "qty": 1}]
        )
        results = served.post([bad, a_new_order(reference="WEB-OK")])
        assert results[0]["success"] is False and results[0]["id"] is None
        assert any("NOPE-123" in e for e in results[0]["errors"])
        assert results[1]["success"] is True
        assert len(served.state.orders) == count + 1

    @pytest.mark.parametrize(
        ("line", "complaint"),
        [
            ({"qty": 1}, "no code"),
            ({"code": "MUG-SEAGRE", "qty": 0}, "qty"),
            ("MUG-SEAGRE", "object"),
        ],
    )
    def test_a_line_it_cannot_use_fails_its_item(
        self, served: Served, line: Any, complaint: str
    ) -> None:
        (result,) = served.post([a_new_order(lineItems=[line])])
        assert result["success"] is False and complaint in result["errors"][0]

    def test_the_id_and_read_only_fields_sent_are_ignored(self, served: Served) -> None:
        existing = served.first_id()
        (result,) = served.post([a_new_order(id=existing, status="VOID", source="Hacked")])
        assert result["success"] is True and result["id"] != existing
        created = served.order(result["id"])
        assert (created["status"], created["source"]) == ("DRAFT", "API")
