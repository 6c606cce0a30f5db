"""The order list's filters: stage, branch, created date, blocked, has a consignment; search."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station.dispatch.checks import ShipRules, cannot_ship_clause, shipping_problems
from station.extensions import db
from station.models import (
    Consignment,
    ConsignmentState,
    OrderLine,
    Product,
    Role,
    SalesOrder,
)
from station.orders import INDEX_WALK_FROM, OrderFilters, list_orders
from tests.conftest import AuthActions

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ADDRESS = {
    "delivery_address1": "1 Cuba Street",
    "delivery_city": "Wellington",
    "delivery_postal_code": "6011",
    "delivery_country": "New Zealand",
}


def order(n: int, **changes: Any) -> SalesOrder:
    line = changes.pop("line", {})
    fields: dict[str, Any] = {
        "cin7_id": 9000 + n,
        "reference": f"SO-{9000 + n}",
        "stage": "New",
        "branch_id": 1,
        "first_name": "Aroha",
        "last_name": f"Ngata{n}",
        "cin7_created": NOW - timedelta(days=n),
        "cin7_modified": NOW - timedelta(minutes=n),
        **ADDRESS,
        **changes,
    }
    return SalesOrder(
        **fields,
        lines=[OrderLine(position=1, code=f"SKU-{n}", name="Kete", qty=Decimal(1), **line)],
    )


@pytest.fixture
def orders(app: Flask) -> dict[str, int]:
    """A mix: ready, void, dispatched, no city, Batch (plain and size-grid), consigned, branch 2."""
    made = {
        "ready": order(0),
        "void": order(1, is_void=True),
        "dispatched": order(2, stage="Dispatched", dispatched_date=NOW),
        "no_city": order(3, delivery_city="  "),
        "batch": order(4, line={"product_id": 501}),
        "size_grid": order(5, line={"product_id": 501, "size_codes": "S,M,L"}),
        "serial_line": order(6, line={"stock_control": "Serial"}),
        "consigned": order(7, stage="Fully Picked"),
        "branch_2": order(8, branch_id=2, cin7_created=NOW - timedelta(days=30)),
    }
    with app.app_context():
        db.session.add(Product(cin7_id=501, name="Wine", stock_control="Batch"))
        db.session.add_all(made.values())
        db.session.flush()
        db.session.add(
            Consignment(
                idempotency_key="k-7",
                state=ConsignmentState.CREATED,
                carrier="ownlabel",
                service_code="ON",
                reference="SO-9007",
                order_id=made["consigned"].id,
                shipment={},
            )
        )
        db.session.commit()
        return {name: o.id for name, o in made.items()}


def listed(client: FlaskClient, **args: str) -> set[str]:
    page = client.get("/orders", query_string=args).get_data(as_text=True)
    return set(re.findall(r'href="/orders/\d+">(SO-\d+)</a>', page))


@pytest.fixture
def manager(client: FlaskClient, auth: AuthActions) -> FlaskClient:
    auth.login("manager", role=Role.MANAGER)
    return client


def test_blocked_matches_the_dispatch_checks_order_by_order(
    app: Flask, orders: dict[str, int]
) -> None:
    with app.app_context():
        products = {p.cin7_id: p for p in db.session.scalars(select(Product))}
        for guard in (True, False):
            blocked = set(
                db.session.scalars(
                    select(SalesOrder.id).where(
                        cannot_ship_clause(ShipRules(block_batch_serial=guard))
                    )
                )
            )
            for o in db.session.scalars(select(SalesOrder)):
                expected = bool(shipping_problems(o, products, ShipRules(block_batch_serial=guard)))
                assert (o.id in blocked) == expected, (o.reference, guard)
    assert orders


def test_blocked_and_ready_filters(manager: FlaskClient, orders: dict[str, int]) -> None:
    blocked = listed(manager, blocked="yes")
    ready = listed(manager, blocked="no")

    assert blocked == {"SO-9001", "SO-9002", "SO-9003", "SO-9004", "SO-9006"}
    assert ready == {"SO-9000", "SO-9005", "SO-9007", "SO-9008"}  # size-grid batches can ship


def test_stage_branch_date_and_consignment_filters(
    manager: FlaskClient, orders: dict[str, int]
) -> None:
    assert listed(manager, stage="Fully Picked") == {"SO-9007"}
    assert listed(manager, stage="Void") == {"SO-9001"}
    assert listed(manager, branch="2") == {"SO-9008"}
    created = NOW.date()
    assert listed(manager, **{"from": str(created - timedelta(days=2)), "to": str(created)}) == {
        "SO-9000",
        "SO-9001",
        "SO-9002",
    }
    assert listed(manager, consigned="yes") == {"SO-9007"}
    assert "SO-9007" not in listed(manager, consigned="no")
    assert listed(manager, consigned="yes", q="ngata7") == {"SO-9007"}


def test_an_unreadable_filter_is_named_and_ignored(
    manager: FlaskClient, orders: dict[str, int]
) -> None:
    response = manager.get("/orders", query_string={"from": "yesterday", "branch": "<b>x"})

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "From &#39;yesterday&#39; is not a date" in page
    assert "Branch &#39;&lt;b&gt;x&#39; is not a Cin7 branch id" in page
    assert len(re.findall(r'href="/orders/\d+">SO-', page)) == len(orders)


def test_paging_keeps_the_filters(app: Flask, manager: FlaskClient) -> None:
    app.config["ORDERS_PER_PAGE"] = 2
    with app.app_context():
        db.session.add_all([order(n, stage="On Hold") for n in range(5)])
        db.session.commit()

    page = manager.get("/orders", query_string={"stage": "On Hold"}).get_data(as_text=True)

    assert 'href="/orders?stage=On+Hold&amp;page=2"' in page


def test_search_is_case_insensitive_beyond_ascii(app: Flask, manager: FlaskClient) -> None:
    with app.app_context():
        db.session.add(order(1, last_name="Tūhoe"))
        db.session.commit()

    assert listed(manager, q="TŪHOE") == {"SO-9001"}


@pytest.mark.parametrize("typed", ["tuhoe", "TUHOE", "Tūhoe", "tu\u0304hoe"])
def test_search_finds_macrons_and_accents_typed_or_not(
    app: Flask, manager: FlaskClient, typed: str
) -> None:
    with app.app_context():
        db.session.add(order(1, last_name="Tūhoe"))
        db.session.add(order(2, company="Müller Café"))
        db.session.add(order(3, last_name="Tuhoe"))  # spelled without the macron
        db.session.commit()

    assert listed(manager, q=typed) == {"SO-9001", "SO-9003"}
    assert listed(manager, q="muller cafe") == {"SO-9002"}


def test_search_text_follows_edits(app: Flask) -> None:
    with app.app_context():
        db.session.add(order(1))
        db.session.commit()
        stored = db.session.scalars(select(SalesOrder)).one()
        stored.email = "New.Address@Example.com"
        db.session.commit()

        found = list_orders(db.session, OrderFilters(query="new.address@"))

    assert [o.reference for o in found.orders] == ["SO-9001"]


@pytest.mark.parametrize("matches", [3, INDEX_WALK_FROM + 5])
def test_both_ways_of_reading_a_page_give_the_newest_first(app: Flask, matches: int) -> None:
    with app.app_context():
        db.session.add_all(
            [order(n, last_name="Match" if n < matches else "Other") for n in range(matches + 3)]
        )
        db.session.commit()

        first = list_orders(db.session, OrderFilters(query="match"), per_page=2)
        second = list_orders(db.session, OrderFilters(query="match"), page=2, per_page=2)

    assert first.total == matches
    assert [o.reference for o in first.orders + second.orders][:3] == [
        "SO-9000",
        "SO-9001",
        "SO-9002",
    ]


@pytest.fixture
def past_the_cap(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Six orders On Hold, counted only to 3, two to a page."""
    monkeypatch.setattr("station.orders.COUNT_CAP", 3)
    app.config["ORDERS_PER_PAGE"] = 2
    with app.app_context():
        db.session.add_all([order(n, stage="On Hold") for n in range(6)])
        db.session.commit()


