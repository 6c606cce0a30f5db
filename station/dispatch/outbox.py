"""Delivering the outbox to Cin7: batched, read per item, retried, never re-sent once done.

The outbox is a :mod:`station.queue`: an attempt counts when its item is claimed, and an
item cut off on its last attempt is failed. One pass (``deliver_outbox``):

1. Items left ``sending`` by a dead worker (their claim unrenewed for the sending lease,
   30 s) go back to ``pending``, marked ``uncertain``: Cin7 may or may not have applied
   them (one cut off on its last attempt is ``failed``, still uncertain). Before such an
   item is sent again, Cin7 is asked (one list call for the whole batch) whether the
   order already shows what the item sets; if it does the item is done without a second
   update. Only the Shopify trigger, which Cin7 gives no way to read back, is sent again
   (it is harmless: the Shopify module re-reads the order's status), so it is delivered
   at least once.
2. Items of orders Station knows are void in Cin7 are cancelled with a note
   (``void_orders``): Cin7 would refuse them.
3. Due items are claimed (``pending`` → ``sending``, one conditional UPDATE each, so two
   workers never both take one) and committed before anything is sent. An item waits
   while the item it comes ``after`` is not done; a freight push also waits until every
   label of its consignment has printed. The pass keeps its claims alive while it runs
   (``outbox_claims``) and writes outcomes only for items it still holds.
4. Dispatched updates and freight pushes go out as batch PUTs (up to 250 orders a call);
   each item reads its own result, and each batch's outcomes are committed at once. The
   Shopify trigger is one GET per order, its URL made from the template and link id set
   now; its result is committed right after the call, so only a worker killed during that
   one GET can make it go out twice.
5. An item Cin7 refuses in its per-item result (a void order, a validation error, an
   unknown id) cannot succeed by sending it again: it is ``failed`` at once and shows on
   the "needs attention" list with Cin7's message and a retry button. A call that fails
   as a whole (5xx, 429, a timeout, a reply that is not JSON) is retried with backoff;
   rate limits and outages put the whole batch back, giving back the attempt its claim
   counted; other failures keep it, and after ``MAX_ATTEMPTS`` the items are ``failed``.
   Every failed trigger call counts (it is not the API: an unreachable link or an error
   page must end somewhere); Cin7 asking to sign in fails it at once, as no retry can
   succeed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from station.cin7.client import MAX_ROWS, Cin7Client
from station.cin7.errors import Cin7Error, Cin7RateLimited, Cin7Unavailable
from station.cin7.trigger import ShopifyTrigger, read_answer
from station.cin7.types import SalesOrder
from station.dispatch.outbox_claims import OutboxClaims
from station.dispatch.void_orders import cancel_for_void_orders
from station.dispatch.writebacks import wire_payload
from station.models import JobState, OutboxItem, OutboxKind, OutboxState, PrintJob
from station.queue import RetryPolicy, claim, fail, recover, retry_failed, retry_later, succeed

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
SENDING_LEASE = timedelta(seconds=30)
BACKOFF_FIRST = 30.0
BACKOFF_MAX = 30 * 60.0
BATCH = 250
# A write-back cut off by a crash goes again without spending an attempt: killing workers
# must never fail one nor stretch its backoff (it is checked in Cin7 first when uncertain).
POLICY = RetryPolicy(MAX_ATTEMPTS, BACKOFF_FIRST, BACKOFF_MAX, SENDING_LEASE, refund_cut_off=True)
CUT_OFF = "the worker sending it stopped before Cin7 answered; Cin7 is checked before a resend"
NO_TRIGGER = ShopifyTrigger()  # no link id: a Shopify item fails, saying where to set it


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """What one pass delivered."""

    done: int = 0
    retrying: int = 0
    failed: int = 0
    calls: int = 0


def deliver_outbox(
    session: Session,
    client: Cin7Client,
    *,
    now: datetime,
    lease: timedelta = SENDING_LEASE,
    batch: int = BATCH,
    clock: Callable[[], datetime] | None = None,
    trigger: ShopifyTrigger = NO_TRIGGER,
) -> DeliveryResult:
    """Deliver every due item once; returns the counts.

    ``lease``: how long a claim may go unrenewed before its worker counts as dead.
    ``batch``: orders per PUT (≤ 250). ``clock`` (the time now): with it, a thread renews
    the pass's claims every third of the lease while it runs; without it (a test's fixed
    ``now``) they are renewed only around each call. ``trigger``: the Shopify trigger's
    template and link id as set now.
    """
    batch = max(1, min(batch, BATCH))
    _recover(session, now, lease)
    cancel_for_void_orders(session)
    session.commit()
    items = _claim(session, _due(session, now), now)
    if not items:
        return DeliveryResult()
    ids = [item.id for item in items]  # read now: each commit below expires the rows
    claims = OutboxClaims(session.get_bind().engine, ids, stamp=now, clock=clock or (lambda: now))
    if clock is None:
        calls = _deliver(session, client, claims, items, now=now, batch=batch, trigger=trigger)
    else:
        with claims.kept_alive(lease.total_seconds() / 3):
            calls = _deliver(session, client, claims, items, now=now, batch=batch, trigger=trigger)
    # One query for the outcome, not a reload of each row the last commit expired.
    counted = session.execute(
        select(OutboxItem.state, func.count())
        .where(OutboxItem.id.in_(ids))
        .group_by(OutboxItem.state)
    )
    states = {state: count for state, count in counted}
    return DeliveryResult(
        done=states.get(OutboxState.DONE, 0),
        retrying=states.get(OutboxState.PENDING, 0),
        failed=states.get(OutboxState.FAILED, 0),
        calls=calls,
    )


def _deliver(
    session: Session,
    client: Cin7Client,
    claims: OutboxClaims,
    items: list[OutboxItem],
    *,
    now: datetime,
    batch: int,
    trigger: ShopifyTrigger,
) -> int:
    """Send the claimed items (checking uncertain ones in Cin7 first); the calls made."""
    puts = [item for item in items if item.kind != OutboxKind.SHOPIFY]
    triggers = [item for item in items if item.kind == OutboxKind.SHOPIFY]
    calls = 0
    uncertain = [item for item in puts if item.uncertain]
    if uncertain:
        calls += -(-len({i.payload["id"] for i in uncertain}) // MAX_ROWS)
        applied = _already_applied(client, uncertain)
        _settle(session, claims, [i for i in uncertain if i.id in applied], lambda i: _done(i, now))
        puts = [item for item in puts if item.state == OutboxState.SENDING]
    for start in range(0, len(puts), batch):
        chunk = _still_held(claims, puts[start : start + batch])
        if chunk:
            calls += 1
            _send_batch(session, client, claims, chunk, now)
    for item in _still_held(claims, triggers):
        calls += 1
        _send_trigger(session, client, item, now, trigger)
    claims.finish(item.id for item in triggers)
    session.commit()
    return calls


def _still_held(claims: OutboxClaims, items: list[OutboxItem]) -> list[OutboxItem]:
    """Renew the pass's claims; those of ``items`` no other pass took over meanwhile."""
    if not items:
        return []
    held = claims.renew()
    return [item for item in items if item.id in held]


