"""Rule webhooks: queued with the rule, posted by the job to a real listener, each once."""

from __future__ import annotations

import logging
import socket
from base64 import b64decode
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from station.cin7.sandbox import SandboxServer
from station.db import utcnow
from station.inbox.notes import add_tag
from station.inbox.webhook_client import WebhookClient
from station.inbox.webhooks import (
    BACKOFF_MAX,
    CUT_OFF,
    MAX_ATTEMPTS,
    SENDING_LEASE,
    WebhookReport,
    deliver_webhooks,
    failed_webhooks,
    retry_webhook,
)
from station.jobs import jobs
from station.models import InboxOrder, InboxWebhook, OutboxState
from tests.fakes.cin7 import sandbox_config
from tests.fakes.webhooks import WebhookReceiver, answering_raw, receiving, trickle, whole
from tests.inbox.builders import dispatch, rule, runs, submitted, take

INSIDE = WebhookClient(allow_private=True)  # the receiver listens on loopback


@pytest.fixture
def app_config(app_config: dict[str, Any], sandbox: SandboxServer) -> dict[str, Any]:
    return {**app_config, **sandbox_config(sandbox), "INBOX_WEBHOOK_PRIVATE": True}


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with receiving() as running:
        yield running


def webhooks(session: Session) -> list[InboxWebhook]:
    return list(session.scalars(select(InboxWebhook).order_by(InboxWebhook.id)))


def test_the_rule_queues_the_call_and_the_job_posts_it_with_its_delivery_id(
    ctx: Session, receiver: WebhookReceiver
) -> None:
    rule(ctx, "imported", [("webhook", receiver.url())], name="hook")
    order = take(ctx)

    assert receiver.received == []  # nothing is posted while the rule runs
    assert runs(ctx, order) == [("hook", "done", f"queued a webhook to {receiver.url()}")]
    [queued] = webhooks(ctx)
    assert (queued.state, queued.queued_by) == (OutboxState.PENDING, "rule: hook")
    delivery_id, order_id = queued.delivery_id, order.id

    jobs().deliver_inbox_webhooks()
    ctx.rollback()  # the job used a session of its own: read what it committed

    [request] = receiver.received
    assert request.headers["Idempotency-Key"] == delivery_id
    assert request.headers["Content-Type"] == "application/json"
    assert request.body["id"] == order_id and request.body["reference"] == "#1001"
    assert request.body["lines"][0]["sku"] == "MUG-SAND"
    [sent] = webhooks(ctx)
    assert (sent.state, sent.status_code, sent.attempts) == (OutboxState.DONE, 204, 1)
    assert sent.done_at is not None


def test_a_delivery_is_posted_once_when_the_job_runs_twice(
    ctx: Session, receiver: WebhookReceiver
) -> None:
    rule(ctx, "imported", [("webhook", receiver.url())])
    take(ctx)

    jobs().deliver_inbox_webhooks()
    jobs().deliver_inbox_webhooks()

    assert len(receiver.received) == 1


def test_a_delivery_another_pass_is_sending_is_left_to_it_until_its_lease_ends(
    ctx: Session, receiver: WebhookReceiver
) -> None:
    rule(ctx, "imported", [("webhook", receiver.url())])
    take(ctx)
    now = utcnow()
    [hook] = webhooks(ctx)
    hook.state, hook.next_attempt_at = OutboxState.SENDING, now  # claimed by a live pass
    ctx.commit()

    during = deliver_webhooks(ctx, INSIDE, now=now + timedelta(minutes=1))
    after = deliver_webhooks(ctx, INSIDE, now=now + timedelta(minutes=6))

    assert during == WebhookReport() and after == WebhookReport(delivered=1)
    assert len(receiver.received) == 1


class WorkerStopped(BaseException):
    """What ends a worker in the middle of a send (a kill, running out of memory)."""


def stopping_the_worker(host: str, port: int) -> list[str]:
    """A lookup during which the worker dies: the delivery was claimed, nothing after."""
    raise WorkerStopped


def test_a_delivery_that_stops_its_worker_every_time_ends_failed(
    ctx: Session, receiver: WebhookReceiver
) -> None:
    rule(ctx, "imported", [("webhook", receiver.url())])
    take(ctx)
    dying = WebhookClient(allow_private=True, resolve=stopping_the_worker)
    now, later = utcnow(), SENDING_LEASE + timedelta(seconds=1)
    for attempt in range(MAX_ATTEMPTS):
        with pytest.raises(WorkerStopped):
            deliver_webhooks(ctx, dying, now=now + attempt * later)
        ctx.rollback()  # the dead worker's session is gone with it

    last = deliver_webhooks(ctx, INSIDE, now=now + MAX_ATTEMPTS * later)

    assert last == WebhookReport() and receiver.received == []
    [hook] = failed_webhooks(ctx)
    assert (hook.attempts, hook.last_error) == (MAX_ATTEMPTS, CUT_OFF)


