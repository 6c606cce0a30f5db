"""The values every carrier speaks in, the ``Carrier`` protocol and the consignment store seam.

Pure data and protocols: nothing here talks to a network or a database. Money is
``Decimal`` (ex GST), weights are whole grams, times are timezone-aware UTC.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from station.addresses import Address
from station.labels.layout import LabelLayout

COUNTRIES = ("NZ", "AU")
CENT = Decimal("0.01")


def cents(amount: Decimal) -> Decimal:
    """``amount`` rounded to whole cents, halves away from zero (ROUND_HALF_UP)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def utc_now() -> datetime:
    """The current time, timezone-aware UTC (the default clock carriers are given)."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Parcel:
    """One box or bag: its gross weight and, when known, its size and package name."""

    weight_grams: int
    length_mm: int | None = None
    width_mm: int | None = None
    height_mm: int | None = None
    package: str | None = None


@dataclass(frozen=True, slots=True)
class Shipment:
    """What to send, from whom to whom, by which service.

    ``rural`` is True/False when the person at the bench knows; None lets the carrier
    decide from the address.
    """

    sender: Address
    receiver: Address
    parcels: tuple[Parcel, ...]
    service_code: str
    reference: str
    rural: bool | None = None


@dataclass(frozen=True, slots=True)
class Service:
    """A service a carrier offers; ``max_weight_grams`` is per parcel (None: no limit known)."""

    code: str
    name: str
    max_weight_grams: int | None = None


@dataclass(frozen=True, slots=True)
class Rate:
    """A price quote for one service; ``cost`` excludes GST; ``messages`` are notes to show."""

    carrier: str
    service_code: str
    service_name: str
    cost: Decimal
    currency: str
    zone: str
    messages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ConsignmentResult:
    """A created consignment: one ticket and one label per parcel, in parcel order.

    ``voided_at`` is set (aware UTC) once the consignment has been voided.
    """

    carrier: str
    service_code: str
    service_name: str
    tickets: tuple[str, ...]
    cost: Decimal
    tracking_url: str
    created_at: datetime
    idempotency_key: str
    labels: tuple[LabelLayout, ...]
    voided_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class TrackingEvent:
    """One scan or status change reported by a carrier for a ticket."""

    ticket: str
    occurred_at: datetime
    status: str
    description: str = ""
    location: str = ""


class Carrier(Protocol):
    """A carrier Station can rate, ship, void and track with.

    Operations a carrier does not offer raise ``UnsupportedOperation``; refused input
    raises ``ShipmentRefused`` with every problem; an unreachable carrier raises
    ``CarrierUnavailable`` (see ``station.carriers.errors``).
    """

    @property
    def code(self) -> str:
        """A short stable identifier, e.g. 'ownlabel'."""
        ...

    @property
    def remote(self) -> bool:
        """True when ``create`` asks a server across the network (so it can hang or fail)."""
        ...

    @property
    def name(self) -> str:
        """The name people see, e.g. 'Own label'."""
        ...

    def services(self) -> list[Service]:
        """Every service this carrier offers."""
        ...

    def rates(self, shipment: Shipment) -> list[Rate]:
        """Quote every service that can carry ``shipment`` (``service_code`` is ignored)."""
        ...

    def create(self, shipment: Shipment, idempotency_key: str) -> ConsignmentResult:
        """Create the consignment, or return the one already created under this key."""
        ...

    def void(self, result: ConsignmentResult, *, now: datetime) -> None:
        """Cancel a consignment so it is not charged; raises ``VoidRefused`` when too late."""
        ...

    def track(self, ticket: str) -> list[TrackingEvent]:
        """Events for one ticket, oldest first."""
        ...


class ConsignmentStore(Protocol):
    """Where a carrier keeps consignments by idempotency key (a database table later)."""

    def get(self, key: str) -> ConsignmentResult | None:
        """The consignment stored under ``key``, or None."""
        ...

    def put(self, result: ConsignmentResult) -> None:
        """Store ``result`` under its ``idempotency_key``, replacing any earlier version."""
        ...


class InMemoryConsignmentStore:
    """A ``ConsignmentStore`` in a dict, for tests and offline demos."""

    def __init__(self) -> None:
        self._results: dict[str, ConsignmentResult] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> ConsignmentResult | None:
        """The consignment stored under ``key``, or None."""
        with self._lock:
            return self._results.get(key)

    def put(self, result: ConsignmentResult) -> None:
        """Store ``result`` under its ``idempotency_key``, replacing any earlier version."""
        with self._lock:
            self._results[result.idempotency_key] = result

    def __len__(self) -> int:
        with self._lock:
            return len(self._results)
