"""Write-backs owed to orders Cin7 has voided are cancelled with a note, not sent.

Cin7 refuses every update to a void order, so once Station knows an order is void (the
sync or a refresh read ``isVoid``), sending its Dispatched update, freight push or
Shopify trigger would only spend calls and end on the Needs attention list. Its items
still waiting (pending, or failed on that refusal) are cancelled instead; the note says
why, on the order page and under Needs attention. An item being sent right now is left
to its worker.
"""

from __future__ import annotations

import logging
from collections.abc import Collection

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from station.models import OutboxItem, OutboxState, SalesOrder

log = logging.getLogger(__name__)

VOID_NOTE = "Not sent: the order is void in Cin7, and Cin7 refuses updates to a void order."
RECENT = 50  # cancelled items the Needs attention page lists


def cancel_for_void_orders(session: Session, *, cin7_ids: Collection[int] | None = None) -> int:
    """Cancel the waiting write-backs of orders Station knows are void; how many. No commit.

    ``cin7_ids`` limits it to those orders (the ones a sync page just stored).
    """
    void = select(SalesOrder.id).where(SalesOrder.is_void.is_(True))
    if cin7_ids is not None:
        if not cin7_ids:
            return 0
        void = void.where(SalesOrder.cin7_id.in_(list(cin7_ids)))
    cancelled = session.execute(
        update(OutboxItem)
        .where(
            OutboxItem.state.in_((OutboxState.PENDING, OutboxState.FAILED)),
            OutboxItem.order_id.in_(void),
        )
        .values(state=OutboxState.CANCELLED, last_error=VOID_NOTE)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if cancelled:
        log.info("%d write-backs cancelled: their orders are void in Cin7", cancelled)
    return cancelled


def cancelled_for_void(session: Session, *, limit: int = RECENT) -> list[OutboxItem]:
    """Write-backs not sent because their order is void in Cin7, newest first."""
    return list(
        session.scalars(
            select(OutboxItem)
            .join(SalesOrder, OutboxItem.order_id == SalesOrder.id)
            .where(OutboxItem.state == OutboxState.CANCELLED, SalesOrder.is_void.is_(True))
            .order_by(OutboxItem.id.desc())
            .limit(limit)
        )
    )
