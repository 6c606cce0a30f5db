"""Orders the bench would refuse now, grouped by the check they fail.

Refusals at the bench are answered and logged, not stored (only bulk runs keep their
refusals), so this asks the question again of the current data: every order Station
holds without a live outgoing consignment is put through the dispatch checks
(``station.dispatch.checks``) with the same options the bench uses.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, selectinload

from station.dispatch.checks import Check, ShipRules, failed_checks, products_of
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


def blocked_now(session: Session, rules: ShipRules) -> list[BlockedGroup]:
    """Each check (the batch/serial one only when the guard is on) with the orders failing it.

    An order failing two checks is in both groups.
    """
    live = exists().where(
        Consignment.order_id == SalesOrder.id,
        Consignment.state.in_((ConsignmentState.PENDING, ConsignmentState.CREATED)),
        Consignment.is_return.is_(False),
    )
    orders = session.scalars(
        select(SalesOrder)
        .where(~live)
        .options(selectinload(SalesOrder.lines))
        .order_by(SalesOrder.reference, SalesOrder.id)
    ).all()
    products = products_of(session, orders)
    found: dict[Check, list[BlockedOrder]] = {
        check: [] for check in Check if rules.block_batch_serial or check != Check.BATCH_SERIAL
    }
    for order in orders:
        failed = failed_checks(order, products, rules)
        for check, reasons in failed.items():
            found[check].append(BlockedOrder(order.id, order.reference, tuple(reasons)))
    return [BlockedGroup(check, tuple(blocked)) for check, blocked in found.items()]
