"""What happened to an inbox order, in its event log; the rule events carry Order Desk's names.

``append_event`` only writes the log. The rules for an event are run by the bus
(``bus.record_event`` appends and settles in one step; ``bus.settle`` settles an event
appended here), so nothing that logs an event needs to know the rules.

An event names who did it as text (``by``): a person's username (``by_name``), a rule
("rule: Send"), or nothing for Station's own jobs.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from station.models import InboxEvent, InboxEventKind, InboxOrder, User

TITLES: dict[InboxEventKind, str] = {
    InboxEventKind.IMPORTED: "Order imported",
    InboxEventKind.MOVED: "Moved to another folder",
    InboxEventKind.SCHEDULED: "Order scheduled to Cin7",
    InboxEventKind.BEFORE_SUBMIT: "Before order submitted",
    InboxEventKind.AFTER_SUBMIT: "After order submitted",
    InboxEventKind.NOT_SUBMITTED_ERROR: "Not submitted because of a general error",
    InboxEventKind.NOT_SUBMITTED_INVALID_SKU: "Not submitted because of an invalid SKU",
    InboxEventKind.NOT_SUBMITTED_NO_PRODUCTS: "Not submitted because no products are available",
    InboxEventKind.SHIPPED: "Shipped",
    InboxEventKind.CANCELED: "Canceled in Cin7",
    InboxEventKind.NOTE_ADDED: "Note added",
    InboxEventKind.TAGGED: "Tag added",
}


def append_event(
    session: Session,
    order: InboxOrder,
    kind: InboxEventKind,
    message: str,
    *,
    at: datetime,
    detail: Mapping[str, Any] | None = None,
    by: str = "",
) -> InboxEvent:
    """Add an event to the order's log, done ``by`` someone (the caller settles and commits)."""
    event = InboxEvent(
        kind=kind.value,
        message=message,
        detail=dict(detail or {}),
        actor_username=by,
        at=at,
    )
    order.events.append(event)
    session.add(event)
    return event


def title(kind: str) -> str:
    """The event's name as people read it ("Order scheduled to Cin7")."""
    try:
        return TITLES[InboxEventKind(kind)]
    except ValueError:
        return kind


def by_name(actor: User | None) -> str:
    """How an event names the person acting (their username), or "" for Station itself."""
    return actor.username if actor is not None else ""
