"""Inbox rules (Order Desk's): on an event, if an order matches, run the rule's actions.

A rule names one event, conditions (all or any must match) and actions done in turn.
``run_rules`` is called for every event ``record_event`` logs. An action may log
another event (moving an order logs *Moved*), which runs the rules again: such a chain
goes at most ``MAX_DEPTH`` levels deep (deeper, the whole chain stops) and never runs one
rule twice on one order; the rule log says when the guard stopped either. Each rule
fired writes one ``InboxRuleRun``.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from station.inbox.checkout import read_checkout
from station.inbox.errors import NoteInvalid
from station.inbox.masked_urls import masked_url
from station.inbox.webhooks import queue_webhook
from station.models import InboxEventKind, InboxFolder, InboxOrder, InboxRule, InboxRuleRun

log = logging.getLogger(__name__)

MAX_DEPTH = 5
CHECKOUT_PREFIX = "checkout."
SUBMIT_KEY = "inbox.rules.scheduled"  # session.info: order ids a rule scheduled to Cin7
# Refusals that need a person after which rules stop scheduling an order again (a rule
# that resubmits on *Not submitted* would otherwise send a hopeless order every minute); a
# person still can. A refusal because Cin7 failed (an outage) does not count: Station
# sends that order again by itself, waiting longer each time, and marks the refusal's
# event detail with RESUBMIT_DETAIL.
MAX_RULE_RESUBMITS = 3
RESUBMIT_DETAIL = "resubmit_at"
REFUSALS = frozenset(
    {
        InboxEventKind.NOT_SUBMITTED_ERROR,
        InboxEventKind.NOT_SUBMITTED_INVALID_SKU,
        InboxEventKind.NOT_SUBMITTED_NO_PRODUCTS,
    }
)


class Operator(enum.StrEnum):
    EQUALS = "equals"
    NOT_EQUALS = "not_equals"
    CONTAINS = "contains"
    STARTS_WITH = "starts_with"
    GREATER_THAN = "greater_than"
    LESS_THAN = "less_than"
    IS_EMPTY = "is_empty"
    IS_NOT_EMPTY = "is_not_empty"


class Action(enum.StrEnum):
    SUBMIT = "submit"
    MOVE = "move_to_folder"
    SET_CHECKOUT = "set_checkout_field"
    ADD_NOTE = "add_note"
    ADD_TAG = "add_tag"
    WEBHOOK = "webhook"


class RuleOutcome(enum.StrEnum):
    DONE = "done"
    FAILED = "failed"  # an action could not be done; the ones after it were not tried
    STOPPED = "stopped"  # the loop guard kept the rule from running


FIELDS = ("shop", "folder", "tags", "total", "country", "sku")  # and checkout.<name>
OPERATOR_NAMES: dict[str, str] = {
    Operator.EQUALS: "equals",
    Operator.NOT_EQUALS: "does not equal",
    Operator.CONTAINS: "contains",
    Operator.STARTS_WITH: "starts with",
    Operator.GREATER_THAN: "is greater than",
    Operator.LESS_THAN: "is less than",
    Operator.IS_EMPTY: "is empty",
    Operator.IS_NOT_EMPTY: "is not empty",
}


class ActionFailed(Exception):
    """An action could not be done; the message says why, for the rule log."""


@dataclass(frozen=True, slots=True)
class ConditionResult:
    """One condition checked against one order: what the order held and whether it matched."""

    field: str
    operator: str
    value: str
    found: tuple[str, ...]
    matched: bool

    def describe(self) -> str:
        """The condition, its verdict and what the order held, as people read it."""
        found = ", ".join(self.found) or "nothing"
        verdict = "matched" if self.matched else "did not match"
        return (
            f"{self.field} {OPERATOR_NAMES.get(self.operator, self.operator)} "
            + (f"{self.value!r} " if self.value else "")
            + f"{verdict} (found {found})"
        )


@dataclass(frozen=True, slots=True)
class RuleMatch:
    """A rule checked against an order."""

    rule: InboxRule
    matched: bool
    conditions: tuple[ConditionResult, ...]


def field_values(order: InboxOrder, name: str) -> tuple[str, ...]:
    """The order's values of ``name``: one for most fields, one per tag or line SKU."""
    key = name.strip().lower()
    if key.startswith(CHECKOUT_PREFIX):
        wanted = key.removeprefix(CHECKOUT_PREFIX)
        return tuple(str(v) for k, v in order.checkout.items() if k.lower() == wanted)
    values: tuple[Any, ...]
    if key == "shop":
        values = (order.shop,)
    elif key == "folder":
        values = (order.folder.name if order.folder is not None else "",)
    elif key == "tags":
        values = tuple(order.tags)
    elif key == "total":
        values = (str(order_total(order)),)
    elif key == "country":
        values = (order.shipping_address.get("country"),)
    elif key == "sku":
        values = tuple(line.get("sku") for line in order.lines)
    else:
        values = ()
    return tuple(str(v) for v in values if v not in (None, ""))


