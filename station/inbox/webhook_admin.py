"""A manager posts a failed inbox webhook again, by hand, from Needs attention.

The delivery goes back in the queue (same delivery id, attempts start over), the audit
log records who asked with it, and a delivery pass starts once committed. Delivering is
``station.inbox.webhooks``'s.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from station import audit
from station.inbox.masked_urls import masked_url
from station.inbox.webhooks import retry_webhook
from station.models import InboxWebhook, User
from station.uow import UnitOfWork


def retry_failed_webhook(
    actor: User | None, hook: InboxWebhook, *, now: datetime, deliver: Callable[[], object]
) -> bool:
    """``actor`` posts one failed webhook again; ``deliver`` starts a delivery pass once
    committed. False, and nothing changed, when it was not failed (a second click)."""
    with UnitOfWork(actor) as uow:
        if not retry_webhook(uow.session, hook, now=now):
            return False
        uow.record(
            "inbox.webhook_retried",
            target=audit.Target("inbox_order", hook.order_id, hook.order.reference),
            detail={"url": masked_url(hook.url)},
        )
        uow.after_commit(deliver)
        uow.commit()
    return True
