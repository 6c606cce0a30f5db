"""The database behind the carriers' seams: consignments by idempotency key, ticket counters.

Both work inside the caller's transaction: nothing here commits.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from station.carriers.base import ConsignmentResult
from station.carriers.errors import TicketRangeExhausted
from station.models import Consignment, ConsignmentParcel, ConsignmentState, TicketCounter
from station.shipping.codec import layout_from_json, layout_to_json

BOOKED = (ConsignmentState.CREATED, ConsignmentState.VOIDED)


class SqlConsignmentStore:
    """A carrier's ``ConsignmentStore`` in the ``consignment`` table.

    Only booked consignments (created or voided) are "stored" as far as a carrier can
    tell: a row still ``pending`` or ``failed`` is Station's record of an attempt, and
    the carrier must still book it.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, key: str) -> ConsignmentResult | None:
        """The booked consignment under ``key``, or None."""
        row = self._row(key)
        if row is None or row.state not in BOOKED:
            return None
        return ConsignmentResult(
            carrier=row.carrier,
            service_code=row.service_code,
            service_name=row.service_name,
            tickets=tuple(row.tickets),
            cost=row.cost if row.cost is not None else Decimal("0.00"),
            tracking_url=row.tracking_url,
            created_at=row.booked_at or row.created_at,
            idempotency_key=row.idempotency_key,
            labels=tuple(layout_from_json(label) for label in row.labels),
            voided_at=row.voided_at,
        )

    def put(self, result: ConsignmentResult) -> None:
        """Record what the carrier booked (or voided) on the row for its key.

        A row this session has just added (a local booking) is left for the booking to
        flush with everything it still sets; any other is flushed at once, as before.
        """
        row = self._row(result.idempotency_key)
        booking = row is not None and row in self._session.new
        if row is None:
            row = Consignment(
                idempotency_key=result.idempotency_key,
                reference=result.labels[0].reference if result.labels else "",
                shipment={},
            )
            self._session.add(row)
        row.carrier = result.carrier
        row.service_code = result.service_code
        row.service_name = result.service_name
        row.cost = result.cost
        row.tracking_url = result.tracking_url
        row.booked_at = result.created_at
        row.labels = [layout_to_json(label) for label in result.labels]
        row.voided_at = result.voided_at
        row.state = ConsignmentState.VOIDED if result.voided_at else ConsignmentState.CREATED
        row.error = None
        _attach_tickets(row, result)
        if not booking:
            self._session.flush()

    def _row(self, key: str) -> Consignment | None:
        """The row under ``key``: one this session added and has not flushed yet (no query,
        no flush), else the stored one."""
        for row in self._session.new:
            if isinstance(row, Consignment) and row.idempotency_key == key:
                return row
        return self._session.scalar(select(Consignment).where(Consignment.idempotency_key == key))


def _attach_tickets(row: Consignment, result: ConsignmentResult) -> None:
    """One parcel row per ticket: the recorded parcels in order, or made from the labels."""
    if len(row.parcels) != len(result.tickets):
        row.parcels = [
            ConsignmentParcel(position=index, weight_grams=label.weight_grams)
            for index, label in enumerate(result.labels, 1)
        ]
    for parcel, ticket in zip(row.parcels, result.tickets, strict=True):
        parcel.ticket = ticket


class SqlTicketAllocator:
    """A carrier's ``TicketAllocator`` on ``ticket_counter`` rows.

    ``UPDATE … SET next_number = next_number + 1 RETURNING`` takes the row lock, so two
    benches can never get the same number; the lock is held until the caller commits,
    and a rolled-back booking gives its number back.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    def next_number(self, range_key: str, first: int, last: int) -> int:
        """The next unissued number in ``first..last``; raises ``TicketRangeExhausted``."""
        taken = self._take(range_key)
        if taken is None:
            try:
                with self._session.begin_nested():
                    self._session.add(TicketCounter(range_key=range_key, next_number=first))
            except IntegrityError:
                pass  # another bench created the counter first; take from it below
            taken = self._take(range_key)
            assert taken is not None, "the counter row exists by now"
        if taken < first:  # the range was moved up since the counter was made
            self._session.execute(
                update(TicketCounter)
                .where(TicketCounter.range_key == range_key)
                .values(next_number=first + 1)
            )
            taken = first
        if taken > last:
            raise TicketRangeExhausted(range_key, first, last)
        return taken

    def _take(self, range_key: str) -> int | None:
        """Bump the counter; the number it held before, or None when there is no row.

        Without flushing first: the consignment being booked is written once, when booked.
        """
        with self._session.no_autoflush:
            after = self._session.scalar(
                update(TicketCounter)
                .where(TicketCounter.range_key == range_key)
                .values(next_number=TicketCounter.next_number + 1)
                .returning(TicketCounter.next_number)
            )
        return None if after is None else after - 1