def order_total(order: InboxOrder) -> Decimal:
    """The lines' quantity times unit price, added up (a line without a price adds nothing)."""
    total = Decimal(0)
    for line in order.lines:
        price = _number(line.get("unit_price"))
        if price is not None:
            total += price * Decimal(str(line.get("quantity") or 0))
    return total


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None


def _compare(operator: Operator, found: str, wanted: str) -> bool:
    a, b = found.casefold(), wanted.strip().casefold()
    if operator in (Operator.EQUALS, Operator.NOT_EQUALS):
        return a == b
    if operator is Operator.CONTAINS:
        return b in a
    if operator is Operator.STARTS_WITH:
        return a.startswith(b)
    x, y = _number(found), _number(wanted)
    if x is None or y is None:
        return False
    return x > y if operator is Operator.GREATER_THAN else x < y


def check_condition(order: InboxOrder, condition: Mapping[str, Any]) -> ConditionResult:
    """Whether ``order`` meets one ``{field, operator, value}``; text is matched in any case.

    A field with many values (tags, SKUs) matches when any value does; *does not equal*
    when none equals; *is empty* when it has no value.
    """
    name = str(condition.get("field", ""))
    value = str(condition.get("value", "") or "")
    found = field_values(order, name)
    try:
        operator = Operator(condition.get("operator"))
    except ValueError:
        return ConditionResult(name, str(condition.get("operator")), value, found, False)
    if operator is Operator.IS_EMPTY:
        matched = not found
    elif operator is Operator.IS_NOT_EMPTY:
        matched = bool(found)
    elif operator is Operator.NOT_EQUALS:
        matched = not any(_compare(operator, f, value) for f in found)
    else:
        matched = any(_compare(operator, f, value) for f in found)
    return ConditionResult(name, operator.value, value, found, matched)


def check_rule(rule: InboxRule, order: InboxOrder) -> RuleMatch:
    """The rule's conditions checked against ``order``; a rule without conditions matches."""
    results = tuple(check_condition(order, c) for c in rule.conditions)
    verdicts = [r.matched for r in results]
    matched = all(verdicts) if rule.match_all else (any(verdicts) or not verdicts)
    return RuleMatch(rule, matched, results)


def rules_for(session: Session, event: str) -> list[InboxRule]:
    """The enabled rules for ``event``, in the order they run."""
    return list(
        session.scalars(
            select(InboxRule)
            .where(InboxRule.event == str(event), InboxRule.enabled.is_(True))
            .order_by(InboxRule.position, InboxRule.id)
        )
    )


@dataclass
class _Chain:
    """Rules run because of one first event, and the actions' events after it."""

    depth: int = 0
    fired: set[tuple[int, int]] = field(default_factory=set)  # (rule id, order id)
    noted: set[tuple[int, int]] = field(default_factory=set)  # "already ran" logged
    halted: bool = False  # the guard stopped it: no rule runs again until it ends


_CHAIN: ContextVar[_Chain | None] = ContextVar("inbox_rule_chain", default=None)


@contextmanager
def _level() -> Iterator[_Chain]:
    """One level deeper in the current chain (a new chain for a first event)."""
    chain = _CHAIN.get()
    token = None
    if chain is None:
        chain = _Chain()
        token = _CHAIN.set(chain)
    chain.depth += 1
    try:
        yield chain
    finally:
        chain.depth -= 1
        if token is not None:
            _CHAIN.reset(token)


