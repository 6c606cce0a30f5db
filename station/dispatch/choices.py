"""What a packer or manager chooses from when shipping: printers, services, boxes, who pays."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from station.carriers.base import Service
from station.carriers.errors import CarrierError
from station.dispatch.bench import active_printers
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
    """Everything a ship form offers."""

    printers: list[Printer]
    services: list[ServiceChoice]
    presets: list[PackagePreset]
    cost_centres: list[CostCentre]
    default_centre: CostCentre | None


def ship_choices(session: Session, printers: list[Printer] | None = None) -> ShipChoices:
    """The active printers, every usable carrier's services, presets and cost centres.

    The default cost centre is the active one marked default, found among those listed
    (not read again); ``printers``: the active printers when the caller has read them.
    """
    centres = list(
        session.scalars(select(CostCentre).where(CostCentre.active).order_by(CostCentre.name))
    )
    return ShipChoices(
        printers=active_printers(session) if printers is None else printers,
        services=_services(session),
        presets=list(
            session.scalars(
                select(PackagePreset).where(PackagePreset.active).order_by(PackagePreset.name)
            )
        ),
        cost_centres=centres,
        default_centre=next((centre for centre in centres if centre.is_default), None),
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
