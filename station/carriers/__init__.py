"""Carriers behind one ``Carrier`` protocol, and the built-in offline own-label carrier.

Pure Python: nothing here imports Flask or SQLAlchemy. Persistence comes in through the
small ``ConsignmentStore`` and ``TicketAllocator`` protocols; this package ships
in-memory versions of both for tests and demos.
"""

from __future__ import annotations

from station.carriers.base import (
    Carrier,
    ConsignmentResult,
    ConsignmentStore,
    InMemoryConsignmentStore,
    Parcel,
    Rate,
    Service,
    Shipment,
    TrackingEvent,
)
from station.carriers.errors import (
    CarrierError,
    CarrierMisconfigured,
    CarrierUnavailable,
    RateCardInvalid,
    ShipmentRefused,
    TicketRangeExhausted,
    UnsupportedOperation,
    VoidRefused,
)
from station.carriers.markup import CostCentre, PackagePreset, charged_amount, parcel_from_preset
from station.carriers.ownlabel import OwnLabelCarrier, OwnLabelService, default_services
from station.carriers.ratecard import RateCard, load_default_rate_card, load_rate_card
from station.carriers.tickets import (
    InMemoryTicketAllocator,
    TicketAllocator,
    TicketRange,
    check_ticket,
)

__all__ = [
    "Carrier",
    "CarrierError",
    "CarrierMisconfigured",
    "CarrierUnavailable",
    "ConsignmentResult",
    "ConsignmentStore",
    "CostCentre",
    "InMemoryConsignmentStore",
    "InMemoryTicketAllocator",
    "OwnLabelCarrier",
    "OwnLabelService",
    "PackagePreset",
    "Parcel",
    "Rate",
    "RateCard",
    "RateCardInvalid",
    "Service",
    "Shipment",
    "ShipmentRefused",
    "TicketAllocator",
    "TicketRange",
    "TicketRangeExhausted",
    "TrackingEvent",
    "UnsupportedOperation",
    "VoidRefused",
    "charged_amount",
    "check_ticket",
    "default_services",
    "load_default_rate_card",
    "load_rate_card",
    "parcel_from_preset",
]