def _settle(
    session: Session,
    claims: OutboxClaims,
    items: list[OutboxItem],
    outcome: Callable[[OutboxItem], None],
) -> None:
    """Write ``outcome`` for each item the pass still holds, and commit at once."""
    kept = _still_held(claims, items)
    for item in kept:
        outcome(item)
    claims.finish(item.id for item in kept)
    session.commit()


def retry_item(session: Session, item: OutboxItem, *, now: datetime) -> bool:
    """A person asks to try a failed item again (attempts start over); False if not failed."""
    return retry_failed(session, item, now=now)


def needs_attention(session: Session) -> list[OutboxItem]:
    """Failed items, oldest first."""
    return list(
        session.scalars(
            select(OutboxItem).where(OutboxItem.state == OutboxState.FAILED).order_by(OutboxItem.id)
        )
    )


def attention_query() -> Select[tuple[int]]:
    """The count of write-backs that need a person, as a statement a page header folds in."""
    return select(func.count()).where(OutboxItem.state == OutboxState.FAILED)


def writeback_badges(session: Session, order_ids: Sequence[int]) -> dict[int, str]:
    """Each order's Cin7 write-back state for a badge: failed, pending or synced.

    The worst state of the order's items wins; cancelled items (a void) do not count,
    and orders with nothing owed are left out.
    """
    badges: dict[int, str] = {}
    rows = session.execute(
        select(OutboxItem.order_id, OutboxItem.state)
        .where(OutboxItem.order_id.in_(order_ids), OutboxItem.state != OutboxState.CANCELLED)
        .distinct()
    )
    for order_id, state in rows:
        badge = _BADGES[state]
        badges[order_id] = min(badges.get(order_id, badge), badge, key=_WORST_FIRST.index)
    return badges


