"""What a packer or manager chooses from when shipping: printers, services, boxes, who pays."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from station.carriers.base import Service
from station.carriers.errors import CarrierError
from station.dispatch.catalog import Catalog, bench_catalog
from station.models import CostCentre, PackagePreset, Printer
from station.shipping.carriers import carrier_codes, carrier_for

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ServiceChoice:
    """One carrier service, as a form value ``carrier:service``."""

    value: str
    carrier_name: str
    service: Service


@dataclass(frozen=True, slots=True)
class ShipChoices:
    """Everything a ship form offers (the printers only when a form asks for them)."""

    catalog: Catalog
    services: list[ServiceChoice]
    presets: list[PackagePreset]
    cost_centres: list[CostCentre]
    default_centre: CostCentre | None

    @property
    def printers(self) -> list[Printer]:
        """The active printers, by name (a bulk run's form offers them; the bench's does not)."""
        return self.catalog.printers


def ship_choices(session: Session) -> ShipChoices:
    """The active printers, every usable carrier's services, presets and cost centres.

    The default cost centre is the active one marked default, found among those listed.
    """
    catalog = bench_catalog(session)
    return ShipChoices(
        catalog=catalog,
        services=_services(session),
        presets=catalog.presets,
        cost_centres=catalog.cost_centres,
        default_centre=next((c for c in catalog.cost_centres if c.is_default), None),
    )


def _services(session: Session) -> list[ServiceChoice]:
    choices = []
    for code in carrier_codes(session):
        try:
            carrier = carrier_for(session, code)
        except CarrierError as exc:
            log.warning("carrier %s cannot be offered: %s", code, exc)
            continue
        choices += [ServiceChoice(f"{code}:{s.code}", carrier.name, s) for s in carrier.services()]
    return choices
