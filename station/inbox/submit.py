"""Submitting inbox orders to Cin7: checked first, sent in batches, never made twice.

One run, for the orders it is given:

1. **Claim** each order (``submitting_since``) and give it a submission key, committed
   before anything is sent (see ``claims``). The key goes to Cin7 as the order's
   ``reference``. A run a sweep started claims only orders still due for that sweep.
2. **Check** without Cin7: an order with no line Cin7 could fulfil is refused (*no
   products are available*).
3. **Ask Cin7** (reads only, nothing written meanwhile): which SKUs it has (as many SKUs
   a call as one ``where`` filter takes, see ``cin7.filters``), whether orders retried after an earlier attempt already
   exist there (by reference), and whether each ``BranchId`` is one of its branches.
4. **Decide**: an order Cin7 already has is taken as submitted (never sent again); one
   naming SKUs Cin7 lacks is refused (*invalid SKU*, the SKUs named); an unknown branch
   is a *general error*. The rest get *Before order submitted*; then commit.
5. **Send** in batches of 250 and read Cin7's answer per order: *After order submitted*
   and the after-import folder, or a *general error* and the Errors folder. A batch whose
   outcome is unknown (timeout, 5xx) is a general error; the orders keep their key, so
   the next run looks them up before sending them again.

``schedule_submission`` marks orders scheduled (``scheduled_at``) in the caller's
transaction; a run clears the mark when it makes or refuses the order. Whatever is still
marked and held by no run is what ``scheduled_submissions`` hands the periodic sweep, so
an order scheduled where nothing queued its run (a rule fired inside a job) or whose
queued run was lost still reaches Cin7; an order whose run was cut off is left to the
resubmission sweep.

When Cin7 itself failed (5xx, 429, a timeout, a reply that is not JSON) the order also
gets a time to be sent again by itself (``resubmit``). A run renews its claims as it
goes, so only a run cut off by a dying worker leaves a claim to lapse after the lease.
The resubmission sweep picks up both.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from station.cin7.client import MAX_ROWS, Cin7Client, Deadline
from station.cin7.errors import Cin7BadResponse, Cin7Error, Cin7RateLimited, Cin7Unavailable
from station.cin7.filters import in_filters
from station.inbox import changes
from station.inbox.branches import BranchCheck
from station.inbox.bus import Settled, record_event, settle
from station.inbox.checkout import BRANCH_ID
from station.inbox.cin7_order import order_skus, sales_order_item, sendable_lines
from station.inbox.claims import Claims, Trigger, claim, release, renew
from station.inbox.folders import DefaultFolder, Step, default_folder, move_order, step_folder
from station.inbox.options import InboxOptions
from station.inbox.products import ProductRules, product_rules
from station.inbox.resubmit import MAX_PER_SWEEP, RESUBMIT_DETAIL, RetryTiming
from station.models import InboxEventKind, InboxFolder, InboxOrder
from station.settings import SettingsStore
from station.sitetime import SECONDS, said

log = logging.getLogger(__name__)

# Failures of Cin7 rather than of the order: sending the order later may well work.
CIN7_FAILURES = (Cin7Unavailable, Cin7RateLimited, Cin7BadResponse)
ClientFactory = Callable[[], AbstractContextManager[Cin7Client]]
Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class SubmitOutcome:
    """Which orders are in Cin7 now, which were refused, and which this run left alone."""

    submitted: tuple[int, ...] = ()
    refused: tuple[int, ...] = ()
    skipped: tuple[int, ...] = ()  # already in Cin7, or being submitted by another run
    webhooks: int = 0  # webhooks the rules queued meanwhile (start a delivery pass)


@dataclass
class _Run:
    """One submission run: the session, the settings and who asked (``by``, as events say)."""

    session: Session
    options: InboxOptions
    now: Clock
    by: str
    rules: ProductRules
    timing: RetryTiming
    claims: Claims
    submitted: list[int] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)
    webhooks: int = 0  # queued by the rules its events ran

    def renew(self) -> set[int]:
        """Renew every claim the run still holds (after each Cin7 call); their ids."""
        return renew(self.session, self.claims, now=self.now())

    def still_held(self, orders: Iterable[InboxOrder]) -> list[InboxOrder]:
        """Renew the run's claims; those of ``orders`` no other run took over meanwhile.

        Called before writing any outcome, so the run never overwrites another run's.
        """
        kept = self.renew()
        return [o for o in orders if o.id in kept]

    def event(
        self, order: InboxOrder, kind: InboxEventKind, message: str, **detail: object
    ) -> None:
        self._rules_did(
            record_event(
                self.session, order, kind, message, at=self.now(), by=self.by, detail=detail
            )
        )

    def move(self, order: InboxOrder, folder: InboxFolder) -> None:
        """Move the order (and run the rules for *Moved*)."""
        self._rules_did(move_order(self.session, order, folder, at=self.now(), by=self.by))

    def _rules_did(self, settled: Settled | None) -> None:
        # A run is a job: the orders rules scheduled are left to the periodic sweep.
        self.webhooks += settled.webhooks if settled is not None else 0

    def refuse(
        self,
        order: InboxOrder,
        kind: InboxEventKind,
        message: str,
        *,
        retry: bool = False,
        **detail: object,
    ) -> None:
        """Log why Cin7 did not get the order and move it to Errors (to send later if ``retry``)."""
        if retry:
            order.submit_failures += 1
            order.resubmit_at = self.timing.retry_at(order.submit_failures, self.now())
            message += f" Station sends it again by itself at {said(order.resubmit_at, SECONDS)}."
            detail[RESUBMIT_DETAIL] = order.resubmit_at.isoformat()  # not counted by rules
        else:
            order.submit_failures, order.resubmit_at = 0, None
        order.error, order.submitting_since = message, None
        self.claims.finished.add(order.id)
        _settled(order)  # before the event: a rule it runs may schedule the order again
        self.event(order, kind, message, **detail)
        errors = default_folder(self.session, DefaultFolder.ERRORS)
        self.move(order, errors)
        self.refused.append(order.id)

    def done(self, order: InboxOrder, cin7_id: int, reference: str, message: str) -> None:
        """Record the Cin7 order and move to the after-import folder."""
        order.cin7_id, order.cin7_reference = cin7_id, reference
        order.submitted_at, order.error = self.now(), None
        order.submit_failures, order.resubmit_at, order.submitting_since = 0, None, None
        self.claims.finished.add(order.id)
        _settled(order)
        self.event(order, InboxEventKind.AFTER_SUBMIT, message, cin7_id=cin7_id)
        folder = step_folder(self.session, self.options, Step.AFTER_IMPORT)
        self.move(order, folder)
        self.submitted.append(order.id)


def schedule_submission(
    session: Session, order_ids: Iterable[int], *, at: datetime, by: str
) -> tuple[list[int], Settled]:
    """Log *Order scheduled to Cin7* on each order not in Cin7 yet.

    Answers their ids (to submit) and what the rules for the event left for jobs.
    """
    orders = session.scalars(
        select(InboxOrder)
        .where(InboxOrder.id.in_(set(order_ids)), InboxOrder.cin7_id.is_(None))
        .order_by(InboxOrder.id)
    ).all()
    settled = Settled()
    for order in orders:
        settled += settle(session, order, changes.schedule(session, order, at=at, by=by))
    return [order.id for order in orders], settled


def scheduled_submissions(
    session: Session, *, now: datetime, limit: int = MAX_PER_SWEEP
) -> dict[str, list[int]]:
    """Orders scheduled to Cin7 that no run has made or refused yet, by who scheduled them.

    Only orders no run holds: a live run finishes its own, and a claim that lapsed (its
    worker died) is the resubmission sweep's, so the two sweeps never queue runs for the
    same cut-off order. An order waiting to be sent again after Cin7 failed waits for its
    ``resubmit_at`` even when a rule scheduled it again meanwhile. At most ``limit``
    orders, oldest first; the next sweep takes more.
    """
    rows = session.execute(
        select(InboxOrder.id, InboxOrder.scheduled_by)
        .where(
            InboxOrder.scheduled_at.is_not(None),
            InboxOrder.cin7_id.is_(None),
            InboxOrder.submitting_since.is_(None),
            or_(InboxOrder.resubmit_at.is_(None), InboxOrder.resubmit_at <= now),
        )
        .order_by(InboxOrder.id)
        .limit(limit)
    )
    found: dict[str, list[int]] = {}
    for order_id, by in rows:
        found.setdefault(by or "", []).append(order_id)
    return found


def submit_orders(
    session: Session,
    connect: ClientFactory,
    order_ids: Iterable[int],
    *,
    options: InboxOptions,
    now: Clock,
    by: str = "",
    timing: RetryTiming = RetryTiming(),
    trigger: Trigger = Trigger.MANUAL,
) -> SubmitOutcome:
    """Submit the orders to Cin7 (see the module's steps); commits as it goes.

    ``timing`` says when another run's claim has lapsed and when to send again after
    Cin7 failed; ``trigger`` which of the orders the run may take (see ``claims``).
    """
    claims = claim(session, order_ids, now=now(), lease=timing.lease, trigger=trigger)
    run = _Run(session, options, now, by, product_rules(session), timing, claims)
    try:
        orders = _load(session, claims.held)
        pending = [o for o in orders if _has_products(run, o)]
        if pending:
            _submit(run, connect, pending, claims.retried)
    except BaseException:
        session.rollback()
        raise
    finally:
        release(session, claims)
    skipped = (*claims.skipped, *sorted(claims.lost))
    return SubmitOutcome(tuple(run.submitted), tuple(run.refused), skipped, run.webhooks)


def _load(session: Session, ids: Sequence[int]) -> list[InboxOrder]:
    return list(
        session.scalars(select(InboxOrder).where(InboxOrder.id.in_(ids)).order_by(InboxOrder.id))
    )


def _has_products(run: _Run, order: InboxOrder) -> bool:
    if sendable_lines(order, run.rules):
        return True
    run.refuse(
        order,
        InboxEventKind.NOT_SUBMITTED_NO_PRODUCTS,
        "No line of this order has a SKU Cin7 should get (lines without a SKU and SKUs "
        "set not to be sent stay behind), so Cin7 has nothing to fulfil.",
    )
    return False


def _submit(run: _Run, connect: ClientFactory, orders: list[InboxOrder], retried: set[int]) -> None:
    run.session.commit()  # refusals so far; nothing may hold SQLite's write lock during calls
    try:
        with connect() as client:
            skus = set().union(*(order_skus(o, run.rules) for o in orders))
            codes = _cin7_codes(client, skus, after_each=run.renew)
            keys = [o.submission_key or "" for o in orders if o.id in retried]
            found = _in_cin7(client, keys, after_each=run.renew)
            branches = _cin7_branches(run, client, orders)
            orders = run.still_held(orders)
            ready = [o for o in orders if _decide(run, o, codes, found, branches)]
            run.session.commit()
            _send(run, client, ready, codes)
    except Cin7Error as exc:
        for order in run.still_held(orders):  # finished and taken-over orders are not held
            run.refuse(
                order,
                InboxEventKind.NOT_SUBMITTED_ERROR,
                f"Could not check the order with Cin7: {exc}",
                retry=isinstance(exc, CIN7_FAILURES),
            )
        run.session.commit()


def _cin7_codes(
    client: Cin7Client, skus: set[str], *, after_each: Callable[[], object]
) -> dict[str, str]:
    """Cin7's spelling of each SKU it has, keyed lower-cased (Cin7 matches codes in any case).

    ``after_each`` runs after each call (the run renews its claims there).
    """
    codes: dict[str, str] = {}
    for where in in_filters("code", sorted(skus)):
        for option in client.product_options(where=where):
            if option.code:
                codes[option.code.lower()] = option.code
        after_each()
    return codes


def _in_cin7(
    client: Cin7Client, keys: list[str], *, after_each: Callable[[], object]
) -> dict[str, tuple[int, str]]:
    """The Cin7 orders (id, reference) already made under these submission keys."""
    found: dict[str, tuple[int, str]] = {}
    for where in in_filters("reference", sorted(k for k in keys if k)):
        for sales_order in client.sales_orders(where=where):
            if sales_order.reference:
                found[sales_order.reference.lower()] = (sales_order.id, sales_order.reference)
        after_each()
    return found


def _cin7_branches(run: _Run, client: Cin7Client, orders: list[InboxOrder]) -> dict[str, bool]:
    """Whether Cin7 has each branch the orders name (False only when it surely has not)."""
    check = BranchCheck(SettingsStore(run.session), lambda: nullcontext(client), now=run.now())
    named = {o.checkout[BRANCH_ID] for o in orders if o.checkout.get(BRANCH_ID)}
    return {branch: check(int(branch)) is not False for branch in named}


def _decide(
    run: _Run,
    order: InboxOrder,
    codes: dict[str, str],
    found: dict[str, tuple[int, str]],
    branches: dict[str, bool],
) -> bool:
    """True when the order should be sent; otherwise it is recorded as in Cin7 or refused."""
    existing = found.get((order.submission_key or "").lower())
    if existing is not None:
        cin7_id, reference = existing
        run.done(
            order,
            cin7_id,
            reference,
            f"Found in Cin7 as {reference} (id {cin7_id}), made by an earlier attempt; "
            "not sent again.",
        )
        return False
    missing = sorted(sku for sku in order_skus(order, run.rules) if sku.lower() not in codes)
    if missing:
        run.refuse(
            order,
            InboxEventKind.NOT_SUBMITTED_INVALID_SKU,
            f"Cin7 has no product with SKU {', '.join(missing)}.",
            skus=missing,
        )
        return False
    branch = order.checkout.get(BRANCH_ID)
    if branch and not branches[branch]:
        run.refuse(
            order,
            InboxEventKind.NOT_SUBMITTED_ERROR,
            f"Cin7 has no branch with id {branch}; change the order's BranchId.",
        )
        return False
    lines = len(sendable_lines(order, run.rules))
    run.event(
        order,
        InboxEventKind.BEFORE_SUBMIT,
        f"Sending to Cin7 as {order.submission_key} ({lines} line{'s' if lines != 1 else ''}).",
    )
    return True


def _send(run: _Run, client: Cin7Client, orders: list[InboxOrder], codes: dict[str, str]) -> None:
    """POST the orders in batches; every order ends submitted or refused, committed per batch.

    Before each batch, and again with its answer, the run renews its claims; an order
    another run took over meanwhile is left to that run.
    """
    mail_class = run.options.default_mail_class
    remaining = orders
    while remaining := run.still_held(remaining):
        chunk, remaining = remaining[:MAX_ROWS], remaining[MAX_ROWS:]
        items = [
            sales_order_item(
                o,
                key=o.submission_key or "",
                codes=codes,
                default_mail_class=mail_class,
                rules=run.rules,
            )
            for o in chunk
        ]
        # The claims were renewed just now: no attempt may start once another run could
        # take them over, or both runs could make the order.
        deadline = Deadline(run.timing.send_by(run.claims.stamp), clock=run.now)
        try:
            results = client.create_sales_orders(items, deadline=deadline)
        except Cin7Error as exc:
            for order in run.still_held((*chunk, *remaining)):
                run.refuse(
                    order,
                    InboxEventKind.NOT_SUBMITTED_ERROR,
                    f"Cin7 did not confirm the order: {exc} Station looks it up in Cin7 "
                    "before sending it again, so it is never made twice.",
                    retry=isinstance(exc, CIN7_FAILURES),
                )
            run.session.commit()
            return
        held = {o.id for o in run.still_held(chunk)}
        for order, result in zip(chunk, results, strict=True):
            if order.id not in held:
                # Another run has it now and looks its key up in Cin7 before sending.
                log.warning("inbox order %s was taken over while Cin7 answered", order.id)
            elif result.success and result.id is not None:
                run.done(
                    order,
                    result.id,
                    order.submission_key or "",
                    f"Cin7 made sales order {order.submission_key} (id {result.id}).",
                )
            else:
                order.submission_key = None  # Cin7 made nothing: the next try starts afresh
                run.refuse(
                    order,
                    InboxEventKind.NOT_SUBMITTED_ERROR,
                    "Cin7 refused the order: " + ("; ".join(result.errors) or "no reason given"),
                    errors=list(result.errors),
                )
        run.session.commit()


def _settled(order: InboxOrder) -> None:
    """The order's schedule is done with: it is in Cin7, or a person (or rule) must act."""
    order.scheduled_at, order.scheduled_by = None, None
