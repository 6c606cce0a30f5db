"""The shipment every consignment benchmark books: one 1.25 kg parcel, Auckland → Wellington."""

from __future__ import annotations

from typing import Any


def sample_shipment(n: int) -> Any:
    """Shipment ``n`` (its reference differs; everything else is the same)."""
    from station.addresses import Address
    from station.carriers import Parcel, Shipment

    return Shipment(
        sender=Address(
            name="Kōwhai Gifts Ltd",
            company="Kete & Co",
            lines=("12 Carbine Road",),
            city="Auckland",
            postcode="1060",
            country="NZ",
        ),
        receiver=Address(
            name="Aroha Ngata",
            company="Harbour Café",
            lines=("1 Cuba Street", "Level 2"),
            city="Wellington",
            region="Wellington",
            postcode="6011",
            country="NZ",
            phone="+64 21 555 0101",
        ),
        parcels=(Parcel(weight_grams=1250),),
        service_code="ON",
        reference=f"SO-{1000 + n}",
    )
