"""The Cin7 writes a consignment owes, recorded in the outbox in the same transaction.

- *Send back ticket number*: stage Dispatched, ``dispatchedDate``, ``trackingCode`` and
  ``logisticsCarrier``. ``trackingCode`` holds at most 50 characters: the tracking URL
  when it fits (and URL is chosen), else the ticket number with the URL appended to
  ``internalComments`` (never replacing what was there). A consignment of several
  parcels has one URL or ticket there (the first parcel's), so every parcel's ticket is
  listed in ``internalComments`` too.
- *Push freight*: ``freightTotal`` (carrier cost or the marked-up charge, for the whole
  consignment: every parcel) and
  ``freightDescription``; sent after the Dispatched update and after the label printed.
- *Shopify trigger*: the Cin7 Shopify module's update link, after the Dispatched update.

Each item's dedupe key names its consignment, so recording twice records once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from station.cin7.mapping import format_cin7_datetime
from station.dispatch.options import DispatchOptions, FreightPush, TrackingField
from station.models import Consignment, OutboxItem, OutboxKind, SalesOrder

TRACKING_CODE_MAX = 50
DECIMAL_FIELDS = ("freightTotal",)  # what a write-back sends that Cin7 types as a decimal


def dispatched_payload(
    order: SalesOrder,
    consignment: Consignment,
    options: DispatchOptions,
    *,
    carrier_name: str,
    now: datetime,
) -> dict[str, Any]:
    """The PUT item that marks ``order`` Dispatched with the consignment's tracking."""
    ticket = consignment.tickets[0] if consignment.tickets else ""
    url = consignment.tracking_url
    use_url = options.tracking_field == TrackingField.URL and 0 < len(url) <= TRACKING_CODE_MAX
    payload: dict[str, Any] = {
        "id": order.cin7_id,
        "stage": "Dispatched",
        "dispatchedDate": format_cin7_datetime(now.astimezone(UTC)),
        "trackingCode": url if use_url else ticket[:TRACKING_CODE_MAX],
        "logisticsCarrier": f"{carrier_name} {consignment.service_name}".strip()[:128],
    }
    notes = _notes(consignment.tickets, url, use_url=use_url)
    comments = order.internal_comments or ""
    new = [note for note in notes if note not in comments]
    if new:
        payload["internalComments"] = "\n".join([comments, *new] if comments else new)
    return payload


def _notes(tickets: list[str], url: str, *, use_url: bool) -> list[str]:
    """What ``internalComments`` gains: the URL that did not fit; each parcel's ticket."""
    notes = []
    if url and not use_url:
        notes.append(f"Tracking: {url}")
    if len(tickets) > 1:
        notes.append(f"Tickets ({len(tickets)} parcels): {', '.join(tickets)}")
    return notes


def wire_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The PUT item as Cin7 reads it: its decimals as JSON numbers.

    Items recorded before decimals were kept as numbers hold them as text; Cin7 may
    refuse (or misread) a decimal sent as a string, so they go out as numbers too.
    """
    item = dict(payload)
    for name in DECIMAL_FIELDS:
        if isinstance(item.get(name), str):
            item[name] = float(Decimal(item[name]))
    return item


def record_writebacks(
    session: Session,
    order: SalesOrder,
    consignment: Consignment,
    options: DispatchOptions,
    *,
    carrier_name: str,
    now: datetime,
    booked_now: bool = False,
) -> list[OutboxItem]:
    """Record the outbox items ``options`` ask for (or find those already recorded).

    ``booked_now``: the consignment was booked in this transaction, so none of its items
    can be recorded yet and none is looked for (the unique dedupe key still stands guard).
    """
    items: list[OutboxItem] = []
    look = not booked_now
    dispatched = None
    if options.send_back_ticket:
        dispatched = _item(
            session,
            OutboxKind.DISPATCHED,
            order,
            consignment,
            dispatched_payload(order, consignment, options, carrier_name=carrier_name, now=now),
            now=now,
            look=look,
        )
        items.append(dispatched)
    if options.freight_push != FreightPush.OFF:
        amount = (
            consignment.cost if options.freight_push == FreightPush.COST else consignment.charged
        )
        payload = {
            "id": order.cin7_id,
            "freightTotal": float(amount),  # a JSON number: Cin7 reads decimals as numbers
            "freightDescription": f"{carrier_name} {consignment.service_name}".strip(),
        }
        items.append(
            _item(
                session,
                OutboxKind.FREIGHT,
                order,
                consignment,
                payload,
                now=now,
                after=dispatched,
                look=look,
            )
        )
    if options.shopify_link_id and dispatched is not None:
        # The URL is made when it is sent, from the template and link id set then, so a
        # link copied again after Cin7 asked to sign in is what a retry uses.
        items.append(
            _item(
                session,
                OutboxKind.SHOPIFY,
                order,
                consignment,
                {"order_id": order.cin7_id},
                now=now,
                after=dispatched,
                look=look,
            )
        )
    return items  # added, not flushed: they get their ids with the caller's next flush


def _item(
    session: Session,
    kind: OutboxKind,
    order: SalesOrder,
    consignment: Consignment,
    payload: dict[str, Any],
    *,
    now: datetime,
    after: OutboxItem | None = None,
    look: bool = True,
) -> OutboxItem:
    key = f"{kind.value}-consignment-{consignment.id}"
    existing = (
        session.scalar(select(OutboxItem).where(OutboxItem.dedupe_key == key)) if look else None
    )
    if existing is not None:
        return existing
    item = OutboxItem(
        kind=kind,
        dedupe_key=key,
        order=order,
        consignment=consignment,
        payload=payload,
        after=after,
        next_attempt_at=now,
    )
    session.add(item)  # flushed with the others: ``after`` orders their INSERTs
    return item