@pytest.mark.usefixtures("past_the_cap")
def test_a_count_past_the_cap_says_so_and_paging_still_works(manager: FlaskClient) -> None:
    first = manager.get("/orders", query_string={"stage": "On Hold"}).get_data(as_text=True)
    last = manager.get("/orders", query_string={"stage": "On Hold", "page": "3"})

    assert "3+ orders" in first and "Page 1<" in first and 'rel="next"' in first
    assert listed(manager, stage="On Hold", page="3") == {"SO-9004", "SO-9005"}
    assert 'rel="next"' not in last.get_data(as_text=True)


@pytest.mark.usefixtures("past_the_cap")
def test_a_page_past_the_end_of_a_capped_count_says_so_with_a_way_back(
    manager: FlaskClient,
) -> None:
    page = manager.get("/orders", query_string={"stage": "On Hold", "page": "99"})

    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Page 99 is past the end of this list: 3+ orders match." in text
    assert "No orders yet" not in text and "No order matches" not in text
    assert re.search(r'href="/orders\?[^"]*page=1[^"]*">Go to the first page', text)


@pytest.mark.usefixtures("past_the_cap")
def test_a_search_past_the_end_of_a_capped_count_says_so_not_that_nothing_matches(
    manager: FlaskClient,
) -> None:
    page = manager.get("/orders", query_string={"q": "aroha", "page": "99"})

    text = page.get_data(as_text=True)
    assert "Page 99 is past the end of this list: 3+ orders match." in text
    assert "No order in Station matches" not in text and "Ask Cin7 why" not in text
    assert re.search(r'href="/orders\?[^"]*q=aroha[^"]*page=1[^"]*">Go to the first page', text)


def test_a_page_past_the_end_of_a_counted_list_shows_the_last_page_and_says_so(
    app: Flask, manager: FlaskClient
) -> None:
    app.config["ORDERS_PER_PAGE"] = 2
    with app.app_context():
        db.session.add_all([order(n) for n in range(5)])
        db.session.commit()

    text = manager.get("/orders", query_string={"q": "aroha", "page": "99"}).get_data(as_text=True)
    first = manager.get("/orders", query_string={"q": "aroha"}).get_data(as_text=True)

    assert "Page 99 is past the end of this list: 5 orders match. This is the last page." in text
    assert listed(manager, q="aroha", page="99") == {"SO-9004"}
    assert "Page 3 of 3" in text
    assert "past the end" not in first
