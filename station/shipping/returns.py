"""Return labels: a consignment from the original's receiver back to its sender.

``book_return`` books through ``book_consignment``, so it is idempotent on its key in the
same way: the same key returns the return already booked. The return is marked
``is_return`` and linked to the consignment it sends back (``return_of``), and every
label says RETURN in its instructions block, above any instruction the carrier printed.

ReturnRefused (a StationError) — the consignment cannot be returned; ``problems`` says why.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from station.carriers.base import Carrier, Parcel, Shipment
from station.errors import StationError, problems_sentence
from station.models import Consignment, ConsignmentState, Printer, User
from station.shipping.booking import book_consignment
from station.shipping.carriers import retired_problem
from station.shipping.codec import shipment_from_json
from station.shipping.labels import queue_consignment_labels
from station.shipping.records import BOOKED
from station.uow import UnitOfWork

RETURN_MARK = "RETURN"


class ReturnRefused(StationError):
    """A return cannot be booked for this consignment; the message gives every reason."""

    def __init__(self, consignment: Consignment, problems: Sequence[str]) -> None:
        tickets = ", ".join(consignment.tickets)
        what = f"{tickets} ({consignment.reference})" if tickets else consignment.reference
        super().__init__(f"Consignment {what} cannot be returned: {problems_sentence(problems)}")
        self.problems = list(problems)


def book_return(
    session: Session,
    carrier: Carrier,
    original: Consignment,
    *,
    key: str,
    user: User | None = None,
    parcels: Sequence[Parcel] | None = None,
    service_code: str | None = None,
) -> Consignment:
    """Book a return of ``original`` under ``key`` (or return what ``key`` already booked).

    The recorded shipment's sender and receiver swap places; the parcels and service stay
    the same unless others are given. Raises ``ReturnRefused`` for a voided or unbooked
    consignment, for a return of a return, and for a key already used for something else.
    Like ``book_consignment``, it does not commit for a local carrier.
    """
    earlier = session.scalar(select(Consignment).where(Consignment.idempotency_key == key))
    if earlier is not None and earlier.return_of_id != original.id:
        raise ReturnRefused(original, [f"the key {key!r} was already used for another booking"])
    if earlier is not None and earlier.state in BOOKED:
        return earlier
    # a pending attempt was allowed when it was recorded: replay it (the carrier may have it)
    replay = earlier is not None and earlier.state == ConsignmentState.PENDING
    problems = [] if replay else [*return_problems(original), *_retired(session, carrier)]
    if problems:
        raise ReturnRefused(original, problems)
    shipment = return_shipment(original, parcels=parcels, service_code=service_code)
    row = book_consignment(
        session,
        carrier,
        shipment,
        key=key,
        order=original.order,
        cost_centre=original.cost_centre,
        user=user,
        return_of=original,
    )
    marked = [_marked(label) for label in row.labels]
    if marked != row.labels:
        row.labels = marked  # a new list, so the JSON column sees the change
        session.flush()
    return row


def return_problems(original: Consignment) -> list[str]:
    """Why ``original`` cannot be sent back (empty when it can)."""
    problems = []
    if original.is_return or original.return_of_id is not None:
        problems.append("it is a return already; book a new consignment to send it out again")
    if original.state == ConsignmentState.VOIDED:
        problems.append("it was voided, so it never left")
    elif original.state != ConsignmentState.CREATED:
        problems.append(f"it was never booked with the carrier (it is {original.state.value})")
    if not original.shipment:
        problems.append("its shipment was not recorded, so the addresses are unknown")
    return problems


def _retired(session: Session, carrier: Carrier) -> list[str]:
    """A retired carrier keeps its consignments but takes no new booking, a return included."""
    if retired_problem(session, carrier.code) is None:
        return []
    return [f"its carrier {carrier.name} is retired and takes no new bookings"]


def return_shipment(
    original: Consignment,
    *,
    parcels: Sequence[Parcel] | None = None,
    service_code: str | None = None,
) -> Shipment:
    """The original's recorded shipment with sender and receiver swapped."""
    sent = shipment_from_json(original.shipment)
    return Shipment(
        sender=sent.receiver,
        receiver=sent.sender,
        parcels=tuple(parcels) if parcels else sent.parcels,
        service_code=service_code or original.service_code,
        reference=original.reference,
        rural=None,  # the carrier judges the new receiver's address itself
    )


def _marked(label: dict[str, Any]) -> dict[str, Any]:
    """A stored label whose instructions start with RETURN (once)."""
    instructions = label.get("instructions") or ""
    if instructions.startswith(RETURN_MARK):
        return label
    text = f"{RETURN_MARK}\n{instructions}" if instructions else RETURN_MARK
    return {**label, "instructions": text}


def return_label(
    actor: User | None,
    original: Consignment,
    *,
    carrier: Carrier,
    printer: Printer | None,
    print_queue: Callable[[int], object] = lambda printer_id: None,
) -> Consignment:
    """``actor`` books the return label of ``original`` and queues it on ``printer``.

    One return per consignment: its key is the original's, so pressing the button again
    (or a retry after a crash) gives back the same return and prints nothing twice. The
    booking is recorded before the carrier is asked (``book_consignment``) and audited;
    ``print_queue(printer_id)`` starts the printer once it is committed. Raises
    ``ReturnRefused`` (nothing recorded) or the carrier's error.
    """
    with UnitOfWork(actor) as uow:
        row = book_return(
            uow.session, carrier, original, key=f"return-of-{original.id}", user=actor
        )
        if printer is not None and row.state == ConsignmentState.CREATED:
            queue_consignment_labels(uow.session, row, printer)
            uow.after_commit(lambda: print_queue(printer.id))
        uow.record(
            "consignment.return_booked",
            target=row,
            detail={
                "return_of": " ".join(original.tickets),
                "printer": printer.name if printer else "",
            },
        )
        uow.commit()
    return row
