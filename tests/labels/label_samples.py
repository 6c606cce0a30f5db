"""Addresses and hostile strings shared by the label tests."""

from __future__ import annotations

from station.addresses import Address

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

# Receivers in other scripts, for the golden labels (tests/labels/test_scripts.py).
CJK_RECEIVER = Address(
    name="山田 太郎",
    company="東京商事",
    lines=("東京都渋谷区神南1-2-3",),
    city="東京",
    postcode="150-0041",
    country="日本",
    phone="03 5555 0101",
)
HEBREW_RECEIVER = Address(
    name="דוד כהן",
    lines=("רחוב הרצל 5",),
    city="תל אביב",
    postcode="6100000",
    country="ישראל",
)
MACRON_RECEIVER = Address(
    name="Mere Tūhoe",
    company="Ōtautahi Design Co",
    lines=("12 Tāmaki Drive",),
    city="Whakatāne",
    postcode="3120",
    country="Aotearoa New Zealand",
)
ARABIC_RECEIVER = Address(name="شارع الملك فهد", city="الرياض", country="السعودية")
