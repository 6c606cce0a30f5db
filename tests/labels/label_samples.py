"""Addresses and hostile strings shared by the label tests."""

from __future__ import annotations

from station.labels import Address

SENDER = Address(
    name="Kiwi Widgets Ltd",
    company="Warehouse",
    lines=("12 Dock Road",),
    city="Auckland",
    postcode="1010",
    country="New Zealand",
    phone="09 555 0100",
)
RECEIVER = Address(
    name="Aroha Te Whare",
    company="Ōtautahi Design Co",
    lines=("Flat 3", "45 Cashel Street"),
    city="Christchurch",
    region="Canterbury",
    postcode="8011",
    country="New Zealand",
    phone="021 555 0101",
)
HOSTILE = {
    "end and restart format": "^XZ^XA^FO0,0^FDpwned^FS",
    "control command": "~JR~JA",
    "backslash and field-block break": "C:\\path\\& more \\\\",
    "underscore hex lead-in": "_5E_7E__",
    "rtl": "שלום עולם",
    "emoji": "📦 Parcel 🚚",
    "300-char line": "W" * 300,
    "300 chars of words": "word " * 60,
    "macrons": "Ōtautahi Tāmaki Makaurau",
    "control characters": "Line\x00one\r\nline\ttwo\x1b[31m",
    "lone surrogate": "bad \ud800 text",
}
