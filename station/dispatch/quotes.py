"""Prices at the bench: every configured carrier's rates for the open order's parcels.

The whole consignment is rated at once (every parcel the packer has typed), so a price
is what the carrier charges for all of them together.

A carrier that cannot rate this shipment (refused, unreachable, misconfigured) is reported
as a sentence and the others are still shown; rating never blocks shipping. Carriers that
do not offer rates at all are left out.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from station.carriers.base import Parcel, Rate, Shipment
from station.carriers.errors import CarrierError, ShipmentRefused, UnsupportedOperation
from station.dispatch.checks import receiver_of
from station.dispatch.options import Sender
from station.models import SalesOrder
from station.shipping.carriers import carrier_codes, carrier_for

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Quote:
    """One service's price; ``value`` is the ship form's choice (``carrier:service``)."""

    value: str
    carrier_name: str
    rate: Rate
    cheapest: bool = False


@dataclass(frozen=True, slots=True)
class Quotes:
    """The prices found, in carrier and service order, and why any carrier gave none."""

    quotes: tuple[Quote, ...]
    unavailable: tuple[str, ...] = ()


def quote_order(
    session: Session, order: SalesOrder, parcels: Sequence[Parcel], *, sender: Sender
) -> Quotes:
    """Rate ``parcels`` as one consignment to ``order``'s address with every carrier.

    The cheapest are marked.
    """
    shipment = Shipment(
        sender=sender.address(),
        receiver=receiver_of(order),
        parcels=tuple(parcels),
        service_code="",
        reference=order.reference,
    )
    found: list[Quote] = []
    unavailable: list[str] = []
    for code in carrier_codes(session):
        name = code
        try:
            carrier = carrier_for(session, code)
            name = carrier.name
            rates = carrier.rates(shipment)
        except UnsupportedOperation as exc:
            log.debug("carrier %s is not rated at the bench: %s", code, exc)
            continue
        except CarrierError as exc:
            log.info("no rates from %s for %s: %s", code, order.reference, exc)
            unavailable.append(_reason(name, exc))
            continue
        found += [Quote(f"{code}:{r.service_code}", name, r) for r in rates]
    return Quotes(_mark_cheapest(found), tuple(unavailable))


def _reason(carrier: str, exc: CarrierError) -> str:
    """Why ``carrier`` gave no rates, without a shipment refusal's preamble."""
    if isinstance(exc, ShipmentRefused) and exc.problems:
        return f"{carrier}: {'; '.join(exc.problems)}"
    return f"{carrier}: {exc}"


def _mark_cheapest(quotes: list[Quote]) -> tuple[Quote, ...]:
    """``quotes`` with the lowest price in each currency marked (ties all marked)."""
    lowest: dict[str, Rate] = {}
    for quote in quotes:
        best = lowest.get(quote.rate.currency)
        if best is None or quote.rate.cost < best.cost:
            lowest[quote.rate.currency] = quote.rate
    return tuple(
        Quote(q.value, q.carrier_name, q.rate, q.rate.cost == lowest[q.rate.currency].cost)
        for q in quotes
    )
