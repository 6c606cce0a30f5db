"""Taking orders in: once per shop order id, the payload kept, conflicts refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from station.inbox.errors import OrderConflict
from station.inbox.intake import take_order
from station.inbox.orders import read_order
from station.models import InboxEvent, InboxOrder, InboxSource
from tests.inbox.samples import order_json

NOW = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)


def take(session: Session, payload: dict, *, shop: str = "web") -> tuple[InboxOrder, bool]:
    result = take_order(
        session, read_order(payload), shop=shop, source=InboxSource.API, payload=payload, now=NOW
    )
    session.commit()
    return result.order, result.created


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_new_order_lands_in_new_with_its_payload_and_an_event(ctx: Session) -> None:
    payload = order_json(checkout={"Stage": "Processing"})

    order, created = take(ctx, payload)

    assert created and order.folder.name == "New"
    assert order.source_payload == payload
    assert (order.shop, order.shop_order_id, order.reference) == ("web", "1001", "#1001")
    assert order.checkout == {"Stage": "Processing"} and order.email == "aroha@example.co.nz"
    assert [(e.kind, e.message) for e in order.events] == [
        ("imported", "Imported from the order API (web).")
    ]


def test_the_same_order_again_returns_the_one_kept(ctx: Session) -> None:
    first, _ = take(ctx, order_json())

    again, created = take(ctx, order_json())

    assert not created and again.id == first.id
    assert count(ctx, InboxOrder) == 1 and count(ctx, InboxEvent) == 1


def test_other_content_under_the_same_id_is_a_conflict_and_changes_nothing(ctx: Session) -> None:
    first, _ = take(ctx, order_json())

    with pytest.raises(OrderConflict, match="already in the inbox .as #1001. with different"):
        take(ctx, order_json(currency="AUD"))

    ctx.rollback()
    assert count(ctx, InboxOrder) == 1
    assert ctx.get(InboxOrder, first.id).currency_code == "NZD"


def test_two_shops_may_use_the_same_order_id(ctx: Session) -> None:
    take(ctx, order_json(), shop="web")

    other, created = take(ctx, order_json(currency="AUD"), shop="wholesale")

    assert created and other.shop == "wholesale" and count(ctx, InboxOrder) == 2
