"""Pure mapping between Station's values and Karrio's unified models.

Requests are built as plain dicts in Karrio's shapes (``RateRequest``, ``ShipmentRequest``
...); replies are read by attribute from Karrio's result objects. Nothing here imports
Karrio or talks to a carrier, so every rule is tested with literal data.

Units: Station weighs in whole grams and measures in millimetres; Karrio gets kilograms
and centimetres. Money comes back from Karrio as floats and leaves here as ``Decimal``
rounded to cents (through ``str``, so 9.8 stays 9.80, not 9.800000000000000710...).
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from station.addresses import Address
from station.carriers.base import (
    Parcel,
    Rate,
    Service,
    Shipment,
    TrackingEvent,
    cents,
)
from station.labels.layout import LabelLayout

log = logging.getLogger(__name__)

_SPACES = re.compile(r"\s+")
_EVENT_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")


def clean_text(value: str) -> str:
    """``value`` on one line: line breaks and tabs become spaces, other control characters
    (NUL, ESC, DEL ...) are dropped; XML-based carrier APIs refuse them outright."""
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in value
        if ch.isspace() or unicodedata.category(ch) != "Cc"
    )
    return _SPACES.sub(" ", kept).strip()


def karrio_address(address: Address) -> dict[str, Any]:
    """A Karrio ``Address``: first line as ``address_line1``, the rest joined as line 2."""
    lines = [clean_text(line) for line in address.lines]
    lines = [line for line in lines if line]
    fields = {
        "person_name": address.name,
        "company_name": address.company,
        "address_line1": lines[0] if lines else "",
        "address_line2": ", ".join(lines[1:]),
        "city": address.city,
        "state_code": address.region,
        "postal_code": address.postcode,
        "country_code": address.country.upper(),
        "phone_number": address.phone,
        "email": address.email,
    }
    cleaned = {key: clean_text(value) for key, value in fields.items()}
    return {key: value for key, value in cleaned.items() if value}


def karrio_parcel(parcel: Parcel) -> dict[str, Any]:
    """A Karrio ``Parcel`` in kg and cm; the size only when all three sides are known."""
    fields: dict[str, Any] = {"weight": parcel.weight_grams / 1000, "weight_unit": "KG"}
    sides = (parcel.length_mm, parcel.width_mm, parcel.height_mm)
    if all(side is not None and side > 0 for side in sides):
        length, width, height = (side / 10 for side in sides)  # type: ignore[operator]
        fields.update(length=length, width=width, height=height, dimension_unit="CM")
    return fields


def rate_request(shipment: Shipment, service_codes: Sequence[str]) -> dict[str, Any]:
    """A Karrio ``RateRequest`` for ``shipment`` asking only for ``service_codes``."""
    return {
        "shipper": karrio_address(shipment.sender),
        "recipient": karrio_address(shipment.receiver),
        "parcels": [karrio_parcel(parcel) for parcel in shipment.parcels],
        "services": list(service_codes),
        "reference": clean_text(shipment.reference),
    }


def shipment_request(shipment: Shipment, *, label_format: str) -> dict[str, Any]:
    """A Karrio ``ShipmentRequest`` for ``shipment`` by its ``service_code``.

    Parcels carry no ``reference_number``: karrio-generic would make it every parcel's
    tracking number. The order reference goes on the shipment instead.
    """
    return {
        "service": shipment.service_code,
        "shipper": karrio_address(shipment.sender),
        "recipient": karrio_address(shipment.receiver),
        "parcels": [karrio_parcel(parcel) for parcel in shipment.parcels],
        "reference": clean_text(shipment.reference),
        "label_type": label_format,
    }


def cancel_request(shipment_identifier: str, service_code: str) -> dict[str, Any]:
    """A Karrio ``ShipmentCancelRequest``."""
    return {"shipment_identifier": shipment_identifier, "service": service_code}


def tracking_request(ticket: str) -> dict[str, Any]:
    """A Karrio ``TrackingRequest`` for one ticket."""
    return {"tracking_numbers": [ticket]}


def station_rates(
    quotes: Iterable[Any], services: Sequence[Service], *, carrier: str
) -> list[Rate]:
    """Karrio ``RateDetails`` as Station rates, in ``services`` order; others are dropped."""
    by_code: dict[str, Any] = {}
    for offer in quotes:
        by_code.setdefault(str(offer.service), offer)
    rates = []
    for service in services:
        offer = by_code.get(service.code)
        if offer is None:
            continue
        notes = ()
        if isinstance(offer.transit_days, int) and offer.transit_days > 0:
            days = "day" if offer.transit_days == 1 else "days"
            notes = (f"{offer.transit_days} {days} in transit (carrier estimate)",)
        rates.append(
            Rate(
                carrier=carrier,
                service_code=service.code,
                service_name=service.name,
                cost=money(offer.total_charge),
                currency=str(offer.currency or ""),
                zone="",
                messages=notes,
            )
        )
    return rates


def money(amount: Any) -> Decimal:
    """A Karrio amount (float, int, str or None) as Decimal cents; None is 0.00."""
    if amount is None:
        return Decimal("0.00")
    try:
        value = Decimal(str(amount))
    except InvalidOperation as exc:
        raise ValueError(f"the carrier quoted {amount!r}, which is not an amount") from exc
    if not value.is_finite():
        raise ValueError(f"the carrier quoted {amount!r}, which is not an amount")
    return cents(value)


def consignment_tickets(details: Any, parcel_count: int) -> tuple[str, ...]:
    """One ticket per parcel from Karrio's ``ShipmentDetails``.

    The master tracking number comes first, then the other parcels' numbers from
    ``meta["tracking_numbers"]`` in the order Karrio lists them (Karrio does not promise
    parcel order across pieces). When the carrier gives fewer numbers than parcels, the
    remaining parcels carry the master number, as on a single consignment note.
    """
    master = str(details.tracking_number or "").strip()
    if not master:
        return ()
    meta = details.meta if isinstance(details.meta, dict) else {}
    numbers = [master]
    for number in meta.get("tracking_numbers") or ():
        text = str(number).strip()
        if text and text not in numbers:
            numbers.append(text)
    numbers = numbers[:parcel_count]
    return tuple(numbers + [master] * (parcel_count - len(numbers)))


def carrier_label(details: Any) -> tuple[bytes, str]:
    """The carrier's own label document (decoded from base64) and its format, if any."""
    docs = getattr(details, "docs", None)
    encoded = getattr(docs, "label", None)
    if not encoded:
        return b"", ""
    try:
        data = base64.b64decode(encoded, validate=False)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("the carrier label is not base64") from exc
    return data, str(details.label_type or "").upper()


