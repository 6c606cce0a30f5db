"""Sample carrier data for tests: a golden rate card, services, addresses, a fake clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from station.addresses import Address
from station.carriers import OwnLabelService, Parcel, Shipment, TicketRange

# Prices chosen so each rule shows: inclusive band edges, per-kg over a band, a 3-decimal
# per-kg price and base price that only round at the cent, and the same postcode number
# in NZ and AU landing in different zones.
GOLDEN_CARD = """\
zone,country,postcode_from,postcode_to
AKL,NZ,0600,2699
SI,NZ,7000,9999
SYD,AU,2000,2249
PER,AU,6000,6199

service,zone,max_weight_grams,base_price,per_kg_over
ON,AKL,1000,6.50
ON,AKL,5000,9.80
ON,AKL,10000,14.00,1.20
ON,SI,1000,9.75
ON,SI,10000,21.00,1.125
ON,SYD,1000,24.00
ON,SYD,5000,48.00,6.50
ON,PER,5000,61.00
EC,AKL,2000,5.125
EC,AKL,20000,12.00

setting,value
rural_surcharge,4.90
currency,NZD
"""

START = datetime(2024, 5, 1, 13, 0, tzinfo=UTC)


@dataclass
class FakeClock:
    """A clock moved by hand; calling it returns the current fake time."""

    now: datetime = START
    calls: list[datetime] = field(default_factory=list)

    def __call__(self) -> datetime:
        self.calls.append(self.now)
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def golden_services() -> tuple[OwnLabelService, ...]:
    """Overnight up to 25 kg and Economy up to 20 kg, with small ticket ranges."""
    url = "https://track.example.com/{ticket}"
    return (
        OwnLabelService("ON", "Overnight", 25_000, url, TicketRange("ON", 1000, 1999)),
        OwnLabelService("EC", "Economy", 20_000, url, TicketRange("EC", 1000, 1999)),
    )


def address(**changes: object) -> Address:
    """A complete Auckland receiver, with any fields replaced."""
    fields: dict[str, object] = {
        "name": "Aroha Ngata",
        "lines": ("45 Queen Street",),
        "city": "Auckland",
        "region": "Auckland",
        "postcode": "1010",
        "country": "NZ",
        "phone": "021 555 0101",
        "email": "aroha@example.com",
    }
    fields.update(changes)
    return Address(**fields)  # type: ignore[arg-type]


SENDER = Address(
    name="Auckland Warehouse",
    company="Kete & Co",
    lines=("12 Carbine Road",),
    city="Auckland",
    postcode="1060",
    country="NZ",
)


def shipment(
    *weights: int,
    service: str = "ON",
    receiver: Address | None = None,
    rural: bool | None = None,
    reference: str = "SO-1042",
) -> Shipment:
    """A shipment of parcels weighing ``weights`` grams (one 1.2 kg parcel by default)."""
    return Shipment(
        sender=SENDER,
        receiver=receiver or address(),
        parcels=tuple(Parcel(w) for w in weights or (1200,)),
        service_code=service,
        reference=reference,
        rural=rural,
    )


GENERIC: dict[str, Any] = {
    "carrier": "generic",
    "settings": {
        "display_name": "Test Post",
        "custom_carrier_name": "test_post",
        "services": [
            {
                "service_name": "Overnight",
                "service_code": "ON",
                "currency": "NZD",
                "weight_unit": "KG",
                "max_weight": 25,
                "transit_days": 1,
                "zones": [
                    {"label": "NZ", "rate": 9.8, "country_codes": ["NZ"]},
                    {"label": "AU", "rate": 24.0, "country_codes": ["AU"]},
                ],
            },
            {
                "service_name": "Economy",
                "service_code": "EC",
                "currency": "NZD",
                "weight_unit": "KG",
                "max_weight": 2,
                "transit_days": 3,
                "zones": [{"label": "NZ", "rate": 5.2, "country_codes": ["NZ"]}],
            },
        ],
    },
    "services": [{"code": "ON", "name": "Overnight", "max_weight_grams": 25_000}, "EC"],
    "name": "Test Post",
    "tracking_url_template": "https://track.example.com/{ticket}",
}
