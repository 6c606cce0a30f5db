"""Finding and listing Station's copies of sales orders."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from math import ceil
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session

from station.days import parse_day
from station.dispatch.checks import ShipRules, Verdict, verdict_clause
from station.ids import parse_id
from station.listing import LIKE_ESCAPE, contains
from station.models import Consignment, ConsignmentState, SalesOrder
from station.text import search_fold

# The stage filter's value for void orders (Cin7 keeps the stage; Station shows "Void").
VOID_STAGE = "Void"
# The "Can ship" filter's values (``blocked=``): yes, no (ready to ship), or confirm first.
# The query-string arguments ``filters_from_args`` reads (the list's filters and search).
FILTER_ARGS = ("q", "stage", "branch", "from", "to", "blocked", "consigned")
CAN_SHIP_ARGS = {"yes": Verdict.BLOCKED, "no": Verdict.READY, "confirm": Verdict.CONFIRM}


@dataclass(frozen=True, slots=True)
class OrderPage:
    """One page of an order listing."""

    orders: list[SalesOrder]
    page: int
    per_page: int
    total: int
    query: str
    filters: OrderFilters = field(default_factory=lambda: OrderFilters())
    capped: bool = False  # more than COUNT_CAP matched: ``total`` is COUNT_CAP
    more: bool = False  # a later page has orders
    asked: int = 0  # the page the link asked for (``page`` is where it landed)

    @property
    def total_label(self) -> str:
        """The match count as people read it: "1,234" or "10,000+"."""
        return f"{self.total:,}+" if self.capped else f"{self.total:,}"

    @property
    def pages(self) -> int | None:
        """How many pages the listing has (at least one); None when the count was capped."""
        return None if self.capped else max(1, ceil(self.total / self.per_page))

    @property
    def past_end(self) -> bool:
        """True when the page asked for lies past the last one, so the list says so.

        A counted list lands on its last page; a capped one (its last page unknown) finds
        no rows there. Either way the page names the page asked for and how many match.
        With nothing matching, "nothing matches" is the whole story.
        """
        landed_short = self.asked > self.page
        return self.total > 0 and (landed_short or (self.capped and not self.orders))

    @property
    def has_next(self) -> bool:
        """True when a later page exists."""
        return self.more

    @property
    def has_prev(self) -> bool:
        """True when an earlier page exists."""
        return self.page > 1


@dataclass(frozen=True, slots=True)
class OrderFilters:
    """What the order list is narrowed to; every field optional."""

    query: str = ""
    stage: str = ""
    branch_id: int | None = None
    created_from: date | None = None
    created_to: date | None = None
    can_ship: Verdict | None = None  # what the bench would do with the order now
    consigned: bool | None = None  # True: has a live consignment; False: has none

    @property
    def narrowed(self) -> bool:
        """True when a filter other than the search narrows the list."""
        return self != OrderFilters(query=self.query)


# Filtered counts stop here: counting every one of 50,000 matches to print "50,000"
# costs more than the page itself, and nobody pages that far.
COUNT_CAP = 10_000
# Past this many matches the newest page is read off the modified-date index, which stops
# after a page; below it the matches are read once and sorted, which beats walking the
# whole index to find a few rows.
INDEX_WALK_FROM = 2000
MAX_PAGE = 1_000_000  # far past any page a person reaches by clicking "next"


def list_orders(
    session: Session,
    filters: OrderFilters | None = None,
    *,
    page: int = 1,
    per_page: int = 50,
    rules: ShipRules | None = None,
) -> OrderPage:
    """Orders matching ``filters``, newest edits first.

    The search matches a substring of reference, customer order number, names, companies,
    email and postcode (``SalesOrder.search_text``), in any case and with or without
    accents.
    """
    filters = filters or OrderFilters()
    query = filters.query.strip()[:100]
    conditions = _conditions(filters, query, rules=rules or ShipRules())
    if conditions:
        matching = select(SalesOrder.id).where(*conditions).limit(COUNT_CAP + 1).subquery()
        total = session.scalar(select(func.count()).select_from(matching)) or 0
    else:
        total = session.scalar(select(func.count(SalesOrder.id))) or 0
    capped = bool(conditions) and total > COUNT_CAP
    total = min(total, COUNT_CAP) if capped else total
    # A page past the end shows the last one; past a capped count "next" keeps working
    # up to MAX_PAGE, which keeps the offset a number the database takes.
    asked = max(1, page)
    page = min(asked, MAX_PAGE if capped else max(1, ceil(total / per_page)))
    newest = (SalesOrder.cin7_modified.desc(), SalesOrder.id.desc())
    offset = (page - 1) * per_page
    if total >= INDEX_WALK_FROM or not conditions:
        stmt = select(SalesOrder).where(*conditions).order_by(*newest)
        orders = list(session.scalars(stmt.limit(per_page + 1).offset(offset)))
    else:
        keys = session.execute(
            select(SalesOrder.id, SalesOrder.cin7_modified).where(*conditions)
        ).all()
        keys.sort(key=lambda k: (k.cin7_modified, k.id), reverse=True)
        wanted = [k.id for k in keys[offset : offset + per_page + 1]]
        found = {
            o.id: o for o in session.scalars(select(SalesOrder).where(SalesOrder.id.in_(wanted)))
        }
        orders = [found[i] for i in wanted if i in found]
    return OrderPage(
        orders=orders[:per_page],
        page=page,
        per_page=per_page,
        total=total,
        query=query,
        filters=filters,
        capped=capped,
        more=len(orders) > per_page,
        asked=asked,
    )


def matching_order_ids(
    session: Session,
    filters: OrderFilters,
    *,
    rules: ShipRules | None = None,
    limit: int,
) -> list[int]:
    """The ids of at most ``limit`` orders matching ``filters``, in the list's order
    (newest edits first), so "the first N that match" are the first N the list shows.
    """
    conditions = _conditions(filters, filters.query.strip()[:100], rules=rules or ShipRules())
    stmt = (
        select(SalesOrder.id)
        .where(*conditions)
        .order_by(SalesOrder.cin7_modified.desc(), SalesOrder.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def _conditions(
    filters: OrderFilters, query: str, *, rules: ShipRules
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query:
        conditions.append(
            SalesOrder.search_text.like(contains(search_fold(query)), escape=LIKE_ESCAPE)
        )
    if filters.stage:
        conditions.append(
            SalesOrder.is_void.is_(True)
            if filters.stage == VOID_STAGE
            else SalesOrder.stage == filters.stage
        )
    if filters.branch_id is not None:
        conditions.append(SalesOrder.branch_id == filters.branch_id)
    if filters.created_from is not None:
        conditions.append(SalesOrder.cin7_created >= _midnight(filters.created_from))
    if filters.created_to is not None:
        conditions.append(
            SalesOrder.cin7_created < _midnight(filters.created_to + timedelta(days=1))
        )
    if filters.can_ship is not None:
        conditions.append(verdict_clause(filters.can_ship, rules))
    if filters.consigned is not None:
        live = exists().where(
            Consignment.order_id == SalesOrder.id,
            Consignment.is_return.is_(False),
            Consignment.state.in_([ConsignmentState.PENDING, ConsignmentState.CREATED]),
        )
        conditions.append(live if filters.consigned else ~live)
    return conditions


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def filters_from_args(args: Mapping[str, str]) -> tuple[OrderFilters, list[str]]:
    """Filters from a query string, and a message for each value that could not be read.

    Unreadable values are dropped (the list stays usable) rather than failing the page.
    """
    problems: list[str] = []

    def day(name: str, label: str) -> date | None:
        text = (args.get(name) or "").strip()
        if not text:
            return None
        try:
            return parse_day(text)
        except ValueError as exc:
            problems.append(f"{label} {text!r} {exc}; it was ignored.")
            return None

    def yes_no(name: str) -> bool | None:
        return {"yes": True, "no": False}.get((args.get(name) or "").strip().lower())

    branch_text = (args.get("branch") or "").strip()
    branch = parse_id(branch_text)
    if branch_text and branch is None:
        problems.append(f"Branch {branch_text!r} is not a Cin7 branch id; it was ignored.")
    filters = OrderFilters(
        query=(args.get("q") or "").strip()[:100],
        stage=(args.get("stage") or "").strip()[:64],
        branch_id=branch,
        created_from=day("from", "From"),
        created_to=day("to", "To"),
        can_ship=CAN_SHIP_ARGS.get((args.get("blocked") or "").strip().lower()),
        consigned=yes_no("consigned"),
    )
    return filters, problems


def filter_choices(session: Session) -> dict[str, list[Any]]:
    """The stages and branches present in Station's orders, for the filter menus."""
    stages = session.scalars(
        select(SalesOrder.stage)
        .where(SalesOrder.stage.is_not(None))
        .distinct()
        .order_by(SalesOrder.stage)
    )
    branches = session.scalars(
        select(SalesOrder.branch_id)
        .where(SalesOrder.branch_id.is_not(None))
        .distinct()
        .order_by(SalesOrder.branch_id)
    )
    return {"stages": [*stages, VOID_STAGE], "branches": list(branches)}
