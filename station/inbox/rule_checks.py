"""Trying rules on chosen orders: a dry run that changes nothing, and a re-run that acts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from station import audit
from station.inbox.bus import Settled, rules_for, run_rules
from station.inbox.followups import InboxJobs, queue_rule_work
from station.inbox.rules import RuleMatch, check_rule
from station.models import InboxEventKind, InboxOrder, InboxRule, User
from station.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Explanation:
    """What the rules would do with one order: each rule's verdict and its conditions."""

    order: InboxOrder
    matches: tuple[RuleMatch, ...]

    @property
    def would_fire(self) -> list[InboxRule]:
        return [m.rule for m in self.matches if m.matched]

    def sentences(self) -> list[str]:
        """One line per rule: whether it would fire, and each condition's verdict."""
        return [
            f"{m.rule.name}: {'would fire' if m.matched else 'would not fire'}"
            + "".join(f"; {c.describe()}" for c in m.conditions)
            for m in self.matches
        ]


def dry_run(
    session: Session, orders: Iterable[InboxOrder], rules: Sequence[InboxRule]
) -> list[Explanation]:
    """For each order, which of ``rules`` would fire and why, without doing their actions."""
    with session.no_autoflush:
        return [
            Explanation(order, tuple(check_rule(rule, order) for rule in rules)) for order in orders
        ]


def chosen_orders(session: Session, order_ids: Iterable[int]) -> list[InboxOrder]:
    """The orders with these ids, oldest first (unknown ids are left out)."""
    return list(
        session.scalars(
            select(InboxOrder).where(InboxOrder.id.in_(set(order_ids))).order_by(InboxOrder.id)
        )
    )


def dry_run_event(session: Session, order_ids: Iterable[int], event: str) -> list[Explanation]:
    """A dry run of the enabled rules for ``event`` on the chosen orders."""
    return dry_run(session, chosen_orders(session, order_ids), rules_for(session, event))


def rerun(
    session: Session, order_ids: Iterable[int], event: InboxEventKind | str, *, at: datetime
) -> tuple[list[InboxOrder], Settled]:
    """Run the rules for ``event`` again on the chosen orders, as if it had just happened.

    Answers the orders and what their rules left for jobs.
    """
    orders = chosen_orders(session, order_ids)
    settled = Settled()
    for order in orders:
        settled += run_rules(session, order, str(event), at=at)
    return orders, settled


def run_rules_again(
    actor: User | None,
    order_ids: Iterable[int],
    event: InboxEventKind,
    *,
    at: datetime,
    jobs: InboxJobs,
) -> int:
    """``actor`` runs the rules for ``event`` again on the chosen orders (audited); how many."""
    with UnitOfWork(actor) as uow:
        orders, settled = rerun(uow.session, order_ids, event, at=at)
        queue_rule_work(uow, jobs, settled)
        uow.record(
            "inbox.rules_rerun",
            target=audit.Target("inbox", None, "Inbox"),
            detail={"event": event.value, "orders": [o.id for o in orders]},
        )
        uow.commit()
    return len(orders)
