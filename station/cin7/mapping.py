"""Pure functions between Cin7's JSON and Station's Cin7 values.

Cin7 answers in camelCase though its help pages print PascalCase, so every key is read
case-insensitively; unknown fields and nulls are tolerated; text is cleaned as
``station.text`` says (a NUL in one address must not stop every sync); dates with or without a zone
become aware UTC datetimes; money and quantities become ``Decimal``. Also the small
readers of Cin7's HTTP replies: ``Retry-After`` and the ``Message`` of an error body.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from email.utils import parsedate_to_datetime
from typing import Any

from station.cin7.errors import Cin7BadResponse
from station.cin7.types import (
    Branch,
    ItemResult,
    Product,
    ProductOption,
    SalesOrder,
    SalesOrderLine,
    StockRow,
)
from station.text import clean_line, clean_lines


class _Record:
    """Case-insensitive, typed reads from one Cin7 JSON object."""

    def __init__(self, data: Any, kind: str) -> None:
        if not isinstance(data, Mapping):
            raise Cin7BadResponse(f"Cin7 sent a {type(data).__name__} where a {kind} was expected.")
        self._data = {str(k).lower(): v for k, v in data.items()}
        self._kind = kind

    def raw(self, key: str) -> Any:
        return self._data.get(key.lower())

    def required_int(self, key: str) -> int:
        value = self.int(key)
        if value is None:
            raise Cin7BadResponse(f"Cin7 sent a {self._kind} without a valid {key!r}.")
        return value

    def int(self, key: str) -> int | None:
        value = self.raw(key)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise self._bad(key, value)
        try:
            return int(value)
        except (TypeError, ValueError):
            raise self._bad(key, value) from None

    def str(self, key: str) -> str | None:
        """Single-line text, cleaned (``station.text``): controls dropped, breaks made spaces."""
        return clean_line(self._text(key))

    def lines(self, key: str) -> str | None:
        """Multi-line text, cleaned: controls dropped, tab and newline kept."""
        return clean_lines(self._text(key))

    def _text(self, key: str) -> str | None:
        value = self.raw(key)
        if value is None:
            return None
        return value if isinstance(value, str) else str(value)

    def bool(self, key: str) -> bool:
        value = self.raw(key)
        if isinstance(value, str):
            return value.strip().lower() in {"true", "1", "yes"}
        return bool(value)

    def decimal(self, key: str) -> Decimal | None:
        value = self.raw(key)
        if value is None or value == "":
            return None
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise self._bad(key, value) from None

    def datetime(self, key: str) -> datetime | None:
        value = self.raw(key)
        if value is None or value == "":
            return None
        try:
            return parse_cin7_datetime(str(value))
        except ValueError:
            raise self._bad(key, value) from None

    def list(self, key: str) -> list[Any]:
        value = self.raw(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self._bad(key, value)
        return value

    def _bad(self, key: str, value: Any) -> Cin7BadResponse:
        return Cin7BadResponse(
            f"Cin7 sent a {self._kind} whose {key!r} is not usable ({json_kind(value)})."
        )


def parse_cin7_datetime(text: str) -> datetime:
    """Read a Cin7 date: ISO 8601 with ``Z``, an offset, or no zone (taken as UTC).

    Raises ``ValueError`` for text that is not such a date, and for one whose UTC moment
    falls outside the years 1 to 9999 (``0001-01-01T00:00:00+14:00``).
    """
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{text.strip()!r} is outside the dates a computer can hold") from None


def format_cin7_datetime(value: datetime) -> str:
    """Write a date the way Cin7 wants it: UTC, whole seconds, ``Z``."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given where UTC is required")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_batch_or_serial(stock_control: str | None) -> bool:
    """True for Batch- or Serial-controlled stock (any value naming either, any case)."""
    text = (stock_control or "").lower()
    return "batch" in text or "serial" in text


def sales_order_from_json(data: Any) -> SalesOrder:
    """A :class:`SalesOrder` from one Cin7 sales order object."""
    r = _Record(data, "sales order")
    modified = r.datetime("modifiedDate")
    if modified is None:
        raise Cin7BadResponse("Cin7 sent a sales order without a 'modifiedDate'.")
    return SalesOrder(
        id=r.required_int("id"),
        reference=r.str("reference"),
        created_date=r.datetime("createdDate"),
        modified_date=modified,
        status=r.str("status"),
        is_approved=r.bool("isApproved"),
        is_void=r.bool("isVoid") or (r.str("status") or "").upper() == "VOID",
        stage=r.str("stage"),
        source=r.str("source"),
        branch_id=r.int("branchId"),
        customer_order_no=r.str("customerOrderNo"),
        first_name=r.str("firstName"),
        last_name=r.str("lastName"),
        company=r.str("company"),
        email=r.str("email"),
        phone=r.str("phone"),
        mobile=r.str("mobile"),
        delivery_first_name=r.str("deliveryFirstName"),
        delivery_last_name=r.str("deliveryLastName"),
        delivery_company=r.str("deliveryCompany"),
        delivery_address1=r.str("deliveryAddress1"),
        delivery_address2=r.str("deliveryAddress2"),
        delivery_city=r.str("deliveryCity"),
        delivery_state=r.str("deliveryState"),
        delivery_postal_code=r.str("deliveryPostalCode"),
        delivery_country=r.str("deliveryCountry"),
        delivery_instructions=r.lines("deliveryInstructions"),
        currency_code=r.str("currencyCode"),
        product_total=r.decimal("productTotal"),
        total=r.decimal("total"),
        freight_total=r.decimal("freightTotal"),
        freight_description=r.str("freightDescription"),
        dispatched_date=r.datetime("dispatchedDate"),
        tracking_code=r.str("trackingCode"),
        logistics_carrier=r.str("logisticsCarrier"),
        internal_comments=r.lines("internalComments"),
        lines=tuple(_line(item) for item in r.list("lineItems")),
        raw=dict(data),
    )


