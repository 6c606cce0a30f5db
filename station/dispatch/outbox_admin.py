"""A manager sends failed Cin7 write-backs again, by hand, from Needs attention.

Each retry puts the item back in the outbox's queue (attempts start over), records who
asked in the audit log with it, and starts a delivery pass once committed. The queue
itself, claiming and sending, is ``station.dispatch.outbox``'s.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from station.dispatch.outbox import needs_attention, retry_item
from station.models import OutboxItem, User
from station.uow import UnitOfWork


def retry_write_back(
    actor: User | None, item: OutboxItem, *, now: datetime, deliver: Callable[[], object]
) -> bool:
    """``actor`` sends one failed write-back again; ``deliver`` (a delivery pass) starts
    once committed. False, and nothing changed, when it was not failed (another click, or
    a retry of all, got there first)."""
    with UnitOfWork(actor) as uow:
        if not _retry(uow, item, now=now):
            return False
        uow.after_commit(deliver)
        uow.commit()
    return True


def retry_failed_write_backs(
    actor: User | None, *, now: datetime, deliver: Callable[[], object]
) -> int:
    """``actor`` sends every failed write-back again (after fixing what they failed on in
    Cin7); how many were. ``deliver`` starts a delivery pass once committed."""
    with UnitOfWork(actor) as uow:
        retried = sum(_retry(uow, item, now=now) for item in needs_attention(uow.session))
        uow.after_commit(deliver)
        uow.commit()
    return retried


def _retry(uow: UnitOfWork, item: OutboxItem, *, now: datetime) -> bool:
    """Put a failed item back in the queue and say who did; False if it was not failed."""
    if not retry_item(uow.session, item, now=now):
        return False
    uow.record("outbox.retried", target=item.order, detail={"write_back": item.kind.value})
    return True
