"""Importing orders from a CSV file: one row per order line, rows grouped by ``order_id``.

Columns (header names in any letter case; ``docs/inbox.md`` describes each)::

    order_id, order_number, email, currency, shipping_method, delivery_instructions,
    first_name, last_name, company, phone, address1, address2, city, state, postcode,
    country, sku, name, quantity, unit_price, and any checkout field (BranchId, Stage ...)

Order-level columns may be left empty on an order's later rows. A row with a problem is
reported by its row number and its whole order is left out: an order is never imported
without one of its lines. Orders without problems are imported.

Orders are stored in short transactions (``Batching``), so a packer's scan or a shop's
post waits for one batch at most, never for the whole file; each order goes in whole, with
its event, in one of them. Interrupted, the batches committed stay, and importing the same
file again stores the rest: orders already kept come back as "already in the inbox".
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from station.inbox.bus import Settled
from station.inbox.checkout import CIN7_FIELDS, BranchLookup
from station.inbox.errors import CsvRejected, OrderConflict, OrderInvalid
from station.inbox.intake import Intake, take_order
from station.inbox.orders import OrderDraft, read_order
from station.models import InboxSource, User

MAX_CSV_BYTES = 10 * 1024 * 1024
ORDER_COLUMNS = ("order_number", "email", "currency", "shipping_method", "delivery_instructions")
PERSON_COLUMNS = ("first_name", "last_name", "company", "phone")
ADDRESS_COLUMNS = ("address1", "address2", "city", "state", "postcode", "country")
LINE_COLUMNS = ("sku", "name", "quantity", "unit_price")
KNOWN_COLUMNS = (
    "order_id",
    *ORDER_COLUMNS,
    *PERSON_COLUMNS,
    *ADDRESS_COLUMNS,
    *LINE_COLUMNS,
    *CIN7_FIELDS,
)
_CANONICAL = {name.lower(): name for name in KNOWN_COLUMNS}
# Columns one order's rows must agree on (a later row may leave them empty).
SHARED_COLUMNS = tuple(c for c in KNOWN_COLUMNS if c not in LINE_COLUMNS and c != "order_id")


@dataclass(frozen=True, slots=True)
class RowProblem:
    """What is wrong with one row (numbered as a spreadsheet shows it: the header is row 1)."""

    row: int
    message: str


@dataclass(frozen=True, slots=True)
class CsvReport:
    """What an import did: orders made, orders already there, and every row problem."""

    imported: tuple[str, ...]  # references of the orders made
    already_there: tuple[str, ...]
    left_out: int  # orders not imported because of a problem
    problems: tuple[RowProblem, ...]
    ignored_columns: tuple[str, ...]
    rules: Settled = Settled()  # what the orders' rules left for jobs (not kept)


@dataclass(frozen=True, slots=True)
class Batching:
    """How an import shares the database with the floor: short transactions, gaps between."""

    orders: int = 200  # at most this many orders per transaction
    seconds: float = 0.2  # ... and no longer than this: the longest a scan waits on the import
    # Seconds between transactions. SQLite wakes a waiting writer only every 100 ms or so,
    # and an import that starts its next batch at once can keep taking the lock first.
    pause: float = 0.0

    @classmethod
    def for_database(cls, dialect: str) -> Batching:
        """Gaps where writers wait on one lock (SQLite); none where they lock rows (PostgreSQL)."""
        return cls(pause=0.1 if dialect == "sqlite" else 0.0)


@dataclass(frozen=True, slots=True)
class _Row:
    number: int
    values: dict[str, str]  # the known columns under their canonical names
    raw: dict[str, str]  # every cell under its header, as the file had it


def import_csv(
    session: Session,
    data: bytes,
    *,
    shop: str,
    filename: str,
    now: datetime,
    actor: User | None,
    branch_known: BranchLookup | None = None,
    batching: Batching = Batching(),
    progress: Callable[[int], object] = lambda done: None,
    sleep: Callable[[float], object] = time.sleep,
) -> CsvReport:
    """Import every order of ``data`` that has no problem; raises CsvRejected for a bad file.

    Every order is read (and its branch checked with Cin7) before the first is stored, so
    no Cin7 call waits on the import's own database writes. Commits each batch of orders;
    ``progress(orders handled)`` is called in each batch's transaction as it begins and
    before it commits, so what it records is committed with those orders.
    """
    header, rows = _read(data)
    ignored = tuple(h for h in header if h.lower() not in _CANONICAL and h.strip())
    drafts, problems, left_out = _drafts(rows, branch_known)
    imported: list[str] = []
    already: list[str] = []
    settled = Settled()
    done = 0
    while done < len(drafts):
        if done and batching.pause:
            sleep(batching.pause)
        # First in the transaction: on SQLite a progress write opens it with BEGIN, so the
        # SAVEPOINT each order takes is nested (alone, its RELEASE would commit one order).
        progress(done)
        first, started = done, time.monotonic()
        batch_end = min(done + batching.orders, len(drafts))
        while done < batch_end and (done == first or _within(started, batching)):
            draft, group = drafts[done]
            done += 1
            try:
                intake = _take(
                    session, draft, group, shop=shop, filename=filename, now=now, actor=actor
                )
            except OrderConflict as exc:
                problems.append(RowProblem(group[0].number, str(exc)))
                left_out += 1
                continue
            (imported if intake.created else already).append(intake.order.reference)
            settled += intake.rules
        progress(done)
        session.commit()
    problems.sort(key=lambda p: p.row)
    return CsvReport(
        tuple(imported), tuple(already), left_out, tuple(problems), ignored, rules=settled
    )


def _drafts(
    rows: Sequence[_Row], branch_known: BranchLookup | None
) -> tuple[list[tuple[OrderDraft, list[_Row]]], list[RowProblem], int]:
    """Every order of the file read and checked: the good ones, the problems, orders left out."""
    problems: list[RowProblem] = []
    drafts: list[tuple[OrderDraft, list[_Row]]] = []
    left_out = 0
    for order_id, group in _groups(rows):
        found = _group_problems(order_id, group)
        if not found:
            try:
                drafts.append((read_order(_order_json(group), branch_known=branch_known), group))
            except OrderInvalid as exc:
                found = _row_problems(group, exc.problems)
        problems += found
        left_out += bool(found)
    return drafts, problems, left_out


def _within(started: float, batching: Batching) -> bool:
    return time.monotonic() - started < batching.seconds


def _take(
    session: Session,
    draft: OrderDraft,
    group: Sequence[_Row],
    *,
    shop: str,
    filename: str,
    now: datetime,
    actor: User | None,
) -> Intake:
    payload = {"file": filename, "first_row": group[0].number, "rows": [r.raw for r in group]}
    return take_order(
        session, draft, shop=shop, source=InboxSource.CSV, payload=payload, now=now, actor=actor
    )


def count_orders(data: bytes) -> int:
    """How many orders (distinct ``order_id``s) a file holds; raises CsvRejected for a bad file."""
    _, rows = _read(data)
    return sum(1 for _ in _groups(rows))


def _read(data: bytes) -> tuple[list[str], list[_Row]]:
    if len(data) > MAX_CSV_BYTES:
        raise CsvRejected(
            f"The file is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB; nothing was imported. "
            "Split it into smaller files."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvRejected(
            f"The file is not UTF-8 text (byte {exc.start + 1} is not); nothing was imported. "
            "Save it as CSV UTF-8 and try again."
        ) from None
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = [h.strip() for h in next(reader, [])]
        records = list(reader)
    except csv.Error as exc:
        raise CsvRejected(
            f"The file cannot be read as CSV ({exc}); nothing was imported."
        ) from None
    names = {h.lower() for h in header}
    missing = [c for c in ("order_id", "quantity") if c not in names]
    if not names & {"sku", "name"}:
        missing.append("sku")
    if missing:
        raise CsvRejected(
            f"The first row must name the columns; {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} missing. Nothing was imported."
        )
    rows = []
    for number, record in enumerate(records, start=2):
        if not any(cell.strip() for cell in record):
            continue  # blank lines between orders are common in spreadsheets
        values = {
            _CANONICAL[name.lower()]: cell.strip()
            for name, cell in zip(header, record, strict=False)
            if name.lower() in _CANONICAL
        }
        raw = dict(zip(header, record, strict=False))
        if len(record) > len(header):
            values["__extra__"] = "yes"
        rows.append(_Row(number, values, raw))
    return header, rows


def _groups(rows: Sequence[_Row]) -> Iterator[tuple[str, list[_Row]]]:
    groups: dict[str, list[_Row]] = {}
    for row in rows:
        groups.setdefault(row.values.get("order_id", ""), []).append(row)
    yield from groups.items()


def _group_problems(order_id: str, group: Sequence[_Row]) -> list[RowProblem]:
    problems = []
    if not order_id:
        problems += [RowProblem(r.number, "order_id is required") for r in group]
    for row in group:
        if "__extra__" in row.values:
            problems.append(RowProblem(row.number, "has more cells than the header has columns"))
    first: dict[str, tuple[str, int]] = {}
    for row in group:
        for column in SHARED_COLUMNS:
            value = row.values.get(column, "")
            if not value:
                continue
            seen = first.setdefault(column, (value, row.number))
            if seen[0] != value:
                problems.append(
                    RowProblem(
                        row.number,
                        f"{column} is {value!r} but row {seen[1]} of order {order_id} says "
                        f"{seen[0]!r}",
                    )
                )
    return problems


def _order_json(group: Sequence[_Row]) -> dict[str, Any]:
    """The rows of one order in the inbox's JSON shape (the first value given wins)."""

    def shared(column: str) -> str | None:
        return next((r.values[column] for r in group if r.values.get(column)), None)

    person = {c: shared(c) for c in PERSON_COLUMNS}
    return {
        "id": shared("order_id"),
        **{column: shared(column) for column in ORDER_COLUMNS},
        "customer": person,
        "shipping_address": {**person, **{c: shared(c) for c in ADDRESS_COLUMNS}},
        "lines": [{c: r.values.get(c) or None for c in LINE_COLUMNS} for r in group],
        "checkout": {c: shared(c) for c in CIN7_FIELDS},
    }


def _row_problems(group: Sequence[_Row], problems: Mapping[str, list[str]]) -> list[RowProblem]:
    """Field problems on the rows they came from: a line's on its row, the order's on the first."""
    found = []
    for path, messages in problems.items():
        row = group[0].number
        if path.startswith("lines["):
            row = group[int(path[6 : path.index("]")])].number
            path = path[path.index("]") + 2 :] or "line"
        path = path.removeprefix("shipping_address.").removeprefix("customer.")
        path = path.removeprefix("checkout.")
        found += [RowProblem(row, f"{path} {message}") for message in messages]
    return sorted(found, key=lambda p: p.row)
