"""Cin7 work a manager asks for from the inbox's pages: submit orders, check shipments, read stock.

Each is one unit of work for the person asking: what it marks and its audit entry commit
together, and the job that talks to Cin7 is queued only after that commit (a job never
waits on a request's transaction, nor starts for one that rolled back).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from station import audit
from station.inbox.events import by_name
from station.inbox.followups import InboxJobs, queue_rule_work
from station.inbox.submit import schedule_submission
from station.models import User
from station.uow import UnitOfWork

INBOX = audit.Target("inbox", None, "Inbox")


def submit_now(
    actor: User | None, order_ids: Iterable[int], *, at: datetime, jobs: InboxJobs
) -> list[int]:
    """``actor`` schedules the orders not in Cin7 yet and queues their run; their ids."""
    by = by_name(actor)
    with UnitOfWork(actor) as uow:
        ids, settled = schedule_submission(uow.session, order_ids, at=at, by=by)
        uow.record(
            "inbox.orders_submitted",
            target=audit.Target("inbox", None, f"{len(ids)} order(s)"),
            detail={"orders": ids},
        )
        if ids:
            uow.after_commit(lambda: jobs.submit_inbox(ids, by))
        queue_rule_work(uow, jobs, settled)  # after the run, as the page has always queued it
        uow.commit()
    return ids


def request_shipment_check(actor: User | None, *, jobs: InboxJobs) -> None:
    """``actor`` asks Cin7 now which submitted orders shipped or were canceled (audited)."""
    by = by_name(actor)
    with UnitOfWork(actor) as uow:
        uow.record("inbox.shipments_checked", target=INBOX)
        uow.after_commit(lambda: jobs.check_inbox_shipments(by))
        uow.commit()


def request_inventory_sync(actor: User | None, *, jobs: InboxJobs) -> None:
    """``actor`` asks for Cin7's stock to be read now (audited)."""
    with UnitOfWork(actor) as uow:
        uow.record("inbox.inventory_synced", target=INBOX)
        uow.after_commit(lambda: jobs.sync_inventory(False))
        uow.commit()