def test_a_delivery_cut_off_with_attempts_left_is_sent_again_counting_the_lost_one(
    ctx: Session, receiver: WebhookReceiver
) -> None:
    rule(ctx, "imported", [("webhook", receiver.url())])
    take(ctx)
    now = utcnow()
    dying = WebhookClient(allow_private=True, resolve=stopping_the_worker)
    with pytest.raises(WorkerStopped):
        deliver_webhooks(ctx, dying, now=now)
    ctx.rollback()

    report = deliver_webhooks(ctx, INSIDE, now=now + SENDING_LEASE + timedelta(seconds=1))

    assert report == WebhookReport(delivered=1) and len(receiver.received) == 1
    [hook] = webhooks(ctx)
    assert (hook.state, hook.attempts) == (OutboxState.DONE, 2)


def test_a_500_is_tried_again_after_the_backoff_with_the_same_key_and_body(ctx: Session) -> None:
    with receiving([500]) as receiver:
        rule(ctx, "imported", [("webhook", receiver.url())])
        take(ctx)
        now = utcnow()

        first = deliver_webhooks(ctx, INSIDE, now=now)
        [hook] = webhooks(ctx)
        waiting = (hook.state, hook.attempts, hook.last_error, hook.next_attempt_at - now)
        early = deliver_webhooks(ctx, INSIDE, now=now + timedelta(seconds=10))
        second = deliver_webhooks(ctx, INSIDE, now=now + timedelta(seconds=31))

    assert (first, early, second) == (
        WebhookReport(retrying=1),
        WebhookReport(),
        WebhookReport(delivered=1),
    )
    assert waiting == (
        OutboxState.PENDING,
        1,
        f"the webhook {receiver.url()} answered 500",
        timedelta(seconds=30),
    )
    failed, delivered = receiver.received
    assert failed.headers["Idempotency-Key"] == delivered.headers["Idempotency-Key"]
    assert failed.body == delivered.body
    assert (hook.state, hook.status_code, hook.last_error) == (OutboxState.DONE, 204, None)


def test_a_redirect_is_not_followed_and_is_tried_again(ctx: Session) -> None:
    with receiving() as elsewhere, receiving([302]) as receiver:
        receiver.location = elsewhere.url("/moved")
        rule(ctx, "imported", [("webhook", receiver.url())])
        take(ctx)

        report = deliver_webhooks(ctx, INSIDE, now=utcnow())

    assert report == WebhookReport(retrying=1)
    assert len(receiver.received) == 1 and elsewhere.received == []
    [hook] = webhooks(ctx)
    assert (hook.state, hook.status_code, hook.last_error) == (
        OutboxState.PENDING,
        302,
        f"the webhook {receiver.url()} answered 302",
    )


def test_what_a_refusing_receiver_says_goes_into_the_error(ctx: Session) -> None:
    said = b'{"error":\n  "unknown token"}'
    head = b"HTTP/1.1 401 Unauthorized\r\nContent-Length: %d\r\n\r\n" % len(said)
    with answering_raw(whole(head + said)) as receiver:
        rule(ctx, "imported", [("webhook", receiver.url())])
        take(ctx)

        deliver_webhooks(ctx, INSIDE, now=utcnow())

    [hook] = webhooks(ctx)
    assert (hook.state, hook.status_code) == (OutboxState.PENDING, 401)
    assert (
        hook.last_error
        == f'the webhook {receiver.url()} answered 401: {{"error": "unknown token"}}'
    )


def test_a_receiver_too_slow_to_answer_is_tried_again(ctx: Session) -> None:
    slow = trickle(b"." * 3000, every=0.01, head=b"HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n")
    with answering_raw(slow) as receiver:
        rule(ctx, "imported", [("webhook", receiver.url())])
        take(ctx)
        client = WebhookClient(allow_private=True, timeout=0.5, time_limit=1.0)

        report = deliver_webhooks(ctx, client, now=utcnow())

    assert report == WebhookReport(retrying=1) and receiver.requests == 1
    [hook] = webhooks(ctx)
    assert (hook.state, hook.attempts, hook.last_error) == (
        OutboxState.PENDING,
        1,
        f"the webhook {receiver.url()} gave no full answer within 1 second",
    )


def test_a_delivery_that_keeps_failing_needs_attention_and_a_retry_sends_it(ctx: Session) -> None:
    with receiving([500] * MAX_ATTEMPTS) as receiver:
        rule(ctx, "imported", [("webhook", receiver.url())])
        take(ctx)
        now = utcnow()
        for attempt in range(MAX_ATTEMPTS):
            deliver_webhooks(ctx, INSIDE, now=now + attempt * timedelta(seconds=BACKOFF_MAX))
        [hook] = failed_webhooks(ctx)
        gave_up = (hook.attempts, hook.last_error)

        retried = retry_webhook(ctx, hook, now=now)
        ctx.commit()
        report = deliver_webhooks(ctx, INSIDE, now=now)
        again = retry_webhook(ctx, hook, now=now)  # a second click: delivered by now

    assert gave_up == (MAX_ATTEMPTS, f"the webhook {receiver.url()} answered 500")
    assert (retried, again) == (True, False)
    assert report == WebhookReport(delivered=1) and failed_webhooks(ctx) == []
    assert len(receiver.received) == MAX_ATTEMPTS + 1
    assert len({r.headers["Idempotency-Key"] for r in receiver.received}) == 1


