"""Demo customers: NZ and AU delivery addresses, rural ones, names in many scripts, gaps.

Place tuples are ``(city, region, postcode)``; every postcode has four digits.
"""

from __future__ import annotations

import random
import unicodedata
from typing import Any

NZ_TOWNS: list[tuple[str, str, str]] = [
    ("Auckland", "Auckland", "1010"),
    ("Ponsonby", "Auckland", "1011"),
    ("Wellington", "Wellington", "6011"),
    ("Lower Hutt", "Wellington", "5010"),
    ("Christchurch", "Canterbury", "8013"),
    ("Dunedin", "Otago", "9016"),
    ("Hamilton", "Waikato", "3204"),
    ("Tauranga", "Bay of Plenty", "3110"),
    ("Ōhope", "Bay of Plenty", "3121"),
    ("Kaikōura", "Canterbury", "7300"),
    ("Twizel", "Canterbury", "7901"),
    ("Raglan", "Waikato", "3225"),
]
# Rural delivery: the address carries an RD number, as NZ Post asks.
NZ_RURAL: list[tuple[str, str, str]] = [
    ("Waipukurau", "Hawke's Bay", "4282"),
    ("Kaitaia", "Northland", "0482"),
    ("Methven", "Canterbury", "7782"),
    ("Te Anau", "Southland", "9679"),
]
NZ_PLACES: list[tuple[str, str, str]] = NZ_TOWNS + NZ_RURAL
AU_PLACES: list[tuple[str, str, str]] = [
    ("Sydney", "NSW", "2000"),
    ("Melbourne", "VIC", "3000"),
    ("Brisbane", "QLD", "4000"),
    ("Perth", "WA", "6000"),
    ("Hobart", "TAS", "7000"),
    ("Alice Springs", "NT", "0870"),
    ("Canberra", "ACT", "2600"),
    ("Adelaide", "SA", "5000"),
    ("Geelong", "VIC", "3220"),
    ("Cairns", "QLD", "4870"),
]
NAMES: list[tuple[str, str]] = [
    ("Aroha", "Ngata"),
    ("Mereana", "Te Whare"),
    ("Tāne", "Walker"),
    ("Björn", "Müller"),
    ("Zoë", "Frédéric"),
    ("Liam", "O'Connor"),
    ("Mei", "陈"),
    ("Hana", "Sato"),
    ("Priya", "Sharma"),
    ("Noa", "כהן"),  # right-to-left
    ("Sione", "Taufa"),
    ("Olivia", "Smith"),
    ("Jack", "Brown"),
    ("Charlotte", "Wilson"),
    ("Wiremu", "Pōtae"),
    ("Ngaio", "Mātene"),
    ("Siobhán", "Ní Bhriain"),
    ("Lucas", "Nguyễn"),
]
STREETS = [
    "Queen Street",
    "Karangahape Road",
    "Cuba Street",
    "George Street",
    "Ponsonby Road",
    "Te Ara Whānui",
    "Collins Street",
]
RURAL_ROADS = ["State Highway 2", "Old Coach Road", "Kahikatea Flat Road", "Back Road"]
COMPANIES = [None, None, None, None, "Kōwhai Gifts Ltd", "Harbour Café", "Tui & Co"]
INSTRUCTIONS = [None, None, None, "Leave at the back door", "Call on arrival", "Gate code 4412"]


def random_customer(rng: random.Random, order_id: int) -> dict[str, Any]:
    """The customer and delivery fields of one order, NZ three times in four."""
    in_au = rng.random() < 0.25
    first, last = rng.choice(NAMES)
    delivery_first, delivery_last = (first, last) if rng.random() < 0.9 else rng.choice(NAMES)
    rural = not in_au and rng.random() < 0.15
    if in_au:
        city, region, postcode = rng.choice(AU_PLACES)
    else:
        city, region, postcode = rng.choice(NZ_RURAL if rural else NZ_TOWNS)
    if rural:
        address1 = f"{rng.randrange(100, 2999)} {rng.choice(RURAL_ROADS)}"
        address2: str | None = f"RD {rng.randrange(1, 9)}"
    else:
        address1 = f"{rng.randrange(1, 400)} {rng.choice(STREETS)}"
        address2 = rng.choice([None, None, None, f"Unit {rng.randrange(1, 30)}", "Level 2"])
    gap = rng.random()  # a few addresses arrive without a city or a postcode
    company = rng.choice(COMPANIES)
    return {
        "firstName": first,
        "lastName": last,
        "company": company,
        "email": f"{_ascii(first).lower()}.{order_id}@example.com",
        "phone": _phone(rng, in_au) if rng.random() < 0.7 else None,
        "mobile": _mobile(rng, in_au),
        "deliveryFirstName": delivery_first,
        "deliveryLastName": delivery_last,
        "deliveryCompany": company if rng.random() < 0.5 else None,
        "deliveryAddress1": address1,
        "deliveryAddress2": address2,
        "deliveryCity": None if gap < 0.02 else city,
        "deliveryState": region,
        "deliveryPostalCode": None if 0.02 <= gap < 0.04 else postcode,
        "deliveryCountry": "Australia" if in_au else "New Zealand",
        "deliveryInstructions": rng.choice(INSTRUCTIONS),
        "currencyCode": "AUD" if in_au else "NZD",
    }


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return folded or "customer"


def _phone(rng: random.Random, in_au: bool) -> str:
    if in_au:
        return f"+61 {rng.choice('2378')} {rng.randrange(1000, 9999)} {rng.randrange(1000, 9999)}"
    return f"+64 {rng.choice('34679')} {rng.randrange(200, 999)} {rng.randrange(1000, 9999)}"


def _mobile(rng: random.Random, in_au: bool) -> str:
    if in_au:
        return f"+61 4{rng.randrange(10, 99)} {rng.randrange(100, 999)} {rng.randrange(100, 999)}"
    return f"+64 2{rng.choice('127')} {rng.randrange(100, 999)} {rng.randrange(1000, 9999)}"