def tracking_url(
    ticket: str, *, template: str | None, carrier_format: str | None, meta: Any = None
) -> str | None:
    """The tracking link for ``ticket``: Station's template, the connector's, then Karrio's
    ``meta["tracking_url"]`` (the master's link, shared by every parcel)."""
    if template:
        return template.format(ticket=quote(ticket, safe=""))
    if carrier_format:
        return carrier_format.format(quote(ticket, safe=""))
    url = meta.get("tracking_url") if isinstance(meta, dict) else None
    return url if isinstance(url, str) and url.startswith("https://") else None


def tracking_events(details: Iterable[Any], ticket: str) -> list[TrackingEvent]:
    """Karrio ``TrackingDetails`` for ``ticket`` as Station events, oldest first.

    Times without a zone are taken as UTC. An event whose date cannot be read is left out
    and logged: a made-up time would sort it in the wrong place.
    """
    events = []
    for found in details:
        if str(found.tracking_number) != ticket:
            continue
        for event in found.events or ():
            occurred_at = event_time(event)
            if occurred_at is None:
                log.warning("tracking event for %s has an unreadable date: %r", ticket, event.date)
                continue
            events.append(
                TrackingEvent(
                    ticket=ticket,
                    occurred_at=occurred_at,
                    status=str(event.status or event.code or ""),
                    description=str(event.description or ""),
                    location=str(event.location or ""),
                )
            )
    return sorted(events, key=lambda event: event.occurred_at)


def event_time(event: Any) -> datetime | None:
    """When a Karrio ``TrackingEvent`` happened (aware UTC), or None if unreadable."""
    stamp = getattr(event, "timestamp", None)
    candidates = [stamp] if stamp else []
    day, time = getattr(event, "date", None), getattr(event, "time", None)
    if day:
        candidates.append(f"{day} {time}" if time else str(day))
    for text in candidates:
        try:
            parsed = datetime.fromisoformat(str(text).strip())
        except ValueError:
            parsed = _strptime(str(text).strip())
        if parsed is not None:
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    return None


def _strptime(text: str) -> datetime | None:
    for pattern in _EVENT_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None


def label_layouts(
    shipment: Shipment,
    *,
    service_name: str,
    carrier_name: str,
    tickets: Sequence[str],
    urls: Sequence[str | None],
    printed_on: date,
    rural: bool,
) -> tuple[LabelLayout, ...]:
    """Station's own label for each parcel, as the own-label carrier draws it."""
    sender, receiver = shipment.sender.label_address(), shipment.receiver.label_address()
    return tuple(
        LabelLayout(
            sender=sender,
            receiver=receiver,
            service=service_name,
            carrier=carrier_name,
            ticket=ticket,
            tracking_url=url,
            parcel_index=index,
            parcel_count=len(tickets),
            weight_grams=parcel.weight_grams,
            reference=shipment.reference,
            printed_on=printed_on,
            instructions="RURAL DELIVERY" if rural else None,
        )
        for index, (ticket, url, parcel) in enumerate(
            zip(tickets, urls, shipment.parcels, strict=True), start=1
        )
    )
