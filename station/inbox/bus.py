"""The inbox's event bus: events are appended to an order's log and settled here.

Settling an event runs the enabled rules for it that the order matches, in their order
(conditions from ``rules``, actions from ``actions``' table), and logs each rule fired
as an ``InboxRuleRun``. An action may append events of its own (moving an order logs
*Moved*); the bus settles each at once, one level deeper in the same chain, before the
rule's next action. The loop guard holds per chain (one first event and everything its
rules set off): a chain goes at most ``MAX_DEPTH`` levels deep (deeper, the whole chain
stops) and never runs one rule twice on one order; the rule log says when the guard
stopped either.

Who appends an event settles it: ``record_event`` does both; the services that change
an order (``folders.move_order``, ``notes``, ``submit.schedule_submission``) append
through ``changes`` and call ``settle``. Actions return their events to the bus rather
than calling it, so no import runs from the actions back here.

Settling answers what the rules left for jobs after the commit (:class:`Settled`): the
orders they scheduled to Cin7 and how many webhooks they queued. The service that owns
the unit of work queues those after its commit (``followups.queue_rule_work``): a
request queues a submission pass at once; a job leaves scheduled orders to the periodic
sweep (``submit.scheduled_submissions``), which finds them by their mark in the database
whoever scheduled them, and starts a delivery pass for the webhooks.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from station.inbox.actions import ActionFailed, do_action
from station.inbox.events import append_event
from station.inbox.rules import check_rule
from station.models import InboxEvent, InboxEventKind, InboxOrder, InboxRule, InboxRuleRun

log = logging.getLogger(__name__)

MAX_DEPTH = 5


class RuleOutcome(enum.StrEnum):
    DONE = "done"
    FAILED = "failed"  # an action could not be done; the ones after it were not tried
    STOPPED = "stopped"  # the loop guard kept the rule from running


@dataclass(frozen=True, slots=True)
class Settled:
    """What the rules left for jobs once the change commits: orders scheduled, webhooks queued."""

    scheduled: tuple[int, ...] = ()  # ids of the orders rules scheduled to Cin7
    webhooks: int = 0  # webhook calls rules queued for the delivery job

    def __add__(self, other: Settled) -> Settled:
        return Settled(self.scheduled + other.scheduled, self.webhooks + other.webhooks)


@dataclass
class _Chain:
    """Rules run because of one first event, and the actions' events after it."""

    fired: set[tuple[int, int]] = field(default_factory=set)  # (rule id, order id)
    noted: set[tuple[int, int]] = field(default_factory=set)  # "already ran" logged
    halted: bool = False  # the guard stopped it: no rule runs again until it ends
    scheduled: list[int] = field(default_factory=list)  # orders the rules scheduled
    webhooks: int = 0  # webhooks the rules queued

    def settled(self) -> Settled:
        return Settled(tuple(self.scheduled), self.webhooks)


def record_event(
    session: Session,
    order: InboxOrder,
    kind: InboxEventKind,
    message: str,
    *,
    at: datetime,
    detail: Mapping[str, Any] | None = None,
    by: str = "",
) -> Settled:
    """Append an event (by ``by``) to the order's log and settle it (the caller commits both)."""
    event = append_event(session, order, kind, message, at=at, detail=detail, by=by)
    return settle(session, order, event)


def settle(session: Session, order: InboxOrder, event: InboxEvent | None) -> Settled:
    """Run the rules for an event just appended to ``order``'s log (a new chain); None: nothing."""
    if event is None:
        return Settled()
    return run_rules(session, order, event.kind, at=event.at)


def run_rules(session: Session, order: InboxOrder, event: str, *, at: datetime) -> Settled:
    """Run the rules for ``event`` on ``order`` as if it had just happened (a new chain)."""
    chain = _Chain()
    _run(session, order, str(event), at, chain, depth=1)
    return chain.settled()


def rules_for(session: Session, event: str) -> list[InboxRule]:
    """The enabled rules for ``event``, in the order they run."""
    return list(
        session.scalars(
            select(InboxRule)
            .where(InboxRule.event == str(event), InboxRule.enabled.is_(True))
            .order_by(InboxRule.position, InboxRule.id)
        )
    )


def _run(
    session: Session, order: InboxOrder, event: str, at: datetime, chain: _Chain, *, depth: int
) -> None:
    with session.no_autoflush:
        rules = rules_for(session, event)
    for rule in rules:
        if chain.halted or not check_rule(rule, order).matched:
            continue
        key = (rule.id, order.id)
        if key in chain.fired:
            if key in chain.noted:
                continue  # said once per chain is enough
            chain.noted.add(key)
            _log(
                session,
                rule,
                order,
                event,
                at,
                RuleOutcome.STOPPED,
                "Stopped: this rule already ran on this order in this chain.",
            )
            continue
        if depth > MAX_DEPTH:
            chain.halted = True
            _log(
                session,
                rule,
                order,
                event,
                at,
                RuleOutcome.STOPPED,
                f"Stopped: rules set off other rules more than {MAX_DEPTH} levels deep.",
            )
            continue
        chain.fired.add(key)
        _fire(session, rule, order, event, at, chain, depth)


def _fire(
    session: Session,
    rule: InboxRule,
    order: InboxOrder,
    event: str,
    at: datetime,
    chain: _Chain,
    depth: int,
) -> None:
    """Do the rule's actions in turn, settling each one's events before the next."""
    done: list[str] = []
    for step in rule.actions:
        try:
            result = do_action(session, order, step, at=at, by=f"rule: {rule.name}")
        except ActionFailed as problem:
            log.warning("inbox rule %s on order %s failed: %s", rule.id, order.id, problem)
            detail = "; ".join([*done, f"failed: {problem}"])
            _log(session, rule, order, event, at, RuleOutcome.FAILED, detail)
            return
        chain.webhooks += result.webhooks
        for new in result.events:
            if new.kind == InboxEventKind.SCHEDULED:
                chain.scheduled.append(order.id)
            _run(session, order, new.kind, new.at, chain, depth=depth + 1)
        done.append(result.what)
    _log(session, rule, order, event, at, RuleOutcome.DONE, "; ".join(done) or "No actions.")


def _log(
    session: Session,
    rule: InboxRule,
    order: InboxOrder,
    event: str,
    at: datetime,
    outcome: RuleOutcome,
    detail: str,
) -> None:
    run = InboxRuleRun(
        rule_id=rule.id,
        rule_name=rule.name,
        event=str(event),
        fired_at=at,
        outcome=outcome.value,
        detail=detail,
    )
    run.order = order
    session.add(run)
