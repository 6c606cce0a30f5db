"""The rules' action table: what each action does to an order, and the events it logged.

Each action changes the order through ``changes`` (or queues a webhook) and answers what
it did, in words for the rule log, with the events it appended. It runs no rules: the
bus settles those events within the rule's chain. An action that cannot be done raises
:class:`ActionFailed`; the rule stops there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from station.inbox import changes
from station.inbox.checkout import read_checkout
from station.inbox.errors import NoteInvalid
from station.inbox.masked_urls import masked_url
from station.inbox.resubmit import RESUBMIT_DETAIL
from station.inbox.rules import Action
from station.inbox.webhooks import queue_webhook
from station.models import InboxEvent, InboxEventKind, InboxFolder, InboxOrder

# Refusals that need a person after which rules stop scheduling an order again (a rule
# that resubmits on *Not submitted* would otherwise send a hopeless order every minute); a
# person still can. A refusal because Cin7 failed (an outage) does not count: Station
# sends that order again by itself, waiting longer each time, and marks the refusal's
# event detail with RESUBMIT_DETAIL.
MAX_RULE_RESUBMITS = 3
REFUSALS = frozenset(
    {
        InboxEventKind.NOT_SUBMITTED_ERROR,
        InboxEventKind.NOT_SUBMITTED_INVALID_SKU,
        InboxEventKind.NOT_SUBMITTED_NO_PRODUCTS,
    }
)


class ActionFailed(Exception):
    """An action could not be done; the message says why, for the rule log."""


@dataclass(frozen=True, slots=True)
class Done:
    """What an action did, for the rule log, the events it appended (to settle), webhooks queued."""

    what: str
    events: tuple[InboxEvent, ...] = ()
    webhooks: int = 0


@dataclass(frozen=True, slots=True)
class Step:
    """One action of a rule, on one order, on behalf of the rule (``by``, as events name it)."""

    session: Session
    order: InboxOrder
    argument: str
    at: datetime
    by: str


def _logged(what: str, event: InboxEvent | None) -> Done:
    return Done(what, (event,) if event is not None else ())


def _submit(step: Step) -> Done:
    refused = sum(
        1
        for event in step.order.events
        if event.kind in REFUSALS and RESUBMIT_DETAIL not in (event.detail or {})
    )
    if refused >= MAX_RULE_RESUBMITS:
        raise ActionFailed(
            f"the order was refused {refused} times for reasons a person must fix "
            "(its SKUs, lines or branch, Cin7's own reason, the Cin7 login); rules "
            "no longer send it (submit it from its page once it is fixed)"
        )
    event = changes.schedule(step.session, step.order, at=step.at, by=step.by)
    return _logged("scheduled to Cin7" if event else "already in Cin7", event)


def _move(step: Step) -> Done:
    folder = step.session.scalar(
        select(InboxFolder).where(func.lower(InboxFolder.name) == step.argument.lower())
    )
    if folder is None:
        raise ActionFailed(f"there is no folder called {step.argument!r}")
    event = changes.move(step.session, step.order, folder, at=step.at, by=step.by)
    return _logged(f"moved to {folder.name}", event)


def _set_checkout(step: Step) -> Done:
    name, _, value = step.argument.partition("=")
    fields, problems = read_checkout({name.strip(): value.strip()})
    if problems or not fields:
        why = "; ".join(f"{k} {', '.join(v)}" for k, v in problems.items())
        raise ActionFailed(why or "write the field as Name=value")
    step.order.checkout = {**step.order.checkout, **fields}
    return Done("set " + ", ".join(f"{k} to {v}" for k, v in fields.items()))


def _add_note(step: Step) -> Done:
    event = changes.note(step.session, step.order, step.argument, at=step.at, by=step.by)
    return _logged("added a note", event)


def _add_tag(step: Step) -> Done:
    event = changes.tag(step.session, step.order, step.argument, at=step.at, by=step.by)
    what = f"tagged {step.argument}" if event else f"already tagged {step.argument}"
    return _logged(what, event)


def _webhook(step: Step) -> Done:
    """Record the call for the delivery job; the address is checked when it is posted."""
    url = step.argument
    if not url.startswith(("http://", "https://")):
        raise ActionFailed("a webhook needs an http:// or https:// address")
    queue_webhook(step.session, step.order, url, at=step.at, queued_by=step.by)
    return Done(f"queued a webhook to {masked_url(url)}", webhooks=1)


ACTIONS: Mapping[Action, Callable[[Step], Done]] = {
    Action.SUBMIT: _submit,
    Action.MOVE: _move,
    Action.SET_CHECKOUT: _set_checkout,
    Action.ADD_NOTE: _add_note,
    Action.ADD_TAG: _add_tag,
    Action.WEBHOOK: _webhook,
}


def do_action(
    session: Session, order: InboxOrder, step: Mapping[str, Any], *, at: datetime, by: str
) -> Done:
    """Do one ``{action, argument}`` on ``order``: what was done, or ActionFailed."""
    argument = str(step.get("argument", "") or "").strip()
    try:
        action = Action(step.get("action"))
    except ValueError as unknown:
        raise ActionFailed(f"there is no action {step.get('action')!r}") from unknown
    try:
        return ACTIONS[action](Step(session, order, argument, at, by))
    except NoteInvalid as problem:
        raise ActionFailed(str(problem)) from problem
