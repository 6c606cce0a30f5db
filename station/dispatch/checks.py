"""Can this order ship? Every reason it cannot, in words a packer understands."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping

from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select
from sqlalchemy.orm import Session

from station.carriers.base import ShipAddress
from station.cin7.mapping import is_batch_or_serial
from station.models import OrderLine, Product, SalesOrder


class Check(enum.Enum):
    """The checks an order must pass to ship, named as a manager would group refusals."""

    VOID = "Void in Cin7"
    DISPATCHED = "Already dispatched in Cin7"
    NO_LINES = "No lines"
    ADDRESS = "Delivery address incomplete"
    BATCH_SERIAL = "Batch- or serial-controlled lines"


COUNTRY_CODES = {
    "nz": "NZ",
    "new zealand": "NZ",
    "aotearoa": "NZ",
    "au": "AU",
    "aus": "AU",
    "australia": "AU",
}


def country_code(country: str | None) -> str:
    """Cin7's free-text country as an ISO code ("New Zealand" → "NZ"); unknown kept as typed."""
    text = (country or "").strip()
    return COUNTRY_CODES.get(text.lower(), text)


def receiver_of(order: SalesOrder) -> ShipAddress:
    """The order's delivery address as carriers read it."""
    person = " ".join(p for p in (order.delivery_first_name, order.delivery_last_name) if p)
    return ShipAddress(
        name=person or order.delivery_company or order.customer_name,
        company=order.delivery_company or "",
        lines=tuple(line for line in (order.delivery_address1, order.delivery_address2) if line),
        city=order.delivery_city or "",
        region=order.delivery_state or "",
        postcode=order.delivery_postal_code or "",
        country=country_code(order.delivery_country),
        phone=order.mobile or order.phone or "",
        email=order.email or "",
    )


def shipping_problems(
    order: SalesOrder, products: Mapping[int, Product], *, block_batch_serial: bool
) -> list[str]:
    """Every reason ``order`` cannot ship now (empty when it can)."""
    failed = failed_checks(order, products, block_batch_serial=block_batch_serial)
    return [problem for problems in failed.values() for problem in problems]


def failed_checks(
    order: SalesOrder, products: Mapping[int, Product], *, block_batch_serial: bool
) -> dict[Check, list[str]]:
    """The checks ``order`` fails, each with its reasons in words (empty when it can ship)."""
    failed: dict[Check, list[str]] = {}
    if order.is_void:
        failed[Check.VOID] = ["the order is void in Cin7"]
    if order.dispatched_date is not None or (order.stage or "").lower() == "dispatched":
        failed[Check.DISPATCHED] = ["the order is already dispatched in Cin7"]
    if not order.lines:
        failed[Check.NO_LINES] = ["the order has no lines"]
    missing = [
        label
        for label, value in (
            ("street address", order.delivery_address1),
            ("city", order.delivery_city),
            ("postcode", order.delivery_postal_code),
            ("country", order.delivery_country),
        )
        if not (value or "").strip()
    ]
    if missing:
        failed[Check.ADDRESS] = [f"the delivery address has no {', '.join(missing)}"]
    if block_batch_serial and (guarded := _batch_serial_problems(order.lines, products)):
        failed[Check.BATCH_SERIAL] = guarded
    return failed


def products_of(session: Session, orders: Iterable[SalesOrder]) -> dict[int, Product]:
    """The products the orders' lines use, by Cin7 id (what the batch/serial guard reads)."""
    ids = {line.product_id for order in orders for line in order.lines if line.product_id}
    if not ids:
        return {}
    return {p.cin7_id: p for p in session.scalars(select(Product).where(Product.cin7_id.in_(ids)))}


def _batch_serial_problems(lines: list[OrderLine], products: Mapping[int, Product]) -> list[str]:
    """Lines whose stock is tracked by batch or serial number (size-grid batches are fine)."""
    problems = []
    for line in lines:
        product = products.get(line.product_id) if line.product_id is not None else None
        control = line.stock_control or (product.stock_control if product else None)
        size_grid = bool(line.size_codes) or (product is not None and product.size_range_id)
        if is_batch_or_serial(control) and not size_grid:
            kind = "Serial" if "serial" in (control or "").lower() else "Batch"
            problems.append(
                f"{line.code or line.name or 'a line'} ({line.name or 'no name'}) is "
                f"{kind}-controlled: Cin7 does not deduct its stock on an API dispatch, "
                "so dispatch it in Cin7"
            )
    return problems


def cannot_ship_clause(*, block_batch_serial: bool) -> ColumnElement[bool]:
    """``shipping_problems`` as SQL: true for orders with at least one problem.

    The order list filters by it, so the two must agree (tests compare them order by order).
    """
    blank = [
        func.trim(func.coalesce(column, "")) == ""
        for column in (
            SalesOrder.delivery_address1,
            SalesOrder.delivery_city,
            SalesOrder.delivery_postal_code,
            SalesOrder.delivery_country,
        )
    ]
    has_lines = exists().where(OrderLine.order_id == SalesOrder.id)
    return or_(
        SalesOrder.is_void.is_(True),
        SalesOrder.dispatched_date.is_not(None),
        func.lower(func.coalesce(SalesOrder.stage, "")) == "dispatched",
        ~has_lines,
        *blank,
        _batch_serial_clause() if block_batch_serial else false(),
    )


def _batch_serial_clause() -> ColumnElement[bool]:
    control = func.lower(
        func.coalesce(func.nullif(OrderLine.stock_control, ""), Product.stock_control, "")
    )
    tracked = or_(control.contains("batch"), control.contains("serial"))
    size_grid = or_(
        func.coalesce(OrderLine.size_codes, "") != "", func.coalesce(Product.size_range_id, 0) != 0
    )
    return exists(
        select(OrderLine.id)
        .outerjoin(Product, Product.cin7_id == OrderLine.product_id)
        .where(OrderLine.order_id == SalesOrder.id, and_(tracked, ~size_grid))
    )
