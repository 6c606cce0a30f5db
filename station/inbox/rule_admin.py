"""Keeping inbox rules: list, save (checked), enable, reorder and delete; and a rule log.

``keep_rule``, ``toggle_rule``, ``reorder_rule`` and ``remove_rule`` are a manager's
commands: each one unit of work, audited and committed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from station import audit
from station.inbox.checkout import CIN7_FIELDS
from station.inbox.errors import RuleInvalid
from station.inbox.rules import (
    CHECKOUT_PREFIX,
    FIELDS,
    OPERATOR_NAMES,
    Action,
    Operator,
    as_number,
)
from station.models import InboxEventKind, InboxFolder, InboxRule, InboxRuleRun, User
from station.uow import UnitOfWork

MAX_NAME = 64
MAX_VALUE = 255
# What the form offers for a condition's field; any ``checkout.<name>`` is accepted too.
FIELD_CHOICES = (*FIELDS, *(f"{CHECKOUT_PREFIX}{name}" for name in CIN7_FIELDS))
NEEDS_NO_VALUE = (Operator.IS_EMPTY, Operator.IS_NOT_EMPTY)


@dataclass(frozen=True, slots=True)
class RuleDraft:
    """A rule as typed into the form; empty condition and action rows are left out."""

    name: str
    event: str
    match_all: bool = True
    conditions: Sequence[Mapping[str, str]] = field(default_factory=tuple)
    actions: Sequence[Mapping[str, str]] = field(default_factory=tuple)
    enabled: bool = True


def list_rules(session: Session) -> list[InboxRule]:
    """Every rule in the order they run."""
    return list(session.scalars(select(InboxRule).order_by(InboxRule.position, InboxRule.id)))


def save_rule(session: Session, draft: RuleDraft, rule: InboxRule | None = None) -> InboxRule:
    """Check ``draft`` and store it (as a new last rule, or over ``rule``); RuleInvalid if wrong."""
    name = " ".join(draft.name.split())
    if not name or len(name) > MAX_NAME:
        raise RuleInvalid(f"A rule needs a name of 1 to {MAX_NAME} characters.")
    if draft.event not in set(InboxEventKind):
        raise RuleInvalid("Choose the event the rule runs on.")
    conditions = [_condition(row) for row in draft.conditions if row.get("field", "").strip()]
    actions = [_action(session, row) for row in draft.actions if row.get("action", "").strip()]
    if not actions:
        raise RuleInvalid("A rule needs at least one action.")
    if rule is None:
        last = session.scalar(select(func.max(InboxRule.position)))
        rule = InboxRule(position=(last or 0) + 1)
        session.add(rule)
    rule.name, rule.event, rule.match_all = name, draft.event, draft.match_all
    rule.conditions, rule.actions, rule.enabled = conditions, actions, draft.enabled
    session.flush()
    return rule


def _condition(row: Mapping[str, str]) -> dict[str, str]:
    name = row.get("field", "").strip()
    value = row.get("value", "").strip()
    known = name.lower() in FIELDS or (
        name.lower().startswith(CHECKOUT_PREFIX) and len(name) > len(CHECKOUT_PREFIX)
    )
    if not known:
        raise RuleInvalid(
            f"{name} is not a field rules can read: use {', '.join(FIELDS)} or checkout.<name>."
        )
    try:
        operator = Operator(row.get("operator", ""))
    except ValueError as unknown:
        raise RuleInvalid(f"Choose how to compare {name}.") from unknown
    if operator not in NEEDS_NO_VALUE and not value:
        raise RuleInvalid(f"Type the value {name} is compared with.")
    if len(value) > MAX_VALUE:
        raise RuleInvalid(f"A value is at most {MAX_VALUE} characters.")
    if operator in (Operator.GREATER_THAN, Operator.LESS_THAN) and as_number(value) is None:
        raise RuleInvalid(
            f"{name} {OPERATOR_NAMES[operator]} a number: type one, such as 100 or 49.95."
        )
    return {"field": name, "operator": operator.value, "value": value}


def _action(session: Session, row: Mapping[str, str]) -> dict[str, str]:
    try:
        action = Action(row.get("action", ""))
    except ValueError as unknown:
        raise RuleInvalid("Choose an action from the list.") from unknown
    argument = row.get("argument", "").strip()
    if len(argument) > MAX_VALUE:
        raise RuleInvalid(f"An action's argument is at most {MAX_VALUE} characters.")
    if action is Action.MOVE and not session.scalar(
        select(InboxFolder.id).where(func.lower(InboxFolder.name) == argument.lower())
    ):
        raise RuleInvalid(f"There is no folder called {argument!r} to move orders to.")
    if action is Action.SET_CHECKOUT and "=" not in argument:
        raise RuleInvalid("Write the checkout field as Name=value, for example Stage=Packed.")
    if action in (Action.ADD_NOTE, Action.ADD_TAG) and not argument:
        raise RuleInvalid("Type the note or tag to add.")
    if action is Action.WEBHOOK and not argument.startswith(("http://", "https://")):
        raise RuleInvalid("A webhook needs an http:// or https:// address.")
    return {"action": action.value, "argument": argument}


def move_rule(session: Session, rule: InboxRule, step: int) -> bool:
    """Move ``rule`` one place up (-1) or down (+1); False when it is at that end already."""
    rules = list_rules(session)
    here = rules.index(rule)
    there = here + step
    if not 0 <= there < len(rules):
        return False
    rules[here], rules[there] = rules[there], rules[here]
    for position, each in enumerate(rules, start=1):
        each.position = position
    return True


def delete_rule(session: Session, rule: InboxRule) -> None:
    """Remove the rule; its log rows stay, with its name."""
    session.delete(rule)


def keep_rule(actor: User | None, draft: RuleDraft, rule: InboxRule | None = None) -> InboxRule:
    """``actor`` saves a rule, new or over ``rule`` (audited); RuleInvalid changes nothing."""
    with UnitOfWork(actor) as uow:
        saved = save_rule(uow.session, draft, rule)
        uow.record("inbox.rule_saved", target=_target(saved))
        uow.commit()
    return saved


def toggle_rule(actor: User | None, rule: InboxRule) -> bool:
    """``actor`` turns a rule on or off (audited); whether it is on now."""
    with UnitOfWork(actor) as uow:
        rule.enabled = not rule.enabled
        uow.record(
            "inbox.rule_enabled" if rule.enabled else "inbox.rule_disabled", target=_target(rule)
        )
        uow.commit()
    return rule.enabled


def reorder_rule(actor: User | None, rule: InboxRule, step: int) -> bool:
    """``actor`` runs a rule one place earlier (-1) or later (1), audited; False at that end."""
    with UnitOfWork(actor) as uow:
        moved = move_rule(uow.session, rule, step)
        if moved:
            uow.record("inbox.rule_moved", target=_target(rule))
            uow.commit()
    return moved


def remove_rule(actor: User | None, rule: InboxRule) -> str:
    """``actor`` deletes a rule (audited; its log stays on the orders); its name."""
    name = rule.name
    with UnitOfWork(actor) as uow:
        uow.record("inbox.rule_deleted", target=_target(rule))
        delete_rule(uow.session, rule)
        uow.commit()
    return name


def _target(rule: InboxRule) -> audit.Target:
    return audit.Target("inbox_rule", rule.id, rule.name)


def rule_log(session: Session, order_id: int) -> list[InboxRuleRun]:
    """The rules fired on one order, oldest first."""
    return list(
        session.scalars(
            select(InboxRuleRun)
            .where(InboxRuleRun.order_id == order_id)
            .order_by(InboxRuleRun.fired_at, InboxRuleRun.id)
        )
    )
