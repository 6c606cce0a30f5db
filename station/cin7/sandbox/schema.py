"""Cin7 Omni's sales order field names and date format, as the sandbox reads and writes them."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

ORDER_FIELDS: tuple[str, ...] = (
    "id",
    "reference",
    "createdDate",
    "modifiedDate",
    "status",
    "isApproved",
    "isVoid",
    "stage",
    "source",
    "branchId",
    "customerOrderNo",
    "customFields",
    "firstName",
    "lastName",
    "company",
    "email",
    "phone",
    "mobile",
    "deliveryFirstName",
    "deliveryLastName",
    "deliveryCompany",
    "deliveryAddress1",
    "deliveryAddress2",
    "deliveryCity",
    "deliveryState",
    "deliveryPostalCode",
    "deliveryCountry",
    "deliveryInstructions",
    "currencyCode",
    "productTotal",
    "total",
    "freightTotal",
    "freightDescription",
    "dispatchedDate",
    "trackingCode",
    "logisticsCarrier",
    "internalComments",
    "estimatedDeliveryDate",
    "accountingAttributes",
    "lineItems",
)
READ_ONLY_ORDER_FIELDS = frozenset(
    {"status", "total", "productTotal", "source", "modifiedDate", "createdDate"}
)
DECIMAL_ORDER_FIELDS = frozenset({"freightTotal", "productTotal", "total"})
LINE_FIELDS: tuple[str, ...] = (
    "id",
    "productId",
    "productOptionId",
    "code",
    "name",
    "option1",
    "option2",
    "option3",
    "barcode",
    "sizeCodes",
    "qty",
    "qtyShipped",
    "unitPrice",
    "stockControl",
    "stockMovements",
)
READ_ONLY_LINE_FIELDS = frozenset({"qtyShipped"})
DECIMAL_LINE_FIELDS = frozenset({"qty", "unitPrice"})
TRACKING_CODE_MAX = 50

PRODUCT_FIELDS: tuple[str, ...] = (
    "id",
    "name",
    "styleCode",
    "stockControl",
    "sizeRangeId",
    "weight",
    "height",
    "width",
    "length",
    "createdDate",
    "modifiedDate",
    "productOptions",
)
PRODUCT_OPTION_FIELDS: tuple[str, ...] = (
    "id",
    "productId",
    "code",
    "barcode",
    "option1",
    "option2",
    "option3",
    "size",
    "optionWeight",
    "stockAvailable",
    "stockOnHand",
    "priceColumns",
)
STOCK_FIELDS: tuple[str, ...] = (
    "productId",
    "productOptionId",
    "code",
    "barcode",
    "branchId",
    "branchName",
    "available",
    "stockOnHand",
    "openSales",
    "incoming",
    "holding",
    "modifiedDate",
)
BRANCH_FIELDS: tuple[str, ...] = (
    "id",
    "company",
    "isActive",
    "branchType",
    "address1",
    "address2",
    "city",
    "state",
    "postCode",
    "country",
)
CONTACT_FIELDS: tuple[str, ...] = (
    "id",
    "createdDate",
    "modifiedDate",
    "isActive",
    "type",
    "company",
    "firstName",
    "lastName",
    "email",
    "phone",
    "mobile",
    "address1",
    "address2",
    "city",
    "state",
    "postCode",
    "country",
)


def canonical_key(key: str, known: Iterable[str]) -> str | None:
    """The known field ``key`` names in any letter case (Cin7 reads input that way), or None."""
    lower = key.lower()
    return next((k for k in known if k.lower() == lower), None)


def is_date_field(name: str) -> bool:
    """Cin7's date fields are the ones whose name ends in ``Date``."""
    return name.lower().endswith("date")


def parse_date(text: str) -> datetime:
    """Read an ISO-8601 date in UTC: ``Z``, an offset, or no zone (taken as UTC)."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def format_date(value: datetime) -> str:
    """A date as Cin7 writes it: UTC, whole seconds, ``Z``."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def cin7_now(clock: Callable[[], float]) -> str:
    """The clock's time as Cin7 writes dates."""
    return format_date(datetime.fromtimestamp(clock(), UTC))


def field_value(record: Mapping[str, Any], name: str) -> Any:
    """The record's value for ``name`` in any letter case (None when it has no such field)."""
    if name in record:
        return record[name]
    lower = name.lower()
    return next((v for k, v in record.items() if k.lower() == lower), None)


def read_decimal(name: str, value: Any) -> tuple[int | float | None, str | None]:
    """A decimal field's value as a JSON number, or the error Cin7 gives for it.

    Numbers pass as they are, text holding a number becomes that number (Cin7 reads
    ``"12.50"`` as 12.5 and answers a number), null stays null; anything else fails.
    """
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        if isinstance(value, float) and not math.isfinite(value):
            return None, f"{name} must be a number, not {value!r}."
        return value, None
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            number = None
        if number is not None and number.is_finite():
            return (int(number) if number == number.to_integral_value() else float(number)), None
    return None, f"{name} must be a number, not {value!r}."
