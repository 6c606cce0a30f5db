"""The outbox's Shopify trigger against a real HTTP listener standing in for Cin7's web app.

Only a 2xx is success; a sign-in redirect fails at once; every failed call counts, so it
ends on the Needs attention list; each result is committed right after its call.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from station.cin7.client import Cin7Client
from station.cin7.sandbox import SandboxServer
from station.cin7.trigger import SIGN_IN, ShopifyTrigger
from station.dispatch.options import DispatchOptions
from station.dispatch.outbox import MAX_ATTEMPTS, deliver_outbox, needs_attention, retry_item
from station.extensions import db
from station.models import OutboxItem, OutboxKind, OutboxState
from tests.builders import open_orders, ship_sandbox_order
from tests.fakes.cin7_web import SIGN_IN as SIGN_IN_REDIRECT
from tests.fakes.cin7_web import Cin7WebApp, cin7_web
from tests.fakes.clock import Clock

LINK = "abc123"


@pytest.fixture
def web() -> Iterator[Cin7WebApp]:
    with cin7_web() as app:
        yield app


def shipped(ctx: Session, sandbox: SandboxServer, cin7: Cin7Client, clock: Clock, n: int = 1):
    """Ship ``n`` orders with the trigger on and deliver their Dispatched updates."""
    triggers = []
    for cin7_id in open_orders(sandbox.state, n):
        items = ship_sandbox_order(
            ctx, cin7_id, DispatchOptions(shopify_link_id=LINK), now=clock.now
        )
        triggers += [i for i in items if i.kind == OutboxKind.SHOPIFY]
    deliver_outbox(ctx, cin7, now=clock.later(seconds=1))
    assert all(t.state == OutboxState.PENDING for t in triggers)
    return triggers


def trigger_for(web: Cin7WebApp, link: str = LINK) -> ShopifyTrigger:
    return ShopifyTrigger(web.template(), link, allow_private=True)


def test_a_200_is_delivered(
    ctx: Session, cin7: Cin7Client, sandbox: SandboxServer, web: Cin7WebApp
) -> None:
    clock = Clock()
    [item] = shipped(ctx, sandbox, cin7, clock)

    result = deliver_outbox(ctx, cin7, now=clock.later(seconds=1), trigger=trigger_for(web))

    assert result.done == 1 and item.state == OutboxState.DONE
    assert web.links() == [LINK] and f"OrderId={item.order.cin7_id}" in web.paths[0]


def test_a_sign_in_redirect_fails_at_once_with_one_call(
    ctx: Session, cin7: Cin7Client, sandbox: SandboxServer, web: Cin7WebApp
) -> None:
    clock = Clock()
    [item] = shipped(ctx, sandbox, cin7, clock)
    web.default = SIGN_IN_REDIRECT

    result = deliver_outbox(ctx, cin7, now=clock.later(seconds=1), trigger=trigger_for(web))
    deliver_outbox(ctx, cin7, now=clock.later(hours=5), trigger=trigger_for(web))

    assert result.failed == 1 and item.state == OutboxState.FAILED
    assert item.last_error == SIGN_IN and item.attempts == 1
    assert len(web.paths) == 1
    assert needs_attention(ctx) == [item]


def test_a_retry_after_copying_the_link_again_uses_the_new_link(
    ctx: Session, cin7: Cin7Client, sandbox: SandboxServer, web: Cin7WebApp
) -> None:
    clock = Clock()
    [item] = shipped(ctx, sandbox, cin7, clock)
    web.planned = [SIGN_IN_REDIRECT]
    deliver_outbox(ctx, cin7, now=clock.later(seconds=1), trigger=trigger_for(web, "expired1"))
    assert item.state == OutboxState.FAILED

    assert retry_item(ctx, item, now=clock.now)
    ctx.commit()
    deliver_outbox(ctx, cin7, now=clock.later(seconds=1), trigger=trigger_for(web, "fresh2"))

    assert item.state == OutboxState.DONE and web.links() == ["expired1", "fresh2"]


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ((500, None), "The Shopify trigger answered HTTP 500"),
        ((404, None), "The Shopify trigger answered HTTP 404"),
        ((302, "https://elsewhere.example/Cloud/Home"), "HTTP 302 (a redirect to elsewhere"),
        ((301, None), "HTTP 301 (a redirect)"),
    ],
)
def test_any_other_answer_but_2xx_is_retried_then_needs_attention(
    ctx: Session,
    cin7: Cin7Client,
    sandbox: SandboxServer,
    web: Cin7WebApp,
    answer: tuple[int, str | None],
    error: str,
) -> None:
    clock = Clock()
    [item] = shipped(ctx, sandbox, cin7, clock)
    web.default = answer

    first = deliver_outbox(ctx, cin7, now=clock.later(seconds=1), trigger=trigger_for(web))
    assert first.retrying == 1 and item.attempts == 1 and error in (item.last_error or "")
    for _ in range(MAX_ATTEMPTS * 3):
        deliver_outbox(ctx, cin7, now=clock.later(hours=2), trigger=trigger_for(web))

    assert item.state == OutboxState.FAILED and item.attempts == MAX_ATTEMPTS
    assert len(web.paths) == MAX_ATTEMPTS and error in (item.last_error or "")
    assert needs_attention(ctx) == [item]


def test_an_unreachable_link_counts_its_attempts_and_stops(
    ctx: Session, cin7: Cin7Client, sandbox: SandboxServer
) -> None:
    clock = Clock()
    [item] = shipped(ctx, sandbox, cin7, clock)
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    template = f"http://127.0.0.1:{port}/Cloud?idCustomerAppsLink={{link_id}}&OrderId={{order_id}}"
    trigger = ShopifyTrigger(template, LINK, allow_private=True)

    passes = [
        deliver_outbox(ctx, cin7, now=clock.later(hours=2), trigger=trigger) for _ in range(20)
    ]

    assert item.state == OutboxState.FAILED and item.attempts == MAX_ATTEMPTS
    assert sum(p.calls for p in passes) == MAX_ATTEMPTS
    assert "Could not reach 127.0.0.1" in (item.last_error or "")


def test_without_a_link_id_the_trigger_says_where_to_set_it(
    ctx: Session, cin7: Cin7Client, sandbox: SandboxServer, web: Cin7WebApp
) -> None:
    clock = Clock()
    [item] = shipped(ctx, sandbox, cin7, clock)

    deliver_outbox(ctx, cin7, now=clock.later(seconds=1), trigger=trigger_for(web, ""))

    assert item.state == OutboxState.FAILED and web.paths == []
    assert "enter it in Settings → Shipping" in (item.last_error or "")


def test_each_result_is_committed_right_after_its_call(
    ctx: Session, cin7: Cin7Client, sandbox: SandboxServer, web: Cin7WebApp
) -> None:
    clock = Clock()
    items = shipped(ctx, sandbox, cin7, clock, n=3)
    ids = [item.id for item in items]
    seen: list[list[OutboxState]] = []
    engine = db.engine

    def look(_: str) -> None:
        # What another connection (a worker restarting after a kill) would find right now.
        with Session(engine) as other:
            states = {
                i.id: i.state
                for i in other.scalars(select(OutboxItem).where(OutboxItem.id.in_(ids)))
            }
            seen.append([states[i] for i in ids])

    web.on_hit = look
    deliver_outbox(ctx, cin7, now=clock.later(seconds=1), trigger=trigger_for(web))

    done, sending = OutboxState.DONE, OutboxState.SENDING
    assert seen == [
        [sending, sending, sending],
        [done, sending, sending],
        [done, done, sending],
    ]
    assert all(item.state == done for item in items)


def test_an_item_recorded_with_its_url_before_is_still_sent(
    ctx: Session, cin7: Cin7Client, sandbox: SandboxServer, web: Cin7WebApp
) -> None:
    clock = Clock()
    [item] = shipped(ctx, sandbox, cin7, clock)
    item.payload = {"url": web.template().format(link_id="old9", order_id=item.order.cin7_id)}
    ctx.commit()

    deliver_outbox(ctx, cin7, now=clock.later(seconds=1), trigger=trigger_for(web, "new1"))

    assert item.state == OutboxState.DONE and web.links() == ["old9"]
