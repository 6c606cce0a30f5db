"""Carrier-neutral checks of a shipment's addresses and parcels, as lists of problems.

Each function returns every problem it finds (empty when there are none), so a carrier
can refuse a shipment once with everything a packer needs to fix.
"""

from __future__ import annotations

import re

from station.addresses import Address
from station.carriers.base import COUNTRIES, Parcel
from station.carriers.ratecard import normalise_postcode

_RURAL = (re.compile(r"\bRD ?[0-9]{1,2}\b"), re.compile(r"\brural delivery\b", re.IGNORECASE))


def address_problems(address: Address, who: str) -> list[str]:
    """Every missing or unusable field of an address; ``who`` names it ("receiver")."""
    problems = []
    for label, value in (("name", address.name), ("city", address.city)):
        if not value.strip():
            problems.append(f"{who} {label} is missing")
    if not any(line.strip() for line in address.lines):
        problems.append(f"{who} address line is missing")
    if not address.postcode.strip():
        problems.append(f"{who} postcode is missing")
    elif normalise_postcode(address.postcode) is None:
        problems.append(f"{who} postcode {address.postcode.strip()!r} is not a 4-digit postcode")
    country = address.country.strip().upper()
    if not country:
        problems.append(f"{who} country is missing")
    elif country not in COUNTRIES:
        problems.append(f"{who} country {country!r} is not served ({' or '.join(COUNTRIES)})")
    return problems


def parcel_problems(index: int, parcel: Parcel) -> list[str]:
    """Why a parcel's weight is unusable (whole grams above zero), if it is."""
    weight = parcel.weight_grams
    if isinstance(weight, bool) or not isinstance(weight, int):
        return [f"parcel {index} weight must be whole grams, not {weight!r}"]
    if weight <= 0:
        return [f"parcel {index} weight must be more than 0 g, not {weight} g"]
    return []


def rural_from_address(address: Address) -> bool:
    """True when an NZ address shows a rural delivery number ('RD 2') or 'Rural Delivery'."""
    if address.country.strip().upper() != "NZ":
        return False
    texts = (*address.lines, address.city)
    return any(pattern.search(text) for pattern in _RURAL for text in texts)
