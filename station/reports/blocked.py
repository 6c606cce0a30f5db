"""Orders the bench would refuse now, grouped by the check they fail.

Refusals at the bench are answered and logged, not stored (only bulk runs keep their
refusals), so this asks the question again of the current data: every order Station
holds without a live outgoing consignment is put through the dispatch checks
(``station.dispatch.checks``) with the same options the bench uses.

The database answers the counts (one query, each check as SQL: ``check_clauses``) and
picks the orders of one page, so the reports page costs the same at 50,000 orders as at
50; only the orders shown (or exported) are loaded and given their reasons in words.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from station.dispatch.checks import Check, ShipRules, check_clauses, failed_checks, products_of
from station.listing import Paging
from station.models import Consignment, ConsignmentState, SalesOrder


@dataclass(frozen=True, slots=True)
class BlockedOrder:
    """One order that fails a check, with that check's reasons."""

    order_id: int
    reference: str
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BlockedGroup:
    """The orders failing one check."""

    check: Check
    orders: tuple[BlockedOrder, ...]

    @property
    def label(self) -> str:
        """The check's name, for people."""
        return self.check.value

    @property
    def count(self) -> int:
        """How many orders fail it."""
        return len(self.orders)


@dataclass(frozen=True, slots=True)
class BlockedCount:
    """How many orders fail one check."""

    check: Check
    count: int

    @property
    def label(self) -> str:
        """The check's name, for people."""
        return self.check.value


@dataclass(frozen=True, slots=True)
class BlockedSummary:
    """Each check's count, and how many orders fail at least one (an order may fail two)."""

    counts: tuple[BlockedCount, ...]
    orders: int

    @property
    def rows(self) -> int:
        """Rows of the blocked-orders table: one per order and check it fails."""
        return sum(c.count for c in self.counts)


@dataclass(frozen=True, slots=True)
class BlockedRow:
    """One row of the blocked-orders table: a check and an order failing it."""

    check: Check
    order: BlockedOrder


def blocked_summary(session: Session, rules: ShipRules) -> BlockedSummary:
    """Each check (the batch/serial one only when the guard is on) with how many open orders fail it."""
    clauses = check_clauses(rules)
    counts = [func.coalesce(func.sum(case((clause, 1), else_=0)), 0) for clause in clauses.values()]
    row = session.execute(
        select(func.count(), *counts).select_from(SalesOrder).where(_open(), _failing(clauses))
    ).one()
    return BlockedSummary(
        tuple(BlockedCount(check, int(n)) for check, n in zip(clauses, row[1:], strict=True)),
        int(row[0]),
    )


def blocked_page(
    session: Session, rules: ShipRules, summary: BlockedSummary, *, page: int, per_page: int
) -> tuple[list[BlockedRow], Paging]:
    """Page ``page`` of the blocked-orders table: by check, then by reference.

    Each check's orders are asked for with its own clause, offset within that check, so a
    page never loads the orders before it.
    """
    paging = Paging.at(page, per_page=per_page, total=summary.rows)
    clauses = check_clauses(rules)
    skip, wanted = paging.offset, per_page
    picked: list[tuple[Check, list[SalesOrder]]] = []
    for counted in summary.counts:
        if wanted <= 0:
            break
        if skip >= counted.count:
            skip -= counted.count
            continue
        orders = _orders(session, _open(), clauses[counted.check], offset=skip, limit=wanted)
        picked.append((counted.check, orders))
        wanted -= len(orders)
        skip = 0
    products = products_of(session, [o for _, orders in picked for o in orders])
    rows = [
        BlockedRow(check, _blocked(order, failed_checks(order, products, rules).get(check, [])))
        for check, orders in picked
        for order in orders
    ]
    return rows, paging


def blocked_now(session: Session, rules: ShipRules) -> list[BlockedGroup]:
    """Each check (the batch/serial one only when the guard is on) with every order failing it.

    An order failing two checks is in both groups. Only blocked orders are loaded (the
    CSV file lists them all).
    """
    clauses = check_clauses(rules)
    orders = _orders(session, _open(), _failing(clauses))
    products = products_of(session, orders)
    found: dict[Check, list[BlockedOrder]] = {check: [] for check in clauses}
    for order in orders:
        for check, reasons in failed_checks(order, products, rules).items():
            if check in found:
                found[check].append(_blocked(order, reasons))
    return [BlockedGroup(check, tuple(blocked)) for check, blocked in found.items()]


def _open() -> ColumnElement[bool]:
    """Orders without a live outgoing consignment (the ones the bench could still ship)."""
    live = exists().where(
        Consignment.order_id == SalesOrder.id,
        Consignment.state.in_((ConsignmentState.PENDING, ConsignmentState.CREATED)),
        Consignment.is_return.is_(False),
    )
    return ~live


def _failing(clauses: dict[Check, ColumnElement[bool]]) -> ColumnElement[bool]:
    return or_(*clauses.values())


def _orders(
    session: Session,
    *where: ColumnElement[bool],
    offset: int = 0,
    limit: int | None = None,
) -> list[SalesOrder]:
    stmt = (
        select(SalesOrder)
        .where(and_(*where))
        .options(selectinload(SalesOrder.lines))
        .order_by(SalesOrder.reference, SalesOrder.id)
        .offset(offset)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def _blocked(order: SalesOrder, reasons: list[str]) -> BlockedOrder:
    return BlockedOrder(order.id, order.reference, tuple(reasons))