def run_rules(session: Session, order: InboxOrder, event: str, *, at: datetime) -> None:
    """Run the enabled rules for ``event`` that ``order`` matches, in order, and log each."""
    with session.no_autoflush:
        rules = rules_for(session, event)
    if not rules:
        return
    with _level() as chain:
        for rule in rules:
            if chain.halted or not check_rule(rule, order).matched:
                continue
            if (rule.id, order.id) in chain.fired:
                if (rule.id, order.id) in chain.noted:
                    continue  # said once per chain is enough
                chain.noted.add((rule.id, order.id))
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
            if chain.depth > MAX_DEPTH:
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
            chain.fired.add((rule.id, order.id))
            _fire(session, rule, order, event, at)


def _fire(session: Session, rule: InboxRule, order: InboxOrder, event: str, at: datetime) -> None:
    done: list[str] = []
    for step in rule.actions:
        try:
            done.append(do_action(session, order, step, at=at, actor=f"rule: {rule.name}"))
        except ActionFailed as problem:
            log.warning("inbox rule %s on order %s failed: %s", rule.id, order.id, problem)
            detail = "; ".join([*done, f"failed: {problem}"])
            _log(session, rule, order, event, at, RuleOutcome.FAILED, detail)
            return
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


def do_action(
    session: Session, order: InboxOrder, step: Mapping[str, Any], *, at: datetime, actor: str
) -> str:
    """Do one ``{action, argument}`` on ``order``; what was done, or ActionFailed."""
    # Imported here: these services log events, and logging an event runs the rules.
    from station.inbox.folders import move_order
    from station.inbox.notes import add_note, add_tag
    from station.inbox.submit import schedule_submission

    argument = str(step.get("argument", "") or "").strip()
    try:
        action = Action(step.get("action"))
    except ValueError as unknown:
        raise ActionFailed(f"there is no action {step.get('action')!r}") from unknown
    try:
        if action is Action.SUBMIT:
            refused = sum(
                1
                for event in order.events
                if event.kind in REFUSALS and RESUBMIT_DETAIL not in (event.detail or {})
            )
            if refused >= MAX_RULE_RESUBMITS:
                raise ActionFailed(
                    f"the order was refused {refused} times for reasons a person must fix "
                    "(its SKUs, lines or branch, Cin7's own reason, the Cin7 login); rules "
                    "no longer send it (submit it from its page once it is fixed)"
                )
            session.flush()
            ids = schedule_submission(session, [order.id], at=at, actor=actor)
            session.info.setdefault(SUBMIT_KEY, []).extend(ids)
            return "scheduled to Cin7" if ids else "already in Cin7"
        if action is Action.MOVE:
            folder = session.scalar(
                select(InboxFolder).where(func.lower(InboxFolder.name) == argument.lower())
            )
            if folder is None:
                raise ActionFailed(f"there is no folder called {argument!r}")
            move_order(session, order, folder, at=at, actor=actor)
            return f"moved to {folder.name}"
        if action is Action.SET_CHECKOUT:
            name, _, value = argument.partition("=")
            fields, problems = read_checkout({name.strip(): value.strip()})
            if problems or not fields:
                why = "; ".join(f"{k} {', '.join(v)}" for k, v in problems.items())
                raise ActionFailed(why or "write the field as Name=value")
            order.checkout = {**order.checkout, **fields}
            return "set " + ", ".join(f"{k} to {v}" for k, v in fields.items())
        if action is Action.ADD_NOTE:
            add_note(session, order, argument, at=at, actor=actor)
            return "added a note"
        if action is Action.ADD_TAG:
            added = add_tag(session, order, argument, at=at, actor=actor)
            return f"tagged {argument}" if added else f"already tagged {argument}"
        return _queue_webhook(session, order, argument, at=at, actor=actor)
    except NoteInvalid as problem:
        raise ActionFailed(str(problem)) from problem


def _queue_webhook(
    session: Session, order: InboxOrder, url: str, *, at: datetime, actor: str
) -> str:
    """Record the call for the delivery job; the address is checked when it is posted."""
    if not url.startswith(("http://", "https://")):
        raise ActionFailed("a webhook needs an http:// or https:// address")
    queue_webhook(session, order, url, at=at, queued_by=actor)
    return f"queued a webhook to {masked_url(url)}"


def scheduled_by_rules(session: Session) -> list[int]:
    """The order ids rules scheduled to Cin7 since the last call (to queue after commit).

    A request queues them at once; a job leaves them to the periodic sweep of scheduled
    orders (``submit.scheduled_submissions``), which finds them by their mark in the
    database whoever scheduled them.
    """
    return session.info.pop(SUBMIT_KEY, [])