def test_a_private_address_fails_at_once_and_is_never_called(
    ctx: Session, receiver: WebhookReceiver
) -> None:
    rule(ctx, "imported", [("webhook", receiver.url())])
    take(ctx)

    report = deliver_webhooks(ctx, WebhookClient(), now=utcnow())

    assert report == WebhookReport(failed=1) and receiver.received == []
    [hook] = failed_webhooks(ctx)
    assert hook.attempts == 1 and hook.last_error is not None
    assert "127.0.0.1, a private or local address" in hook.last_error
    assert "STATION_INBOX_WEBHOOK_PRIVATE=1" in hook.last_error


def test_the_body_is_the_order_as_it_was_when_the_rule_fired(
    ctx: Session, receiver: WebhookReceiver
) -> None:
    rule(ctx, "imported", [("webhook", receiver.url())])
    order = take(ctx)
    add_tag(ctx, order, "later", at=utcnow(), by="mere")
    ctx.commit()

    deliver_webhooks(ctx, INSIDE, now=utcnow())

    assert receiver.received[0].body["tags"] == []


def test_a_webhook_queued_by_a_rule_in_the_submission_job_is_posted_after_it(
    ctx: Session, receiver: WebhookReceiver, sandbox: SandboxServer
) -> None:
    rule(ctx, "after_submit", [("webhook", receiver.url("/submitted"))], name="tell the shop")
    order_id = take(ctx).id

    jobs().submit_inbox([order_id], "manager")
    ctx.rollback()  # the job used a session of its own: read what it committed

    order = ctx.get(InboxOrder, order_id)
    assert order is not None and order.cin7_id in sandbox.state.orders
    [request] = receiver.received
    assert request.path == "/submitted" and request.body["cin7_id"] == order.cin7_id


def test_a_webhook_queued_by_a_rule_in_the_shipment_check_is_posted_after_it(
    ctx: Session, receiver: WebhookReceiver, sandbox: SandboxServer
) -> None:
    rule(ctx, "shipped", [("webhook", receiver.url("/shipped"))], name="tell the shop")
    (order,) = submitted(ctx, sandbox, "1")
    dispatch(sandbox.state, order)

    jobs().check_inbox_shipments()

    [request] = receiver.received
    assert request.path == "/shipped" and request.body["cin7_id"] == order.cin7_id


PASSWORD, PATH_TOKEN, QUERY_TOKEN = "pw-0f1e2d3c", "q1W2e3R4t5Y6u7I8o9P0", "tok-9a8b7c6d"
SECRETS = (PASSWORD, PATH_TOKEN, QUERY_TOKEN)


def with_secrets(port: int) -> str:
    """A webhook address carrying a password, a path token and a query token."""
    return f"http://shop:{PASSWORD}@127.0.0.1:{port}/hook/{PATH_TOKEN}?token={QUERY_TOKEN}"


def closed_port() -> int:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        return int(free.getsockname()[1])


def test_no_log_line_error_or_rule_log_carries_a_webhooks_secrets(
    ctx: Session, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="station")
    with receiving([500]) as receiver:
        rule(ctx, "imported", [("webhook", with_secrets(receiver.port))], name="hook")
        rule(ctx, "imported", [("webhook", with_secrets(closed_port()))], name="gone", position=1)
        order = take(ctx)
        now, errors = utcnow(), []
        for client, at in [  # 500 and refused; refused (private), the other one refused again
            (INSIDE, now),
            (WebhookClient(), now + timedelta(seconds=BACKOFF_MAX)),
        ]:
            deliver_webhooks(ctx, client, now=at)
            errors += [hook.last_error for hook in webhooks(ctx)]
        for hook in webhooks(ctx):
            retry_webhook(ctx, hook, now=now)
        ctx.commit()
        deliver_webhooks(ctx, INSIDE, now=now + timedelta(seconds=2 * BACKOFF_MAX))  # delivered

    called = receiver.received[-1]  # the receiver itself is called with every secret
    assert called.path == f"/hook/{PATH_TOKEN}?token={QUERY_TOKEN}"
    assert b64decode(called.headers["Authorization"].removeprefix("Basic ")).decode() == (
        f"shop:{PASSWORD}"
    )
    seen = "\n".join(
        [record.getMessage() for record in caplog.records]
        + [error or "" for error in errors]
        + [detail for _name, _outcome, detail in runs(ctx, order)]
    )
    assert "answered 500" in seen and "a private or local address" in seen
    assert "did not answer" in seen and "delivered" in seen
    assert f"127.0.0.1:{receiver.port}/hook/***?token=***" in seen
    assert [secret for secret in SECRETS if secret in seen] == []
