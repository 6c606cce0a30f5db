"""Reading one order from Cin7 when a person asks: refresh it, or store a set-aside one.

Both commit what the read brought, and an order Station still cannot store is set aside
(or keeps its newest reason) even though the command then raises ``OrderNotStorable``:
the person sees why, and Needs attention lists it. A Cin7 error changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from station import audit
from station.cin7.budget import SyncProgress, cin7_status
from station.cin7.client import Cin7Client
from station.cin7.sync import OrderNotStorable, refresh_order, retry_set_aside
from station.models import SalesOrder, SetAsideOrder, User
from station.uow import UnitOfWork


def refresh_from_cin7(actor: User | None, client: Cin7Client, cin7_id: int) -> SalesOrder | None:
    """Read order ``cin7_id`` from Cin7 now and update Station's copy; None when Cin7 no
    longer has it. Raises ``OrderNotStorable`` once the order is set aside."""
    with UnitOfWork(actor) as uow:
        try:
            fresh = refresh_order(uow.session, client, cin7_id)
        except OrderNotStorable:
            uow.commit()  # set aside: listed under Needs attention
            raise
        uow.record(
            "order.refreshed",
            target=fresh or audit.Target("sales_order", None, f"Cin7 order {cin7_id}"),
            detail={"cin7_id": cin7_id, "found": fresh is not None},
        )
        uow.commit()
    return fresh


def retry_set_aside_now(actor: User | None, client: Cin7Client, row: SetAsideOrder) -> str | None:
    """``actor`` has a set-aside order read from Cin7 again and stored; the reference it is
    stored under, or None when Cin7 no longer has it (it leaves the list either way).

    Raises ``OrderNotStorable`` when it still cannot be stored (the row keeps the newest
    reason). The audit log records the retry with its outcome.
    """
    with UnitOfWork(actor) as uow:
        reference, cin7_id = row.reference, row.cin7_id
        try:
            fresh = retry_set_aside(uow.session, client, row)
        except OrderNotStorable:
            uow.commit()  # the set-aside row keeps the newest reason
            raise
        stored = fresh.reference if fresh is not None else None
        uow.record(
            "sync.set_aside_retried",
            target=fresh or audit.Target("sales_order", None, reference),
            detail={"cin7_id": cin7_id},
        )
        uow.commit()
    return stored


def request_sync(actor: User | None, start: Callable[[], object]) -> SyncProgress | None:
    """``actor`` asks for an order sync now: ``start`` runs after the request is audited.

    Returns the sync already under way instead (nothing is started or recorded then).
    """
    with UnitOfWork(actor) as uow:
        running = cin7_status(uow.session).running
        if running is not None:
            return running
        uow.record("sync.requested", target=audit.Target("sync", None, "Cin7 orders"))
        uow.after_commit(start)
        uow.commit()
    return None
