"""Taking a checked order into the inbox, once per shop order id.

The same order sent again (same content) answers with the order already kept, so a shop
retrying after a lost reply never makes a second one. The same shop order id with other
content is refused with ``OrderConflict``: Station never silently replaces an order that
may already be on its way to Cin7.

``receive_order`` is the shops' command (the order API, Shopify's webhook): one unit of
work that keeps the order, the webhook delivery it came in, and queues what its rules
left for jobs after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from station.inbox.bus import Settled, record_event
from station.inbox.errors import OrderConflict
from station.inbox.events import by_name
from station.inbox.folders import DefaultFolder, default_folder
from station.inbox.followups import InboxJobs, queue_rule_work
from station.inbox.orders import OrderDraft
from station.inbox.shopify_shops import claim_delivery
from station.models import InboxEventKind, InboxOrder, InboxSource, User
from station.uow import UnitOfWork

SOURCE_NAMES = {
    InboxSource.API: "the order API",
    InboxSource.CSV: "a CSV import",
    InboxSource.SHOPIFY: "a Shopify webhook",
}


@dataclass(frozen=True, slots=True)
class Intake:
    """The order kept for a shop order id, whether this call made it, and what its rules left."""

    order: InboxOrder
    created: bool
    rules: Settled = Settled()


def find_order(session: Session, shop: str, shop_order_id: str) -> InboxOrder | None:
    """The inbox order for a shop's order id, if Station has it."""
    return session.scalar(
        select(InboxOrder).where(InboxOrder.shop == shop, InboxOrder.shop_order_id == shop_order_id)
    )


def take_order(
    session: Session,
    draft: OrderDraft,
    *,
    shop: str,
    source: InboxSource,
    payload: Any,
    now: datetime,
    actor: User | None = None,
) -> Intake:
    """Keep ``draft`` (and the ``payload`` it came from) in the New folder, once.

    Raises OrderConflict when the shop sent this order id before with other content.
    Adds to the session; the caller commits.
    """
    existing = find_order(session, shop, draft.shop_order_id)
    if existing is not None:
        return _again(existing, draft)
    order = InboxOrder(
        **draft.order_columns(),
        shop=shop,
        source=source.value,
        source_payload=payload,
        folder_id=default_folder(session, DefaultFolder.NEW).id,
        tags=[],
        notes=[],
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(order)
    except IntegrityError:  # another request kept the same order id a moment ago
        existing = find_order(session, shop, draft.shop_order_id)
        if existing is None:
            raise
        return _again(existing, draft)
    settled = record_event(
        session,
        order,
        InboxEventKind.IMPORTED,
        f"Imported from {SOURCE_NAMES[source]} ({shop}).",
        at=now,
        by=by_name(actor),
        detail={"source": source.value, "shop": shop},
    )
    return Intake(order, created=True, rules=settled)


def receive_order(
    draft: OrderDraft,
    *,
    shop: str,
    source: InboxSource,
    payload: Any,
    now: datetime,
    jobs: InboxJobs,
    webhook_id: str | None = None,
) -> Intake | None:
    """Keep an order a shop sent (committed); None when its webhook delivery came before.

    ``webhook_id`` is claimed next to the order it commits with. Raises OrderConflict
    (nothing kept, the delivery left free for a retry) as ``take_order`` does.
    """
    with UnitOfWork(None) as uow:
        if webhook_id is not None and not claim_delivery(
            uow.session, webhook_id, shop=shop, now=now
        ):
            return None
        intake = take_order(uow.session, draft, shop=shop, source=source, payload=payload, now=now)
        queue_rule_work(uow, jobs, intake.rules)
        uow.commit()
    return intake


def _again(existing: InboxOrder, draft: OrderDraft) -> Intake:
    if existing.content_hash != draft.content_hash:
        raise OrderConflict(existing)
    return Intake(existing, created=False)
