"""Cin7 Omni's sales order field names and date format, as the sandbox reads and writes them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
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
TRACKING_CODE_MAX = 50


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
