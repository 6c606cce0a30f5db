"""Rule webhooks from the pages: posted after the request, shown on the order, retried by hand."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station.extensions import db
from station.models import AuditEvent, InboxRule, InboxWebhook, OutboxState
from tests.conftest import AuthActions
from tests.fakes.webhooks import WebhookReceiver, receiving
from tests.inbox.builders import rule, take


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with receiving() as running:
        yield running


def order_with_a_tag_rule(app: Flask, url: str) -> int:
    """Order #1001 in the inbox and a rule that calls ``url`` when an order is tagged."""
    with app.app_context():
        rule(db.session, "tagged", [("webhook", url)], name="tell the shop")
        return take(db.session).id


def states(app: Flask) -> list[tuple[OutboxState, int]]:
    with app.app_context():
        return [(h.state, h.attempts) for h in db.session.scalars(select(InboxWebhook))]


def test_a_rule_fired_by_a_page_posts_its_webhook_after_the_request(
    app: Flask, client: FlaskClient, auth: AuthActions, receiver: WebhookReceiver
) -> None:
    app.config["INBOX_WEBHOOK_PRIVATE"] = True
    order_id = order_with_a_tag_rule(app, receiver.url())
    auth.login()

    client.post(f"/inbox/orders/{order_id}/tags", data={"tag": "vip"})
    page = client.get(f"/inbox/orders/{order_id}").get_data(as_text=True)

    [request] = receiver.received
    assert request.body["tags"] == ["vip"]
    assert states(app) == [(OutboxState.DONE, 1)]
    assert "queued a webhook to " + receiver.url() in page
    assert 'id="order-webhooks"' in page and "delivered " in page and "HTTP 204" in page


def test_a_refused_webhook_needs_attention_until_a_retry_delivers_it(
    app: Flask, client: FlaskClient, auth: AuthActions, receiver: WebhookReceiver
) -> None:
    order_id = order_with_a_tag_rule(app, receiver.url())
    auth.login()
    client.post(f"/inbox/orders/{order_id}/tags", data={"tag": "vip"})

    attention = client.get("/outbox").get_data(as_text=True)
    order_page = client.get(f"/inbox/orders/{order_id}").get_data(as_text=True)

    assert receiver.received == [] and states(app) == [(OutboxState.FAILED, 1)]
    assert 'Needs attention <span class="badge">1</span>' in attention
    assert "#1001" in attention and "a private or local address" in attention
    assert '<span class="bad">failed</span>' in order_page

    app.config["INBOX_WEBHOOK_PRIVATE"] = True  # the receiver is inside the network after all
    with app.app_context():
        hook_id = db.session.scalar(select(InboxWebhook.id))
    client.post(f"/outbox/webhooks/{hook_id}/retry")

    assert len(receiver.received) == 1 and states(app) == [(OutboxState.DONE, 1)]
    assert "Inbox webhooks" not in client.get("/outbox").get_data(as_text=True)


def test_pages_and_the_audit_log_show_a_webhook_address_without_its_secrets(
    app: Flask, client: FlaskClient, auth: AuthActions, receiver: WebhookReceiver
) -> None:
    secret_url = f"http://shop:pw-0f1e2d3c@127.0.0.1:{receiver.port}/hook?token=tok-9a8b7c6d"
    order_id = order_with_a_tag_rule(app, secret_url)
    auth.login()
    client.post(f"/inbox/orders/{order_id}/tags", data={"tag": "vip"})  # refused: private
    with app.app_context():
        hook_id = db.session.scalar(select(InboxWebhook.id))
        rule_id = db.session.scalar(select(InboxRule.id))

    shown = {
        "order": client.get(f"/inbox/orders/{order_id}").get_data(as_text=True),
        "needs attention": client.get("/outbox").get_data(as_text=True),
        "rules": client.get("/inbox/rules").get_data(as_text=True),
    }
    client.post(f"/outbox/webhooks/{hook_id}/retry")
    with app.app_context():
        audited = [e.detail for e in db.session.scalars(select(AuditEvent))]
    rule_form = client.get(f"/inbox/rules/{rule_id}/edit").get_data(as_text=True)

    masked = f"http://127.0.0.1:{receiver.port}/hook?token=***"
    assert all(masked in page for page in shown.values())
    assert {"url": masked} in audited
    leaks = [
        name for name, page in shown.items() if "pw-0f1e2d3c" in page or "tok-9a8b7c6d" in page
    ]
    assert leaks == [] and "tok-9a8b7c6d" not in str(audited)
    assert secret_url in rule_form  # the manager editing the rule sees what was typed


def test_a_second_click_on_retry_says_the_webhook_was_delivered_and_records_nothing(
    app: Flask, client: FlaskClient, auth: AuthActions, receiver: WebhookReceiver
) -> None:
    order_id = order_with_a_tag_rule(app, receiver.url())
    auth.login()
    client.post(f"/inbox/orders/{order_id}/tags", data={"tag": "vip"})  # refused: private
    app.config["INBOX_WEBHOOK_PRIVATE"] = True
    with app.app_context():
        hook_id = db.session.scalar(select(InboxWebhook.id))

    first = client.post(f"/outbox/webhooks/{hook_id}/retry", follow_redirects=True)
    second = client.post(f"/outbox/webhooks/{hook_id}/retry", follow_redirects=True)

    assert "The webhook for #1001 will be posted again now." in first.get_data(as_text=True)
    assert (
        "The webhook for #1001 is already delivered, not failed; nothing was retried."
        in second.get_data(as_text=True)
    )
    assert len(receiver.received) == 1 and states(app) == [(OutboxState.DONE, 1)]
    with app.app_context():
        retries = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "inbox.webhook_retried")
        ).all()
    assert len(retries) == 1
