"""Tickets typed in by hand: the carrier's own portal booked it while its API was down.

``ManualTicket`` stands in for the real carrier for one consignment: it books nothing,
it records the ticket the packer read off the portal (checked as a barcode value), so
the consignment is written back to Cin7 like any other. The portal printed the label,
so nothing is printed again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

from station.carriers.base import (
    ConsignmentResult,
    ConsignmentStore,
    Rate,
    Service,
    Shipment,
    TrackingEvent,
    utc_now,
)
from station.carriers.errors import ShipmentRefused, UnsupportedOperation, VoidRefused
from station.labels.layout import barcode_problems


class ManualTicket:
    """A consignment booked outside Station, under the real carrier's code and name."""

    remote = False

    def __init__(
        self,
        *,
        code: str,
        name: str,
        ticket: str,
        store: ConsignmentStore,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.code = code
        self.name = name
        self._ticket = ticket.strip().upper()
        self._store = store
        self._clock = clock

    def services(self) -> list[Service]:
        """None of its own: the service is whatever was chosen at the bench."""
        return []

    def rates(self, shipment: Shipment) -> list[Rate]:
        """No quotes: the carrier's portal priced it."""
        raise UnsupportedOperation(self.name, "rates for a hand-entered ticket")

    def create(self, shipment: Shipment, idempotency_key: str) -> ConsignmentResult:
        """Record the typed ticket as the consignment (or return the one already recorded)."""
        existing = self._store.get(idempotency_key)
        if existing is not None:
            return existing
        problems = barcode_problems("ticket", self._ticket)
        if len(shipment.parcels) != 1:
            problems.append("a hand-entered ticket covers one parcel; ship the others separately")
        if problems:
            raise ShipmentRefused(shipment.reference, problems)
        result = ConsignmentResult(
            carrier=self.code,
            service_code=shipment.service_code,
            service_name=f"{shipment.service_code} (ticket entered by hand)",
            tickets=(self._ticket,),
            cost=Decimal("0.00"),
            tracking_url="",
            created_at=self._clock().astimezone(UTC),
            idempotency_key=idempotency_key,
            labels=(),
        )
        self._store.put(result)
        return result

    def void(self, result: ConsignmentResult, *, now: datetime) -> None:
        """Station cannot void what the portal booked: say where to do it."""
        raise VoidRefused(f"void ticket {result.tickets[0]} on {self.name}'s own portal")

    def track(self, ticket: str) -> list[TrackingEvent]:
        """No tracking feed for hand-entered tickets."""
        raise UnsupportedOperation(self.name, "tracking")
