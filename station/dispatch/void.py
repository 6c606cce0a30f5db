"""Voiding a consignment: the carrier first, then everything still owed on its behalf.

Unprinted labels are withdrawn and Cin7 write-backs not yet sent are cancelled. What
already reached Cin7 or Shopify cannot be taken back by Station (Cin7 has no "undo
dispatch"), so the result names each such write for a person to put right in Cin7.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from station.carriers.errors import VoidRefused
from station.dispatch.rights import check_may_change
from station.models import (
    Consignment,
    ConsignmentState,
    OutboxItem,
    OutboxKind,
    OutboxState,
    User,
)
from station.printing.withheld import withdraw_jobs
from station.shipping.carriers import carrier_for
from station.shipping.records import SqlConsignmentStore
from station.uow import UnitOfWork

ALREADY_SENT = {
    OutboxKind.DISPATCHED: "Cin7 already shows {ref} as Dispatched with this tracking: "
    "set its stage back in Cin7",
    OutboxKind.FREIGHT: "the freight was already pushed to {ref} in Cin7: correct it there",
    OutboxKind.SHOPIFY: "Shopify was already told {ref} shipped",
}


@dataclass(frozen=True, slots=True)
class Voided:
    """What a void did, and what it could not undo."""

    consignment: Consignment
    labels_withdrawn: int
    writebacks_cancelled: int
    not_undone: list[str]


def void_as(session: Session, consignment: Consignment, user: User, *, now: datetime) -> Voided:
    """``user`` voids ``consignment``, if the one rule of who may allows it; audited, commits.

    Raises ``NotYours`` (see ``station.dispatch.rights``) or the carrier's ``VoidRefused``.
    """
    with UnitOfWork(user, session) as uow:
        check_may_change(session, consignment, user, doing="void", now=now)
        uow.record("consignment.voided", target=consignment, at=now)
        voided = void_consignment(session, consignment, now=now)
        uow.commit()
    return voided


def void_consignment(session: Session, consignment: Consignment, *, now: datetime) -> Voided:
    """Void with the carrier, withdraw its labels and cancel its write-backs; commits
    (or joins the unit of work it is called in)."""
    with UnitOfWork(None, session) as uow:
        what = f"Consignment {', '.join(consignment.tickets) or consignment.idempotency_key}"
        if consignment.state != ConsignmentState.CREATED:
            raise VoidRefused(f"{what} is {consignment.state.value}, so there is nothing to void")
        if consignment.manifest_id is not None:
            raise VoidRefused(
                f"{what} is on manifest {consignment.manifest.number if consignment.manifest else ''}"
                ": the carrier has it already"
            )
        booked = SqlConsignmentStore(session).get(consignment.idempotency_key)
        assert booked is not None, "a created consignment is in the store"
        not_undone = []
        if consignment.labels:
            carrier_for(session, consignment.carrier).void(booked, now=now)
        else:  # a ticket typed in from the carrier's portal: only the portal can cancel it
            consignment.state, consignment.voided_at = ConsignmentState.VOIDED, now
            not_undone.append(
                f"ticket {', '.join(consignment.tickets)} was booked on the carrier's own portal: "
                "void it there too"
            )
        withdrawn = withdraw_jobs(session, consignment)
        items = session.scalars(
            select(OutboxItem)
            .where(OutboxItem.consignment_id == consignment.id)
            .order_by(OutboxItem.id)
        ).all()
        cancelled = 0
        for item in items:
            if item.state in (OutboxState.PENDING, OutboxState.FAILED):
                item.state, item.last_error = (
                    OutboxState.CANCELLED,
                    "Cancelled: consignment voided.",
                )
                cancelled += 1
            elif item.state in (OutboxState.DONE, OutboxState.SENDING):
                not_undone.append(ALREADY_SENT[item.kind].format(ref=item.order.reference))
        uow.commit()
    return Voided(consignment, withdrawn, cancelled, not_undone)
