"""The audit log: ``record`` who did what to which thing, and find it again.

``record`` only adds a row to the caller's session, so the event commits or rolls back
with the change it describes. ``detail`` is small JSON for people to read; secrets never
go in it (keys that name one are refused).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from station.db import Base, utcnow
from station.listing import Paging
from station.models import (
    AuditEvent,
    BulkDispatch,
    Consignment,
    CostCentre,
    Manifest,
    OutboxItem,
    PackagePreset,
    Printer,
    PrintJob,
    SalesOrder,
    User,
)

SECRET_WORDS = ("password", "secret", "token", "api_key", "apikey", "credential")

_TARGETS: dict[type[Base], tuple[str, Callable[[Any], str]]] = {
    User: ("user", lambda u: u.username),
    SalesOrder: ("order", lambda o: o.reference),
    Consignment: ("consignment", lambda c: " ".join([c.reference, *c.tickets])),
    Printer: ("printer", lambda p: p.name),
    PrintJob: ("print_job", lambda j: j.description or f"print job {j.id}"),
    BulkDispatch: ("bulk_dispatch", lambda r: f"bulk dispatch of {r.total} orders"),
    Manifest: ("manifest", lambda m: f"{m.number} ({m.carrier_name or m.carrier})"),
    OutboxItem: ("outbox_item", lambda i: f"{i.kind.value} for {i.order.reference}"),
    CostCentre: ("cost_centre", lambda c: c.name),
    PackagePreset: ("package_preset", lambda p: p.name),
}


@dataclass(frozen=True, slots=True)
class Target:
    """What an action was done to, when it is not a row (``Target("settings", None, "Cin7")``)."""

    type: str
    id: int | None
    label: str


def record(
    session: Session,
    actor: User | None,
    action: str,
    *,
    target: Base | Target | None = None,
    detail: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Add an audit event to ``session`` (the caller commits it with the change)."""
    detail = dict(detail or {})
    _refuse_secrets(detail)
    where = target if isinstance(target, Target) or target is None else _target_of(session, target)
    event = AuditEvent(
        at=at or utcnow(),
        actor_id=actor.id if actor is not None else None,
        actor_username=actor.username if actor is not None else "",
        action=action,
        target_type=where.type if where else None,
        target_id=where.id if where else None,
        target_label=(where.label if where else "")[:255],
        detail=detail,
    )
    session.add(event)
    return event


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What the audit page narrows the log to; empty fields do not narrow it."""

    action: str = ""  # the start of the action, e.g. "consignment." or "signin"
    username: str = ""
    target: str = ""  # text anywhere in the target's label
    since: date | None = None  # first day shown, in the warehouse's time zone
    until: date | None = None  # last day shown


@dataclass(frozen=True, slots=True)
class AuditPage(Paging):
    """One page of the audit log, newest first."""

    events: list[AuditEvent]
    filter: AuditFilter


def search(
    session: Session, wanted: AuditFilter, *, tz: tzinfo, page: int = 1, per_page: int = 50
) -> AuditPage:
    """The events matching ``wanted``, newest first, one page of them."""
    conditions = []
    if wanted.action.strip():
        conditions.append(AuditEvent.action.startswith(wanted.action.strip(), autoescape=True))
    if wanted.username.strip():
        conditions.append(AuditEvent.actor_username == wanted.username.strip().lower())
    if wanted.target.strip():
        conditions.append(AuditEvent.target_label.icontains(wanted.target.strip(), autoescape=True))
    if wanted.since:
        conditions.append(AuditEvent.at >= _start_of(wanted.since, tz))
    if wanted.until:
        conditions.append(AuditEvent.at < _start_of(wanted.until + timedelta(days=1), tz))
    stmt = select(AuditEvent).where(*conditions)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    paged = Paging.at(page, per_page=per_page, total=total)
    rows = session.scalars(
        stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(per_page)
        .offset(paged.offset)
    )
    return AuditPage(
        page=paged.page, per_page=per_page, total=total, events=list(rows), filter=wanted
    )


def order_trail(session: Session, order_id: int) -> list[AuditEvent]:
    """Events about an order or any of its consignments, oldest first."""
    consignments = select(Consignment.id).where(Consignment.order_id == order_id)
    return list(
        session.scalars(
            select(AuditEvent)
            .where(
                or_(
                    and_(AuditEvent.target_type == "order", AuditEvent.target_id == order_id),
                    and_(
                        AuditEvent.target_type == "consignment",
                        AuditEvent.target_id.in_(consignments),
                    ),
                )
            )
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )


def last_event(session: Session, row: Base, action: str) -> AuditEvent | None:
    """The latest ``action`` recorded against ``row`` (who voided a consignment, say)."""
    kind, _ = _TARGETS[type(row)]
    return session.scalar(
        select(AuditEvent)
        .where(
            AuditEvent.action == action,
            AuditEvent.target_type == kind,
            AuditEvent.target_id == row.id,  # type: ignore[attr-defined]
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(1)
    )


def actions(session: Session) -> list[str]:
    """Every action recorded so far, for the filter's suggestions."""
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


# Kinds of target people spell otherwise than the type with spaces for underscores.
KIND_NAMES = {"api_token": "API token"}


def describe(event: AuditEvent) -> str:
    """The event as people read it: what it was done to, then what happened.

    ``printer.created`` on printer "Bench 1" reads "Printer Bench 1: created";
    ``bulk.started`` on "bulk dispatch of 10 orders" reads "Bulk dispatch of 10 orders:
    started" (a label that already names its kind is not prefixed with it again), and
    ``inbox.api_token_renamed`` on token "Web shop" reads "API token Web shop: renamed"
    (what happened does not name the kind again either).
    """
    parts = [part.replace("_", " ") for part in event.action.split(".")]
    target_type = event.target_type or ""
    kind = KIND_NAMES.get(target_type, target_type.replace("_", " "))
    label = event.target_label or ""
    if label and kind and not label.casefold().startswith(kind.casefold()):
        thing = f"{kind} {label}"
    else:
        thing = label or kind or parts[0]
    subject = {parts[0].casefold(), kind.casefold()}
    happened = " ".join(
        _without_kind(part, kind) for part in parts[1:] if part.casefold() not in subject
    )
    text = f"{thing}: {happened}" if happened else thing
    return text[:1].upper() + text[1:]


def _without_kind(words: str, kind: str) -> str:
    """``words`` less a start that names ``kind`` ("folder renamed" of an inbox folder → "renamed")."""
    names = kind.split()
    for start in range(len(names)):
        tail = " ".join(names[start:]) + " "
        if words.casefold().startswith(tail.casefold()):
            return words[len(tail) :]
    return words


def _target_of(session: Session, row: Base) -> Target:
    kind, label = _TARGETS[type(row)]
    if row.id is None:  # type: ignore[attr-defined]
        session.flush()  # a row added in this transaction gets its id now
    return Target(kind, row.id, label(row))  # type: ignore[attr-defined]


def _refuse_secrets(detail: Mapping[str, Any]) -> None:
    for key, value in detail.items():
        if any(word in key.lower() for word in SECRET_WORDS):
            raise ValueError(f"audit detail key {key!r} looks like a secret; never record one")
        if isinstance(value, Mapping):
            _refuse_secrets(value)


def _start_of(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)
