"""Rule webhooks: recorded when the rule fires, posted later by a job, each delivered once.

A rule's *Call webhook* action only writes an ``InboxWebhook`` (the order as it is then,
and a delivery id), in the transaction that logs the rule; nothing waits on the
receiver inside a web request or a submission run. The deliveries are a
:mod:`station.queue`; a delivery pass (``deliver_webhooks``):

1. Deliveries left ``sending`` by a worker that died go back to ``pending``, or to
   ``failed`` once they have used up their attempts (a delivery that kills its worker
   every time must not come back forever).
2. Each due delivery in turn is claimed (``pending`` → ``sending``, a conditional UPDATE,
   so two passes never both take one) and committed before it is sent; the claim counts
   the attempt, so an attempt the worker never finishes counts too.
3. It is POSTed through a :class:`WebhookClient` (the address checked, then pinned) with
   its delivery id as the ``Idempotency-Key`` header, within the client's time limit. A
   2xx answer is *done*; anything else (a redirect too: it is not followed) is tried again
   with backoff, and after ``MAX_ATTEMPTS`` it is *failed* and shows on the order's page
   and under Needs attention. An address that may not be called at all (private, not
   http) fails at once.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from station.inbox.errors import WebhookRefused, WebhookUnreachable
from station.inbox.masked_urls import masked_url
from station.inbox.webhook_client import WebhookClient
from station.models import InboxOrder, InboxWebhook, OutboxState
from station.queue import RetryPolicy, claim, fail, recover, retry_failed, retry_later, succeed
from station.version import __version__

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
SENDING_LEASE = timedelta(minutes=5)  # far longer than one POST's TIME_LIMIT
BACKOFF_FIRST = 30.0
BACKOFF_MAX = 30 * 60.0
BATCH = 100
CUT_OFF = "the worker posting it stopped before an answer came"
POLICY = RetryPolicy(MAX_ATTEMPTS, BACKOFF_FIRST, BACKOFF_MAX, SENDING_LEASE)


@dataclass(frozen=True, slots=True)
class WebhookReport:
    """What one pass did."""

    delivered: int = 0
    retrying: int = 0
    failed: int = 0


def order_json(order: InboxOrder) -> dict[str, Any]:
    """The order as the webhook action posts it."""
    return {
        "id": order.id,
        "shop": order.shop,
        "shop_order_id": order.shop_order_id,
        "reference": order.reference,
        "email": order.email,
        "folder": order.folder.name if order.folder is not None else None,
        "customer": order.customer,
        "shipping_address": order.shipping_address,
        "lines": order.lines,
        "checkout": order.checkout,
        "tags": order.tags,
        "cin7_id": order.cin7_id,
    }


def queue_webhook(
    session: Session, order: InboxOrder, url: str, *, at: datetime, queued_by: str
) -> InboxWebhook:
    """Record a webhook call of ``order`` as it is now, to be posted by the delivery job.

    The caller starts a delivery pass after its commit (the rule's action says it queued
    one; the bus hands that on), and the periodic pass finds any it did not.
    """
    session.flush()  # the order's id, for the body
    hook = InboxWebhook(
        queued_by=queued_by[:80],
        url=url,
        delivery_id=str(uuid.uuid4()),
        payload=order_json(order),
        next_attempt_at=at,
        created_at=at,
    )
    hook.order = order
    session.add(hook)
    return hook


def deliver_webhooks(
    session: Session,
    client: WebhookClient,
    *,
    now: datetime,
    lease: timedelta = SENDING_LEASE,
) -> WebhookReport:
    """Post every due webhook once, committing after each; returns the counts.

    ``lease``: how long a delivery may stay ``sending`` before its worker counts as dead.
    """
    _recover(session, now, lease)
    hooks = []
    for hook_id in _due(session, now):
        hook = _claim(session, hook_id, now)  # one at a time: the lease covers one POST
        if hook is None:
            continue  # another pass took it
        _send(hook, client, now)
        session.commit()
        hooks.append(hook)
    states = [hook.state for hook in hooks]
    return WebhookReport(
        delivered=states.count(OutboxState.DONE),
        retrying=states.count(OutboxState.PENDING),
        failed=states.count(OutboxState.FAILED),
    )


def retry_webhook(session: Session, hook: InboxWebhook, *, now: datetime) -> bool:
    """A person asks to try a failed delivery again (attempts start over, same delivery id).

    Returns whether it was put back in the queue: only a failed delivery is (one already
    queued, being sent or delivered is left as it is, as on a second click).
    """
    return retry_failed(session, hook, now=now)


def failed_webhooks(session: Session) -> list[InboxWebhook]:
    """Deliveries that gave up, oldest first."""
    return list(
        session.scalars(
            select(InboxWebhook)
            .where(InboxWebhook.state == OutboxState.FAILED)
            .order_by(InboxWebhook.id)
        )
    )


def failed_webhook_query() -> Select[tuple[int]]:
    """The count of deliveries that need a person, as a statement a page header folds in."""
    return select(func.count()).where(InboxWebhook.state == OutboxState.FAILED)


def order_webhooks(session: Session, order_id: int) -> list[InboxWebhook]:
    """One order's webhook deliveries, oldest first."""
    return list(
        session.scalars(
            select(InboxWebhook).where(InboxWebhook.order_id == order_id).order_by(InboxWebhook.id)
        )
    )


def _recover(session: Session, now: datetime, lease: timedelta) -> None:
    recover(session, InboxWebhook, now=now, policy=replace(POLICY, lease=lease), note=CUT_OFF)


def _due(session: Session, now: datetime) -> list[int]:
    return list(
        session.scalars(
            select(InboxWebhook.id)
            .where(InboxWebhook.state == OutboxState.PENDING, InboxWebhook.next_attempt_at <= now)
            .order_by(InboxWebhook.id)
            .limit(BATCH)
        )
    )


def _claim(session: Session, hook_id: int, now: datetime) -> InboxWebhook | None:
    """Take one delivery for this pass (committed before it is sent), unless another did."""
    if not claim(session, InboxWebhook, [hook_id], now=now):
        return None
    hook = session.get(InboxWebhook, hook_id)
    if hook is not None:
        session.refresh(hook)
    return hook


def _send(hook: InboxWebhook, client: WebhookClient, now: datetime) -> None:
    headers = {"Idempotency-Key": hook.delivery_id, "User-Agent": f"Station/{__version__}"}
    try:
        answer = client.post(hook.url, hook.payload, headers=headers)
    except WebhookRefused as problem:
        _give_up(hook, str(problem))
        return
    except WebhookUnreachable as problem:
        _later(hook, str(problem), now)
        return
    hook.status_code = answer.status_code
    if answer.is_success:
        succeed(hook, now=now)
        log.info(
            "inbox webhook %s to %s delivered (%s)",
            hook.id,
            masked_url(hook.url),
            answer.status_code,
        )
        return
    said = answer.excerpt()
    _later(
        hook,
        f"the webhook {masked_url(hook.url)} answered {answer.status_code}"
        + (f": {said}" if said else ""),
        now,
    )


def _give_up(hook: InboxWebhook, error: str) -> None:
    fail(hook, error)
    log.warning(
        "inbox webhook %s needs attention after %s attempts: %s", hook.id, hook.attempts, error
    )


def _later(hook: InboxWebhook, error: str, now: datetime) -> None:
    delay = retry_later(hook, error, now=now, policy=POLICY)
    if delay is None:
        log.warning(
            "inbox webhook %s needs attention after %s attempts: %s", hook.id, hook.attempts, error
        )
    else:
        log.warning("inbox webhook %s will retry in %s: %s", hook.id, delay, error)
