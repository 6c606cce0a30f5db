"""One shop order as the inbox takes it: read from JSON, every problem collected at once.

The shape (``docs/inbox.md`` has the full reference)::

    {"id": "1001", "order_number": "#1001", "email": "...", "currency": "NZD",
     "shipping_method": "Overnight", "delivery_instructions": "...",
     "customer": {"first_name", "last_name", "company", "phone"},
     "shipping_address": {"first_name", "last_name", "company", "address1", "address2",
                          "city", "state", "postcode", "country", "phone"},
     "lines": [{"sku": "MUG-SAND", "name": "Mug", "quantity": 2, "unit_price": "24.00"}],
     "checkout": {"BranchId": 1, "Stage": "New", ...}}

The CSV import and the Shopify webhook build this shape from their own input, so every
source is checked by the same rules.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from station.inbox.checkout import BranchLookup, read_checkout
from station.inbox.errors import OrderInvalid
from station.text import clean_line, clean_lines

CUSTOMER_FIELDS = ("first_name", "last_name", "company", "phone")
ADDRESS_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "address1",
    "address2",
    "city",
    "state",
    "postcode",
    "country",
    "phone",
)
ADDRESS_REQUIRED = ("address1", "city", "country")
MAX_LINES = 500
MAX_QUANTITY = 1_000_000
MAX_TEXT = 255
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CURRENCY = re.compile(r"^[A-Za-z]{3}$")


@dataclass(frozen=True, slots=True)
class OrderDraft:
    """A checked shop order, ready to store; ``as_json`` is what is stored and hashed."""

    shop_order_id: str
    reference: str
    email: str | None
    currency_code: str | None
    shipping_method: str | None
    delivery_instructions: str | None
    customer: dict[str, str] = field(default_factory=dict)
    shipping_address: dict[str, str] = field(default_factory=dict)
    lines: tuple[dict[str, Any], ...] = ()
    checkout: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The order as plain JSON, in one fixed shape."""
        return {
            "id": self.shop_order_id,
            "order_number": self.reference,
            "email": self.email,
            "currency": self.currency_code,
            "shipping_method": self.shipping_method,
            "delivery_instructions": self.delivery_instructions,
            "customer": self.customer,
            "shipping_address": self.shipping_address,
            "lines": list(self.lines),
            "checkout": self.checkout,
        }

    @property
    def content_hash(self) -> str:
        """SHA-256 of the order in canonical JSON: equal for the same order sent twice."""
        canonical = json.dumps(self.as_json(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def order_columns(self) -> dict[str, Any]:
        """The inbox order's columns this draft fills (``InboxOrder(**…)``)."""
        return {
            "shop_order_id": self.shop_order_id,
            "reference": self.reference,
            "content_hash": self.content_hash,
            "email": self.email,
            "customer": self.customer,
            "shipping_address": self.shipping_address,
            "lines": list(self.lines),
            "checkout": self.checkout,
            "shipping_method": self.shipping_method,
            "currency_code": self.currency_code,
            "delivery_instructions": self.delivery_instructions,
        }


class _Problems:
    """Problems collected by field path, so a shop fixes its order in one go."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        self.by_field.setdefault(path, []).append(message)

    def text(
        self,
        data: Mapping[str, Any],
        key: str,
        path: str,
        *,
        limit: int = MAX_TEXT,
        multiline: bool = False,
    ) -> str:
        """The cleaned, trimmed text at ``key`` ("" when missing); numbers are taken as text.

        Control characters are dropped (``station.text``); only a ``multiline`` field keeps
        its line breaks.
        """
        value = data.get(key)
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self.add(path, "must be text")
            return ""
        text = (clean_lines if multiline else clean_line)(str(value)).strip()
        if len(text) > limit:
            self.add(path, f"must be at most {limit} characters")
            return ""
        return text


def read_order(data: Any, *, branch_known: BranchLookup | None = None) -> OrderDraft:
    """Check an order in the inbox's JSON shape; raises OrderInvalid listing every problem."""
    if not isinstance(data, Mapping):
        raise OrderInvalid({"order": ["must be a JSON object"]})
    problems = _Problems()
    shop_order_id = problems.text(data, "id", "id", limit=64)
    if not shop_order_id:
        problems.add("id", "is required (the shop's own order id)")
    reference = problems.text(data, "order_number", "order_number", limit=64) or shop_order_id
    email = problems.text(data, "email", "email")
    if email and not _EMAIL.match(email):
        problems.add("email", "is not an email address")
    currency = problems.text(data, "currency", "currency", limit=3)
    if currency and not _CURRENCY.match(currency):
        problems.add("currency", "must be a three-letter code such as NZD")
    customer = _part(problems, data, "customer", CUSTOMER_FIELDS, required=())
    address = _part(problems, data, "shipping_address", ADDRESS_FIELDS, required=ADDRESS_REQUIRED)
    named = any(address.get(k) for k in ("first_name", "last_name", "company"))
    if address and not named:
        problems.add("shipping_address.last_name", "is required (or a company)")
    lines = _lines(problems, data.get("lines"))
    checkout, checkout_problems = read_checkout(data.get("checkout"), branch_known=branch_known)
    for path, messages in checkout_problems.items():
        for message in messages:
            problems.add(path, message)
    draft = OrderDraft(
        shop_order_id=shop_order_id,
        reference=reference,
        email=email.lower() or None,
        currency_code=currency.upper() or None,
        shipping_method=problems.text(data, "shipping_method", "shipping_method", limit=128)
        or None,
        delivery_instructions=problems.text(
            data, "delivery_instructions", "delivery_instructions", limit=2000, multiline=True
        )
        or None,
        customer=customer,
        shipping_address=address,
        lines=tuple(lines),
        checkout=checkout,
    )
    if problems.by_field:
        raise OrderInvalid(problems.by_field)
    return draft


def _part(
    problems: _Problems,
    data: Mapping[str, Any],
    key: str,
    names: tuple[str, ...],
    *,
    required: tuple[str, ...],
) -> dict[str, str]:
    value = data.get(key)
    if value is None and not required:
        return {}
    if not isinstance(value, Mapping):
        problems.add(key, "is required" if value is None else "must be an object")
        return {}
    part = {}
    for name in names:
        text = problems.text(value, name, f"{key}.{name}")
        if text:
            part[name] = text
        elif name in required and f"{key}.{name}" not in problems.by_field:
            problems.add(f"{key}.{name}", "is required")
    return part


def _lines(problems: _Problems, value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not value:
        problems.add("lines", "must be a list with at least one line")
        return []
    if len(value) > MAX_LINES:
        problems.add("lines", f"may hold at most {MAX_LINES} lines")
        return []
    lines = []
    for number, raw in enumerate(value):
        path = f"lines[{number}]"
        if not isinstance(raw, Mapping):
            problems.add(path, "must be an object")
            continue
        sku = problems.text(raw, "sku", f"{path}.sku", limit=128)
        name = problems.text(raw, "name", f"{path}.name")
        if not (sku or name):
            problems.add(f"{path}.sku", "is required (or at least a name for a line Cin7 skips)")
        lines.append(
            {
                "sku": sku or None,
                "name": name or None,
                "quantity": _quantity(problems, raw.get("quantity"), f"{path}.quantity"),
                "unit_price": _price(problems, raw.get("unit_price"), f"{path}.unit_price"),
            }
        )
    return lines


def _quantity(problems: _Problems, value: Any, path: str) -> int:
    text = value.strip().lstrip("0") if isinstance(value, str) else ""
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        # int() refuses past 4,300 digits; anything this long is over the limit anyway
        value = int(text or "0") if len(text) <= 20 else MAX_QUANTITY + 1
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_QUANTITY:
        problems.add(path, f"must be a whole number from 1 to {MAX_QUANTITY:,}")
        return 0
    return value


def _price(problems: _Problems, value: Any, path: str) -> str | None:
    """The price as a decimal string (JSON has no decimal type); None when not given."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        problems.add(path, "must be an amount such as 24.00")
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        problems.add(path, "must be an amount such as 24.00")
        return None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        problems.add(path, "must be an amount of 0 or more")
        return None
    whole, _, cents = f"{amount.quantize(Decimal('0.0001')):f}".partition(".")
    return f"{whole}.{cents.rstrip('0').ljust(2, '0')}"  # 24 → 24.00, 1.2345 kept
