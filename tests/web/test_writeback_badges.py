"""Each order shows the state of Station's updates to Cin7: pending, synced or failed."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from station.dispatch.outbox import writeback_badges
from station.extensions import db
from station.models import OutboxItem, OutboxKind, OutboxState, Role
from tests.builders import add_order
from tests.conftest import AuthActions


def add_items(app: Flask, states: dict[int, list[OutboxState]]) -> dict[int, int]:
    """Orders SO-<cin7 id> with outbox items in the given states; their Station ids."""
    ids = {}
    with app.app_context():
        for cin7_id, item_states in states.items():
            order = add_order(db.session, cin7_id=cin7_id)
            for n, state in enumerate(item_states):
                db.session.add(
                    OutboxItem(
                        order_id=order.id,
                        kind=OutboxKind.DISPATCHED if n == 0 else OutboxKind.FREIGHT,
                        state=state,
                        payload={"id": cin7_id},
                        dedupe_key=f"{cin7_id}-{n}",
                    )
                )
            ids[cin7_id] = order.id
        db.session.commit()
    return ids


def test_the_worst_state_of_an_orders_items_is_its_badge(app: Flask) -> None:
    ids = add_items(
        app,
        {
            1: [OutboxState.DONE, OutboxState.FAILED],
            2: [OutboxState.DONE, OutboxState.PENDING],
            3: [OutboxState.DONE, OutboxState.DONE],
            4: [OutboxState.CANCELLED],
            5: [],
        },
    )
    with app.app_context():
        badges = writeback_badges(db.session, list(ids.values()))

    assert badges == {ids[1]: "failed", ids[2]: "pending", ids[3]: "synced"}


def test_the_order_list_and_page_show_the_badge(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    ids = add_items(app, {7: [OutboxState.FAILED], 8: [OutboxState.DONE]})
    auth.login("packer", role=Role.PACKER)

    listing = client.get("/orders").get_data(as_text=True)
    page = client.get(f"/orders/{ids[7]}").get_data(as_text=True)

    rows = dict(re.findall(r">(SO-\d+)</a>.*?writeback-(\w+)", listing, re.S))
    assert rows == {"SO-7": "failed", "SO-8": "synced"}
    assert "Cin7 update failed" in page