_BADGES = {
    OutboxState.FAILED: "failed",
    OutboxState.PENDING: "pending",
    OutboxState.SENDING: "pending",
    OutboxState.DONE: "synced",
}
_WORST_FIRST = ("failed", "pending", "synced")


def _recover(session: Session, now: datetime, lease: timedelta) -> None:
    """Items cut off mid-send go again, marked uncertain (Cin7 is checked first)."""
    policy = replace(POLICY, lease=lease)
    recover(session, OutboxItem, now=now, policy=policy, note=CUT_OFF, values={"uncertain": True})


def _already_applied(client: Cin7Client, items: list[OutboxItem]) -> set[int]:
    """Ids of items whose values Cin7 already shows (so sending them again would repeat)."""
    ids = sorted({int(item.payload["id"]) for item in items})
    orders: dict[int, SalesOrder] = {}
    try:
        for start in range(0, len(ids), MAX_ROWS):
            chunk = ", ".join(str(i) for i in ids[start : start + MAX_ROWS])
            found = client.sales_orders(where=f"id IN ({chunk})", order=None, rows=MAX_ROWS)
            orders.update((order.id, order) for order in found)
    except Cin7Error as exc:
        log.warning("could not check Cin7 for interrupted updates (%s); they wait", exc)
        return set()
    return {
        item.id
        for item in items
        if (order := orders.get(int(item.payload["id"]))) is not None and _shows(order, item)
    }


def _shows(order: SalesOrder, item: OutboxItem) -> bool:
    payload = item.payload
    if item.kind == OutboxKind.FREIGHT:
        return order.freight_total is not None and order.freight_total == Decimal(
            str(payload["freightTotal"])
        )
    return (order.stage or "").lower() == "dispatched" and (
        order.tracking_code or ""
    ) == payload.get("trackingCode", "")


def _due(session: Session, now: datetime) -> list[OutboxItem]:
    before = aliased(OutboxItem)
    candidates = session.scalars(
        select(OutboxItem)
        .outerjoin(before, OutboxItem.after_id == before.id)
        .where(
            OutboxItem.state == OutboxState.PENDING,
            OutboxItem.next_attempt_at <= now,
            (OutboxItem.after_id.is_(None)) | (before.state == OutboxState.DONE),
        )
        .order_by(OutboxItem.id)
        .limit(BATCH * 4)
    ).all()
    waiting = _waiting_for_labels(session, candidates)
    return [
        item
        for item in candidates
        if not (item.kind == OutboxKind.FREIGHT and item.consignment_id in waiting)
    ]


