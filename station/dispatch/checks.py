"""Can this order ship? Every reason it cannot, in words a packer understands."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select
from sqlalchemy.orm import Session, selectinload

from station.addresses import Address
from station.cin7.mapping import is_batch_or_serial
from station.models import OrderLine, Product, SalesOrder


class Check(enum.Enum):
    """The checks an order must pass to ship, named as a manager would group refusals."""

    VOID = "Void in Cin7"
    DISPATCHED = "Already dispatched in Cin7"
    STAGE = "At a Cin7 stage that must not ship"
    NO_LINES = "No lines"
    ADDRESS = "Delivery address incomplete"
    BATCH_SERIAL = "Batch- or serial-controlled lines"


# Cin7 stages Station refuses, and those a person must confirm, until a manager says otherwise.
REFUSED_STAGES = ("Declined", "On Hold")
CONFIRM_STAGES = ("Awaiting Payment",)


@dataclass(frozen=True, slots=True)
class ShipRules:
    """What the checks read from the settings: the guard and the stages that must not ship.

    Stages match exactly as Cin7 spells them (the settings page stores Cin7's spelling),
    so Python and SQL (whatever the database's idea of case) agree order by order.
    """

    block_batch_serial: bool = True
    refused_stages: tuple[str, ...] = REFUSED_STAGES
    confirm_stages: tuple[str, ...] = CONFIRM_STAGES


class Verdict(enum.Enum):
    """What the bench does with an order, and which "Can ship" filter lists it."""

    READY = "ready"
    CONFIRM = "confirm"  # ships once a person confirms its stage
    BLOCKED = "blocked"


@dataclass(frozen=True, slots=True)
class ShipVerdict:
    """One order's answer: the reasons it cannot ship, or the stage to confirm."""

    problems: tuple[str, ...] = ()
    confirm_stage: str | None = None

    @property
    def verdict(self) -> Verdict:
        """Blocked when any problem stands; else confirm when the stage asks for it."""
        if self.problems:
            return Verdict.BLOCKED
        return Verdict.CONFIRM if self.confirm_stage else Verdict.READY

    @property
    def confirm_question(self) -> str:
        """The question the bench asks before shipping (empty when none is needed)."""
        if not self.confirm_stage:
            return ""
        return f"It is {self.confirm_stage} in Cin7. Ship it anyway?"


def unconfirmed_stage(stage: str) -> str:
    """Why an order at a confirm-first ``stage`` was not shipped."""
    return f"it is {stage} in Cin7 and shipping it was not confirmed"


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


def receiver_of(order: SalesOrder) -> Address:
    """The order's delivery address as carriers read it."""
    person = " ".join(p for p in (order.delivery_first_name, order.delivery_last_name) if p)
    return Address(
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


def ship_verdict(
    order: SalesOrder, products: Mapping[int, Product], rules: ShipRules
) -> ShipVerdict:
    """The bench's answer for ``order``: what stops it, else the stage to confirm, else ready.

    The order list's "Can ship" filter is ``verdict_clause`` of the same rules.
    """
    problems = tuple(shipping_problems(order, products, rules))
    stage = order.stage if order.stage in rules.confirm_stages else None
    return ShipVerdict(problems, None if problems else stage)


def ship_verdicts(
    session: Session, orders: Iterable[SalesOrder], rules: ShipRules
) -> dict[int, ShipVerdict]:
    """``ship_verdict`` of each order, by id, reading all their lines and products at once."""
    ids = [order.id for order in orders]
    loaded = session.scalars(
        select(SalesOrder).where(SalesOrder.id.in_(ids)).options(selectinload(SalesOrder.lines))
    ).all()
    products = products_of(session, loaded)
    return {order.id: ship_verdict(order, products, rules) for order in loaded}


def shipping_problems(
    order: SalesOrder, products: Mapping[int, Product], rules: ShipRules
) -> list[str]:
    """Every reason ``order`` cannot ship now (empty when it can)."""
    failed = failed_checks(order, products, rules)
    return [problem for problems in failed.values() for problem in problems]


def failed_checks(
    order: SalesOrder, products: Mapping[int, Product], rules: ShipRules
) -> dict[Check, list[str]]:
    """The checks ``order`` fails, each with its reasons in words (empty when it can ship)."""
    failed: dict[Check, list[str]] = {}
    if order.is_void:
        failed[Check.VOID] = ["the order is void in Cin7"]
    if order.dispatched_date is not None or (order.stage or "").lower() == "dispatched":
        failed[Check.DISPATCHED] = ["the order is already dispatched in Cin7"]
    if order.stage in rules.refused_stages:
        failed[Check.STAGE] = [f"it is {order.stage} in Cin7"]
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
    if rules.block_batch_serial and (guarded := _batch_serial_problems(order.lines, products)):
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


def verdict_clause(verdict: Verdict, rules: ShipRules) -> ColumnElement[bool]:
    """``ship_verdict(...).verdict == verdict`` as SQL, for the order list's filter."""
    blocked = cannot_ship_clause(rules)
    confirm = _stage_in(rules.confirm_stages)
    if verdict == Verdict.BLOCKED:
        return blocked
    if verdict == Verdict.CONFIRM:
        return and_(~blocked, confirm)
    return and_(~blocked, ~confirm)


def cannot_ship_clause(rules: ShipRules) -> ColumnElement[bool]:
    """``shipping_problems`` as SQL: true for orders with at least one problem.

    The order list filters by it, so the two must agree (tests compare them order by order).
    """
    return or_(*check_clauses(rules).values())


def check_clauses(rules: ShipRules) -> dict[Check, ColumnElement[bool]]:
    """Each check ``failed_checks`` makes, as SQL true for the orders failing it.

    The batch/serial check is left out when the guard is off, as ``failed_checks`` leaves
    it out; the reports count and page blocked orders with these without loading them.
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
    clauses: dict[Check, ColumnElement[bool]] = {
        Check.VOID: SalesOrder.is_void.is_(True),
        Check.DISPATCHED: or_(
            SalesOrder.dispatched_date.is_not(None),
            func.lower(func.coalesce(SalesOrder.stage, "")) == "dispatched",
        ),
        Check.STAGE: _stage_in(rules.refused_stages),
        Check.NO_LINES: ~exists().where(OrderLine.order_id == SalesOrder.id),
        Check.ADDRESS: or_(*blank),
    }
    if rules.block_batch_serial:
        clauses[Check.BATCH_SERIAL] = _batch_serial_clause()
    return clauses


def _stage_in(stages: tuple[str, ...]) -> ColumnElement[bool]:
    """True or false, never NULL (an order without a stage is at none of them)."""
    if not stages:
        return false()
    return func.coalesce(SalesOrder.stage, "").in_(stages)


def _batch_serial_clause() -> ColumnElement[bool]:
    """Orders with a line ``_batch_serial_problems`` refuses, as SQL.

    A line's own stock control wins over its product's; a size-grid line or product is
    fine. The tracked and size-grid products are a short list each, looked up once, so
    the database never joins a product to every line of 50,000 orders.
    """
    own = func.nullif(OrderLine.stock_control, "")
    tracked_products = select(Product.cin7_id).where(_names_batch_or_serial(Product.stock_control))
    size_grid_products = select(Product.cin7_id).where(func.coalesce(Product.size_range_id, 0) != 0)
    tracked = or_(
        and_(own.is_not(None), _names_batch_or_serial(own)),
        and_(own.is_(None), _product_in(tracked_products)),
    )
    size_grid = or_(func.coalesce(OrderLine.size_codes, "") != "", _product_in(size_grid_products))
    return exists(
        select(OrderLine.id).where(OrderLine.order_id == SalesOrder.id, tracked, ~size_grid)
    )


def _names_batch_or_serial(control: ColumnElement[str | None]) -> ColumnElement[bool]:
    """``is_batch_or_serial`` as SQL (NULL for a NULL control: callers rule that out first)."""
    text = func.lower(control)
    return or_(text.contains("batch"), text.contains("serial"))


def _product_in(products: Select[tuple[int]]) -> ColumnElement[bool]:
    """The line has a product and it is one of ``products`` (false, never NULL, without one)."""
    return and_(OrderLine.product_id.is_not(None), OrderLine.product_id.in_(products))