def _line(data: Any) -> SalesOrderLine:
    r = _Record(data, "sales order line")
    return SalesOrderLine(
        id=r.int("id"),
        product_id=r.int("productId"),
        product_option_id=r.int("productOptionId"),
        code=r.str("code"),
        name=r.str("name"),
        option1=r.str("option1"),
        option2=r.str("option2"),
        option3=r.str("option3"),
        barcode=r.str("barcode"),
        size_codes=r.str("sizeCodes"),
        qty=r.decimal("qty") or Decimal(0),
        qty_shipped=r.decimal("qtyShipped") or Decimal(0),
        unit_price=r.decimal("unitPrice"),
        stock_control=r.str("stockControl"),
    )


def product_from_json(data: Any) -> Product:
    """A :class:`Product` (with its nested options) from one Cin7 product object."""
    r = _Record(data, "product")
    return Product(
        id=r.required_int("id"),
        name=r.str("name"),
        style_code=r.str("styleCode"),
        stock_control=r.str("stockControl"),
        size_range_id=r.int("sizeRangeId"),
        weight=r.decimal("weight"),
        options=tuple(product_option_from_json(o) for o in r.list("productOptions")),
    )


def product_option_from_json(data: Any) -> ProductOption:
    """A :class:`ProductOption` from one Cin7 product option object."""
    r = _Record(data, "product option")
    return ProductOption(
        id=r.required_int("id"),
        product_id=r.int("productId"),
        code=r.str("code"),
        barcode=r.str("barcode"),
        option1=r.str("option1"),
        option2=r.str("option2"),
        option3=r.str("option3"),
        size=r.str("size"),
        weight=r.decimal("optionWeight"),
        stock_available=r.decimal("stockAvailable"),
        stock_on_hand=r.decimal("stockOnHand"),
    )


def stock_row_from_json(data: Any) -> StockRow:
    """A :class:`StockRow` from one row of ``GET v1/Stock``."""
    r = _Record(data, "stock row")
    return StockRow(
        product_id=r.int("productId"),
        product_option_id=r.int("productOptionId"),
        code=r.str("code"),
        barcode=r.str("barcode"),
        branch_id=r.int("branchId"),
        branch_name=r.str("branchName"),
        available=r.decimal("available") or Decimal(0),
        stock_on_hand=r.decimal("stockOnHand") or Decimal(0),
        open_sales=r.decimal("openSales") or Decimal(0),
        incoming=r.decimal("incoming") or Decimal(0),
        holding=r.decimal("holding") or Decimal(0),
        modified_date=r.datetime("modifiedDate"),
    )


def branch_from_json(data: Any) -> Branch:
    """A :class:`Branch` from one Cin7 branch object."""
    r = _Record(data, "branch")
    return Branch(
        id=r.required_int("id"),
        company=r.str("company"),
        is_active=r.bool("isActive"),
        branch_type=r.str("branchType"),
        address1=r.str("address1"),
        city=r.str("city"),
        post_code=r.str("postCode"),
        country=r.str("country"),
    )


def item_results_from_json(data: Any, expected: int) -> list[ItemResult]:
    """Per-item results of a batch write: exactly one per item sent, sorted by index.

    A result without an ``index`` takes its position. Raises Cin7BadResponse unless the
    indices are exactly 0..expected-1, so no result is matched to the wrong item.
    """
    if not isinstance(data, list):
        raise Cin7BadResponse(
            f"Cin7 answered a batch write without a list of per-item results ({json_kind(data)})"
        )
    if len(data) != expected:
        raise Cin7BadResponse(f"Cin7 answered {len(data)} results for {expected} items sent.")
    results = []
    for position, item in enumerate(data):
        r = _Record(item, "batch result")
        index = r.int("index")
        errors = r.raw("errors")
        results.append(
            ItemResult(
                index=position if index is None else index,
                success=r.bool("success"),
                id=r.int("id"),
                code=r.str("code"),
                errors=(str(errors),)
                if isinstance(errors, str)
                else tuple(map(str, r.list("errors"))),
            )
        )
    results.sort(key=lambda result: result.index)
    if [result.index for result in results] != list(range(expected)):
        raise Cin7BadResponse(
            f"Cin7's per-item results do not number the {expected} items sent 0 to {expected - 1}."
        )
    return results


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date), if usable."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def error_detail(text: str) -> str:
    """Cin7's own ``Message`` from a JSON error reply, else "".

    Only that field, which Cin7 writes for people, goes into an error message: never the
    rest of a reply, which from a wrong base URL could be any service's (issue: SSRF).
    """
    try:
        body = json.loads(text)
    except ValueError:
        return ""
    if isinstance(body, dict):
        for key, value in body.items():
            if str(key).lower() == "message":
                message = " ".join(str(value).split())[:200]
                return message if message.isprintable() else ""
    return ""


def json_kind(value: Any) -> str:
    """What sort of JSON value came back, for a message that must not quote it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return f"text of {len(value)} characters"
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    if isinstance(value, dict):
        return f"an object with {len(value)} fields"
    return type(value).__name__
