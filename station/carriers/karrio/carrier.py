"""``KarrioCarrier``: any Karrio carrier behind Station's ``Carrier`` protocol.

- ``rates`` checks the shipment as the own-label carrier does, asks Karrio for the
  configured services that can take every parcel, and returns them in configured order;
  services Karrio does not quote are left out (and logged).
- ``create`` is idempotent through the ``ConsignmentStore``: a key already stored returns
  that consignment and Karrio is not called. Otherwise it quotes the chosen service (the
  consignment's cost; Karrio's server also rates before it buys), creates the shipment,
  and stores the result before returning. A crash between Karrio's answer and the store
  leaves a consignment at the carrier that Station does not know: the dispatch layer's
  intent row is what finds it.
- ``void`` cancels through Karrio and marks the stored consignment voided.
- ``track`` returns the carrier's events, oldest first.

Station prints its own ``LabelLayout`` per parcel (the same layout as own-label labels);
the carrier's label document, when Karrio returns one, is kept as bytes on the result.

Errors: refused input and carrier refusals raise ``ShipmentRefused`` with every message;
an unreachable or silent carrier raises ``CarrierUnavailable``; an operation the connector
does not offer raises ``UnsupportedOperation``; voids the carrier refuses raise
``VoidRefused``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from typing import Any, Protocol

from station.carriers.base import (
    ConsignmentResult,
    ConsignmentStore,
    Parcel,
    Rate,
    Service,
    Shipment,
    TrackingEvent,
    utc_now,
)
from station.carriers.checks import address_problems, parcel_problems, rural_from_address
from station.carriers.errors import (
    CarrierError,
    CarrierMisconfigured,
    CarrierUnavailable,
    ShipmentRefused,
    VoidRefused,
)
from station.carriers.karrio import mapping
from station.carriers.karrio.config import KarrioConfig
from station.carriers.karrio.gateway import Reply, connect
from station.labels.layout import format_weight
from station.sitetime import DAY_TIME, said

log = logging.getLogger(__name__)

MAX_KEY_LENGTH = 64


@dataclass(frozen=True, slots=True)
class KarrioConsignment(ConsignmentResult):
    """A consignment made through Karrio, with what only the carrier knows.

    ``shipment_identifier`` is the carrier's id for voiding; ``carrier_label`` is the
    carrier's own label document (``carrier_label_format``: PDF, ZPL or PNG; all parcels in
    one document), empty when it sent none; ``messages`` are the carrier's notes.
    """

    shipment_identifier: str = ""
    carrier_label: bytes = field(default=b"", repr=False)
    carrier_label_format: str = ""
    messages: tuple[str, ...] = ()


class Gateway(Protocol):
    """What ``KarrioCarrier`` needs of a connected Karrio carrier (``KarrioGateway``)."""

    @property
    def tracking_url_format(self) -> str | None: ...

    def rate(self, request: dict[str, Any]) -> Reply: ...

    def ship(self, request: dict[str, Any]) -> Reply: ...

    def cancel(self, request: dict[str, Any]) -> Reply: ...

    def track(self, request: dict[str, Any]) -> Reply: ...


class KarrioCarrier:
    """A ``Carrier`` that rates, ships, voids and tracks through one Karrio connector."""

    remote = True  # every call goes to the carrier's API

    def __init__(
        self,
        config: KarrioConfig,
        store: ConsignmentStore,
        clock: Callable[[], datetime] = utc_now,
        *,
        gateway: Gateway | None = None,
        label_tz: tzinfo = UTC,
    ) -> None:
        """Check ``config`` and connect to Karrio (unless a ``gateway`` is given).

        Raises ``CarrierMisconfigured`` listing every problem, including Karrio not being
        installed ("install station[karrio]") or not knowing the carrier or a service.
        """
        problems = config.problems()
        if problems:
            raise CarrierMisconfigured(config.display_name, problems)
        self.config = config
        self.code = config.station_code
        self.name = config.display_name
        self._services = {service.code: service for service in config.services}
        self._store = store
        self._clock = clock
        self._label_tz = label_tz
        self._gateway: Gateway = gateway if gateway is not None else connect(config)

    def services(self) -> list[Service]:
        """The configured services, in order."""
        return list(self._services.values())

    def rates(self, shipment: Shipment) -> list[Rate]:
        """Quote every configured service Karrio prices for ``shipment``.

        Raises ``ShipmentRefused`` when the shipment is unusable or nothing is quoted (with
        Station's reasons and every Karrio message), ``CarrierUnavailable`` or
        ``UnsupportedOperation``.
        """
        problems = shipment_problems(shipment)
        if problems:
            raise ShipmentRefused(shipment.reference, problems)
        fitting, reasons = [], []
        for service in self._services.values():
            refusals = weight_problems(service, shipment.parcels)
            reasons.extend(refusals)
            if not refusals:
                fitting.append(service)
        if not fitting:
            raise ShipmentRefused(shipment.reference, reasons)
        reply = self._gateway.rate(mapping.rate_request(shipment, [s.code for s in fitting]))
        rates = self._read(
            lambda: mapping.station_rates(reply.result or (), fitting, carrier=self.code)
        )
        if not rates:
            nothing = f"{self.name} quoted no service for this shipment"
            raise ShipmentRefused(shipment.reference, [*reasons, *reply.messages] or [nothing])
        if reply.messages:
            log.info(
                "%s left services out of %s's rates: %s",
                self.name,
                shipment.reference,
                reply.messages,
            )
        return rates

    def create(self, shipment: Shipment, idempotency_key: str) -> ConsignmentResult:
        """Create the consignment, or return the one already stored under ``idempotency_key``.

        Returns a ``KarrioConsignment``. Raises ``ShipmentRefused`` with every problem,
        ``CarrierUnavailable`` or ``UnsupportedOperation``; Karrio is not called when Station
        can already see a problem.
        """
        if not 0 < len(idempotency_key) <= MAX_KEY_LENGTH or not idempotency_key.strip():
            raise ValueError(f"idempotency key must be 1–{MAX_KEY_LENGTH} characters")
        existing = self._store.get(idempotency_key)
        if existing is not None:
            return existing
        problems = shipment_problems(shipment)
        if not shipment.reference.strip():
            problems.append("reference is missing")
        service = self._services.get(shipment.service_code)
        if service is None:
            known = ", ".join(self._services)
            problems.append(f"unknown service {shipment.service_code!r} (choose {known})")
        else:
            problems.extend(weight_problems(service, shipment.parcels))
        if problems or service is None:
            raise ShipmentRefused(shipment.reference, problems)
        quote = self._quote(shipment, service)
        reply = self._gateway.ship(
            mapping.shipment_request(shipment, label_format=self.config.label_format)
        )
        if reply.result is None:
            nothing = f"{self.name} created no consignment and gave no reason"
            raise ShipmentRefused(shipment.reference, reply.messages or [nothing])
        result = self._record(shipment, service, quote, reply, idempotency_key)
        self._store.put(result)
        return result

    def void(self, result: ConsignmentResult, *, now: datetime) -> None:
        """Cancel the consignment at the carrier and mark it voided.

        Raises ``VoidRefused`` (not ours, already voided, or the carrier said no) or
        ``UnsupportedOperation`` when the connector cannot cancel.
        """
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        stored = self._store.get(result.idempotency_key)
        what = f"consignment {', '.join(result.tickets) or result.idempotency_key}"
        if stored is None or stored.carrier != self.code or stored.tickets != result.tickets:
            raise VoidRefused(f"{what} was not created by {self.name}")
        if stored.voided_at is not None:
            raise VoidRefused(f"{what} was already voided at {said(stored.voided_at, DAY_TIME)}")
        identifier = getattr(stored, "shipment_identifier", "") or stored.tickets[0]
        reply = self._gateway.cancel(mapping.cancel_request(identifier, stored.service_code))
        if reply.result is None or not getattr(reply.result, "success", False):
            reasons = "; ".join(reply.messages) or "no reason given"
            raise VoidRefused(f"{self.name} did not void {what}: {reasons}")
        self._store.put(replace(stored, voided_at=now.astimezone(UTC)))

    def track(self, ticket: str) -> list[TrackingEvent]:
        """The carrier's events for ``ticket``, oldest first.

        Raises ``UnsupportedOperation`` when the connector has no tracking,
        ``ShipmentRefused`` (with the ticket as reference) when the carrier refuses it.
        """
        reply = self._gateway.track(mapping.tracking_request(ticket))
        if reply.result is None:
            raise ShipmentRefused(ticket, reply.messages or [f"{self.name} has no tracking for it"])
        return mapping.tracking_events(reply.result, ticket)

    def _quote(self, shipment: Shipment, service: Service) -> Rate:
        """Karrio's price for ``service``; refuses before anything is bought."""
        reply = self._gateway.rate(mapping.rate_request(shipment, [service.code]))
        quotes = self._read(
            lambda: mapping.station_rates(reply.result or (), [service], carrier=self.code)
        )
        if not quotes:
            nothing = f"{self.name} gave no price for {service.name}"
            raise ShipmentRefused(shipment.reference, reply.messages or [nothing])
        return quotes[0]

    def _record(
        self, shipment: Shipment, service: Service, quote: Rate, reply: Reply, key: str
    ) -> KarrioConsignment:
        """The consignment Karrio created, as Station keeps it."""
        details = reply.result
        tickets = mapping.consignment_tickets(details, len(shipment.parcels))
        try:
            if not tickets:
                raise ValueError("the carrier returned no tracking number")
            selected = getattr(details, "selected_rate", None)
            cost = mapping.money(selected.total_charge) if selected is not None else quote.cost
            label, label_format = mapping.carrier_label(details)
            urls = [
                mapping.tracking_url(
                    ticket,
                    template=self.config.tracking_url_template,
                    carrier_format=self._gateway.tracking_url_format,
                    meta=details.meta,
                )
                for ticket in tickets
            ]
            created_at = self._now()
            rural = (
                shipment.rural
                if shipment.rural is not None
                else rural_from_address(shipment.receiver)
            )
            labels = mapping.label_layouts(
                shipment,
                service_name=service.name,
                carrier_name=self.name,
                tickets=tickets,
                urls=urls,
                printed_on=created_at.astimezone(self._label_tz).date(),
                rural=rural,
            )
        except ValueError as exc:  # LabelError is a ValueError too
            made = f"consignment {tickets[0]}" if tickets else "a consignment"
            raise CarrierError(
                f"{self.name} created {made} for {shipment.reference} but Station could not "
                f"record it ({exc}); void it with the carrier before shipping again"
            ) from exc
        return KarrioConsignment(
            carrier=self.code,
            service_code=service.code,
            service_name=service.name,
            tickets=tickets,
            cost=cost,
            tracking_url=urls[0] or "",
            created_at=created_at,
            idempotency_key=key,
            labels=labels,
            shipment_identifier=str(details.shipment_identifier or tickets[0]),
            carrier_label=label,
            carrier_label_format=label_format,
            messages=reply.messages,
        )

    def _read(self, read: Callable[[], list[Rate]]) -> list[Rate]:
        """Run a reply reader; an amount that is not one means the carrier's reply is broken."""
        try:
            return read()
        except ValueError as exc:
            raise CarrierUnavailable(
                f"{self.name} sent a reply Station could not read ({exc})"
            ) from exc

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the carrier clock must return timezone-aware times")
        return now.astimezone(UTC)


def shipment_problems(shipment: Shipment) -> list[str]:
    """Every problem Station can see before asking Karrio: addresses and parcels."""
    problems = address_problems(shipment.receiver, "receiver")
    problems.extend(address_problems(shipment.sender, "sender"))
    if not shipment.parcels:
        problems.append("a shipment needs at least one parcel")
    for index, parcel in enumerate(shipment.parcels, start=1):
        problems.extend(parcel_problems(index, parcel))
    return problems


def weight_problems(service: Service, parcels: Sequence[Parcel]) -> list[str]:
    """Parcels over the service's configured weight limit (none when it has no limit)."""
    limit = service.max_weight_grams
    if limit is None:
        return []
    return [
        f"parcel {index} weighs {format_weight(parcel.weight_grams)}, "
        f"over {service.name}'s {format_weight(limit)} limit"
        for index, parcel in enumerate(parcels, start=1)
        if not parcel_problems(index, parcel) and parcel.weight_grams > limit
    ]