def _waiting_for_labels(session: Session, items: Sequence[OutboxItem]) -> set[int]:
    """The consignments of ``items``' freight pushes whose labels have not all printed.

    A freight push waits until then: its first labels, not a reprint.
    """
    consignments = {
        item.consignment_id
        for item in items
        if item.kind == OutboxKind.FREIGHT and item.consignment_id is not None
    }
    if not consignments:
        return set()
    return set(
        session.scalars(
            select(PrintJob.consignment_id)
            .where(
                PrintJob.consignment_id.in_(consignments),
                PrintJob.parcel.is_not(None),  # its first labels: a reprint is not waited for
                PrintJob.state != JobState.DONE,
            )
            .distinct()
        )
    )


def _claim(session: Session, items: list[OutboxItem], now: datetime) -> list[OutboxItem]:
    taken = claim(session, OutboxItem, (item.id for item in items), now=now)
    if not taken:
        return []
    fresh = session.scalars(
        select(OutboxItem)
        .where(OutboxItem.id.in_(taken))
        .execution_options(populate_existing=True)  # the claim's state and attempts
    )
    by_id = {item.id: item for item in fresh}
    return [by_id[item_id] for item_id in taken]


def _send_batch(
    session: Session,
    client: Cin7Client,
    claims: OutboxClaims,
    items: list[OutboxItem],
    now: datetime,
) -> None:
    try:
        results = client.update_sales_orders([wire_payload(item.payload) for item in items])
    except Cin7Error as exc:
        error, count = str(exc), not isinstance(exc, (Cin7RateLimited, Cin7Unavailable))
        _settle(session, claims, items, lambda item: _later(item, error, now, count=count))
        return
    outcomes = {item.id: result for item, result in zip(items, results, strict=True)}

    def record(item: OutboxItem) -> None:
        result = outcomes[item.id]
        if result.success:
            _done(item, now)
        else:
            _refused(item, "; ".join(result.errors) or "no reason given")

    _settle(session, claims, items, record)


def _send_trigger(
    session: Session, client: Cin7Client, item: OutboxItem, now: datetime, trigger: ShopifyTrigger
) -> None:
    """One GET; its result is committed at once, which keeps the twice-sent window to the call."""
    try:
        # Items recorded before the URL was made at send time carry it.
        url = item.payload.get("url") or trigger.url(int(item.payload["order_id"]))
    except ValueError as exc:
        _give_up(item, str(exc))
        session.commit()
        return
    try:
        answer = client.get_url(url)
    except Cin7Error as exc:
        _later(item, str(exc), now)
    else:
        verdict = read_answer(url, answer.status, answer.location)
        if verdict.error is None:
            _done(item, now)
        elif verdict.final:
            _give_up(item, verdict.error)
        else:
            _later(item, verdict.error, now)
    session.commit()


def _done(item: OutboxItem, now: datetime) -> None:
    succeed(item, now=now)
    item.uncertain = False
    log.info("outbox %s (%s, order %s) delivered", item.id, item.kind.value, item.order_id)


def _give_up(item: OutboxItem, error: str) -> None:
    """An attempt that no retry can turn into success: needs attention now."""
    fail(item, error)
    log.warning("outbox %s needs attention at once: %s", item.id, error)


def _refused(item: OutboxItem, error: str) -> None:
    """Cin7 refused this item itself: sending it again would be refused again."""
    _give_up(item, f"Cin7 refused this update: {error}")


def _later(item: OutboxItem, error: str, now: datetime, *, count: bool = True) -> None:
    """Try again after backoff; ``count`` False gives back the attempt (Cin7 was not reached
    or asked us to wait)."""
    delay = retry_later(item, error, now=now, policy=POLICY, spent=count)
    if delay is None:
        log.warning(
            "outbox %s needs attention after %s attempts: %s", item.id, item.attempts, error
        )
    else:
        log.warning("outbox %s will retry in %s: %s", item.id, delay, error)
