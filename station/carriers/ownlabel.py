"""The built-in own-label carrier: rates from a CSV rate card, tickets from ranges, offline.

- ``rates`` quotes every service whose weight limit and rate card fit the shipment.
- ``create`` is idempotent: the same key returns the consignment stored under it (voided
  or not) and never issues new tickets; the shipment passed with a repeated key is not
  looked at. Tickets taken before a failure (e.g. a range running out on parcel 3) are
  not reused; gaps in a range are harmless. Two creates racing on one key are the
  caller's to serialise (the dispatch layer's row lock); a store keeps whichever it got last.
- ``void`` works within ``void_window`` (24 h by default) of creation, once.
- ``track`` raises ``UnsupportedOperation``: own-label tickets have no tracking feed, and
  a made-up "created" event would look like real carrier news.

Rural delivery: ``Shipment.rural`` decides when set; when None, an NZ receiver whose
address shows a rural delivery number ("RD 2") or "Rural Delivery" is rural.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal
from functools import cache
from urllib.parse import quote, urlsplit

from station.carriers.base import (
    COUNTRIES,
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
    CarrierMisconfigured,
    ShipmentRefused,
    UnsupportedOperation,
    VoidRefused,
)
from station.carriers.ratecard import RateCard, normalise_postcode
from station.carriers.tickets import TicketAllocator, TicketRange, issue_ticket
from station.labels.layout import LabelLayout, format_weight
from station.sitetime import DAY_TIME, said

MAX_KEY_LENGTH = 64


@dataclass(frozen=True, slots=True)
class OwnLabelService:
    """One own-label service: its parcel weight limit, tracking URL and ticket range.

    Raises ``CarrierMisconfigured`` listing every problem.
    """

    code: str
    name: str
    max_weight_grams: int
    tracking_url_template: str
    tickets: TicketRange

    def __post_init__(self) -> None:
        problems = tracking_template_problems(self.tracking_url_template)
        if not re.fullmatch(r"[A-Z0-9]{1,10}", self.code):
            problems.append(f"service code {self.code!r} must be 1–10 capital letters or digits")
        if not self.name.strip():
            problems.append("service name is empty")
        if self.max_weight_grams <= 0:
            problems.append(f"max weight must be above 0 g, not {self.max_weight_grams} g")
        if problems:
            raise CarrierMisconfigured(f"service {self.code or '(no code)'}", problems)

    def as_service(self) -> Service:
        """This service as every carrier describes its services."""
        return Service(self.code, self.name, self.max_weight_grams)

    def tracking_url(self, ticket: str) -> str:
        """The tracking page for ``ticket``."""
        return self.tracking_url_template.format(ticket=quote(ticket, safe=""))


def tracking_template_problems(template: str) -> list[str]:
    """Why ``template`` is not an https URL with exactly one ``{ticket}`` (empty if it is)."""
    try:
        fields = [part for part in string.Formatter().parse(template) if part[1] is not None]
    except ValueError as exc:
        return [f"tracking URL template {template!r} has unbalanced braces ({exc})"]
    problems = []
    names = [name for _, name, _, _ in fields]
    if names.count("ticket") != 1:
        problems.append(f"tracking URL template {template!r} needs exactly one {{ticket}}")
    for _, name, spec, conversion in fields:
        if name != "ticket" or spec or conversion:
            problems.append(f"tracking URL template has {{{name}…}}; only {{ticket}} is allowed")
    parts = urlsplit(template)
    if parts.scheme != "https" or not parts.netloc or any(ch.isspace() for ch in template):
        problems.append(f"tracking URL template {template!r} must be an https:// URL")
    return problems


@cache  # frozen values, checked once per process
def default_services() -> tuple[OwnLabelService, ...]:
    """The demo services, priced by the default rate card: Overnight, Economy, Heavy."""
    url = "https://track.example.com/{ticket}"
    return (
        OwnLabelService("ON", "Overnight", 25_000, url, TicketRange("ON", 10_000_000, 19_999_999)),
        OwnLabelService("EC", "Economy", 30_000, url, TicketRange("EC", 20_000_000, 29_999_999)),
        OwnLabelService("HV", "Heavy", 70_000, url, TicketRange("HV", 30_000_000, 39_999_999)),
    )


class OwnLabelCarrier:
    """The ``Carrier`` Station runs itself: rate card prices, own tickets, labels, no network."""

    remote = False

    def __init__(
        self,
        *,
        rate_card: RateCard,
        services: Sequence[OwnLabelService],
        allocator: TicketAllocator,
        store: ConsignmentStore,
        clock: Callable[[], datetime] = utc_now,
        void_window: timedelta = timedelta(hours=24),
        label_tz: tzinfo = UTC,
        code: str = "ownlabel",
        name: str = "Own label",
    ) -> None:
        problems = _setup_problems(services, void_window)
        if problems:
            raise CarrierMisconfigured(name, problems)
        self.code = code
        self.name = name
        self._card = rate_card
        self._services = {service.code: service for service in services}
        self._allocator = allocator
        self._store = store
        self._clock = clock
        self._void_window = void_window
        self._label_tz = label_tz

    def services(self) -> list[Service]:
        """Every own-label service, in the order configured."""
        return [service.as_service() for service in self._services.values()]

    def rates(self, shipment: Shipment) -> list[Rate]:
        """Quote every service that can carry ``shipment``; ``service_code`` is ignored.

        Raises ``ShipmentRefused`` when the address or parcels are unusable, or when no
        service can carry the shipment (with each service's reasons).
        """
        zone, problems = self._shipment_problems(shipment)
        if problems or zone is None:
            raise ShipmentRefused(shipment.reference, problems)
        rural = self._is_rural(shipment)
        quotes, reasons = [], []
        for service in self._services.values():
            cost, refusals = self._price(service, zone, shipment.parcels, rural=rural)
            if refusals:
                reasons.extend(refusals)
                continue
            quotes.append(
                Rate(
                    carrier=self.code,
                    service_code=service.code,
                    service_name=service.name,
                    cost=cost,
                    currency=self._card.currency,
                    zone=zone,
                    messages=self._rate_messages(shipment, rural=rural),
                )
            )
        if not quotes:
            raise ShipmentRefused(shipment.reference, reasons)
        return quotes

    def create(self, shipment: Shipment, idempotency_key: str) -> ConsignmentResult:
        """Create the consignment, or return the one already stored under ``idempotency_key``.

        Raises ``ShipmentRefused`` with every problem, or ``TicketRangeExhausted``.
        """
        if not 0 < len(idempotency_key) <= MAX_KEY_LENGTH or not idempotency_key.strip():
            raise ValueError(f"idempotency key must be 1–{MAX_KEY_LENGTH} characters")
        existing = self._store.get(idempotency_key)
        if existing is not None:
            return existing
        zone, problems = self._shipment_problems(shipment)
        if not shipment.reference.strip():
            problems.append("reference is missing")
        service = self._services.get(shipment.service_code)
        if service is None:
            known = ", ".join(self._services)
            problems.append(f"unknown service {shipment.service_code!r} (choose {known})")
        rural = self._is_rural(shipment)
        cost = Decimal("0.00")
        if service is not None:
            cost, refusals = self._price(service, zone, shipment.parcels, rural=rural)
            problems.extend(refusals)
        if problems or service is None or zone is None:
            raise ShipmentRefused(shipment.reference, problems)
        created_at = self._now()
        range_key = f"{self.code}:{service.code}:{service.tickets.spec}"
        tickets = tuple(
            issue_ticket(
                self._allocator, service.tickets, range_key=range_key, service=service.name
            )
            for _ in shipment.parcels
        )
        result = ConsignmentResult(
            carrier=self.code,
            service_code=service.code,
            service_name=service.name,
            tickets=tickets,
            cost=cost,
            tracking_url=service.tracking_url(tickets[0]),
            created_at=created_at,
            idempotency_key=idempotency_key,
            labels=self._labels(shipment, service, tickets, created_at, rural=rural),
        )
        self._store.put(result)
        return result

    def void(self, result: ConsignmentResult, *, now: datetime) -> None:
        """Void a consignment created within the void window; raises ``VoidRefused``."""
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        stored = self._store.get(result.idempotency_key)
        what = f"consignment {', '.join(result.tickets) or result.idempotency_key}"
        if stored is None or stored.carrier != self.code or stored.tickets != result.tickets:
            raise VoidRefused(f"{what} was not created by {self.name}")
        if stored.voided_at is not None:
            raise VoidRefused(f"{what} was already voided at {said(stored.voided_at, DAY_TIME)}")
        closes = stored.created_at + self._void_window
        if now > closes:
            hours = self._void_window / timedelta(hours=1)
            raise VoidRefused(
                f"{what} can only be voided within {hours:g} h of creation "
                f"(closed {said(closes, DAY_TIME)})"
            )
        self._store.put(replace(stored, voided_at=now.astimezone(UTC)))

    def track(self, ticket: str) -> list[TrackingEvent]:
        """Own-label tickets have no tracking feed: always raises ``UnsupportedOperation``."""
        raise UnsupportedOperation(self.name, "tracking")

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the carrier clock must return timezone-aware times")
        return now.astimezone(UTC)

    def _is_rural(self, shipment: Shipment) -> bool:
        if shipment.rural is not None:
            return shipment.rural
        return rural_from_address(shipment.receiver)

    def _shipment_problems(self, shipment: Shipment) -> tuple[str | None, list[str]]:
        """The receiver's zone and every problem with the addresses and parcels."""
        problems = address_problems(shipment.receiver, "receiver")
        if not shipment.sender.name.strip():
            problems.append("sender name is missing")
        zone = None
        country = shipment.receiver.country.strip().upper()
        postcode = normalise_postcode(shipment.receiver.postcode)
        if country in COUNTRIES and postcode is not None:
            zone = self._card.zone_for(country, postcode)
            if zone is None:
                problems.append(f"no zone covers {country} postcode {postcode}")
        if not shipment.parcels:
            problems.append("a shipment needs at least one parcel")
        for index, parcel in enumerate(shipment.parcels, start=1):
            problems.extend(parcel_problems(index, parcel))
        return zone, problems

    def _price(
        self, service: OwnLabelService, zone: str | None, parcels: Sequence[Parcel], *, rural: bool
    ) -> tuple[Decimal, list[str]]:
        """The total for ``parcels`` (each rounded to cents), or why ``service`` cannot carry them.

        Without a zone only the weight limit is checked (the missing zone is reported already).
        """
        total, problems = Decimal("0.00"), []
        limit = format_weight(service.max_weight_grams)
        for index, parcel in enumerate(parcels, start=1):
            if parcel_problems(index, parcel):
                continue  # already reported by _shipment_problems
            weight = format_weight(parcel.weight_grams)
            if parcel.weight_grams > service.max_weight_grams:
                problems.append(
                    f"parcel {index} weighs {weight}, over {service.name}'s {limit} limit"
                )
                continue
            if zone is None:
                continue
            cost = self._card.parcel_cost(service.code, zone, parcel.weight_grams, rural=rural)
            if cost is None:
                problems.append(f"{service.name} has no price to zone {zone} for {weight}")
            else:
                total += cost
        return total, problems

    def _rate_messages(self, shipment: Shipment, *, rural: bool) -> tuple[str, ...]:
        if not rural:
            return ()
        count = len(shipment.parcels)
        note = f"includes rural delivery surcharge {self._card.rural_surcharge} × {count}"
        if shipment.rural is None:
            note += " (rural delivery address)"
        return (note,)

    def _labels(
        self,
        shipment: Shipment,
        service: OwnLabelService,
        tickets: Sequence[str],
        created_at: datetime,
        *,
        rural: bool,
    ) -> tuple[LabelLayout, ...]:
        sender, receiver = shipment.sender.label_address(), shipment.receiver.label_address()
        printed_on = created_at.astimezone(self._label_tz).date()
        return tuple(
            LabelLayout(
                sender=sender,
                receiver=receiver,
                service=service.name,
                carrier=self.name,
                ticket=ticket,
                tracking_url=service.tracking_url(ticket),
                parcel_index=index,
                parcel_count=len(tickets),
                weight_grams=parcel.weight_grams,
                reference=shipment.reference,
                printed_on=printed_on,
                instructions="RURAL DELIVERY" if rural else None,
            )
            for index, (ticket, parcel) in enumerate(zip(tickets, shipment.parcels, strict=True), 1)
        )


def _setup_problems(services: Sequence[OwnLabelService], void_window: timedelta) -> list[str]:
    """Problems with a set of services: none, duplicate codes, overlapping ticket ranges."""
    problems = []
    if not services:
        problems.append("at least one service is needed")
    if void_window < timedelta(0):
        problems.append(f"the void window cannot be negative ({void_window})")
    for i, service in enumerate(services):
        for other in services[:i]:
            if other.code == service.code:
                problems.append(f"service code {service.code} is used twice")
            elif other.tickets.overlaps(service.tickets):
                problems.append(
                    f"ticket ranges of {other.code} ({other.tickets.spec}) and "
                    f"{service.code} ({service.tickets.spec}) overlap"
                )
    return problems
