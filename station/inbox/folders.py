"""Inbox folders: the five defaults (made when first needed), custom ones, and moving orders."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from station.inbox import changes
from station.inbox.bus import settle
from station.inbox.errors import FolderInvalid
from station.inbox.options import InboxOptions
from station.listing import Paging, fetch_page
from station.models import InboxFolder, InboxOrder

MAX_NAME = 64


class DefaultFolder(enum.StrEnum):
    """The folders every inbox has; the value is the folder's slug."""

    NEW = "new"
    SUBMITTED = "submitted"
    SHIPPED = "shipped"
    CANCELED = "canceled"
    ERRORS = "errors"


DEFAULT_NAMES = {
    DefaultFolder.NEW: "New",
    DefaultFolder.SUBMITTED: "Submitted",
    DefaultFolder.SHIPPED: "Shipped",
    DefaultFolder.CANCELED: "Canceled",
    DefaultFolder.ERRORS: "Errors",
}


class Step(enum.Enum):
    """A moment an order moves by itself, with the setting that says where to."""

    AFTER_IMPORT = "after_import_folder_id"  # Cin7 took the order
    AFTER_SHIPMENT = "after_shipment_folder_id"
    IF_CANCELED = "if_canceled_folder_id"


STEP_DEFAULTS = {
    Step.AFTER_IMPORT: DefaultFolder.SUBMITTED,
    Step.AFTER_SHIPMENT: DefaultFolder.SHIPPED,
    Step.IF_CANCELED: DefaultFolder.CANCELED,
}


@dataclass(frozen=True, slots=True)
class FolderCount:
    """A folder and how many orders it holds."""

    folder: InboxFolder
    orders: int


def default_folder(session: Session, slug: DefaultFolder) -> InboxFolder:
    """The default folder ``slug``, made (with the other defaults) if it does not exist yet."""
    folder = session.scalar(select(InboxFolder).where(InboxFolder.slug == slug.value))
    if folder is not None:
        return folder
    _make_defaults(session)
    found = session.scalar(select(InboxFolder).where(InboxFolder.slug == slug.value))
    assert found is not None, "the default folders exist by now"
    return found


def _make_defaults(session: Session) -> None:
    for position, (slug, name) in enumerate(DEFAULT_NAMES.items()):
        if session.scalar(select(InboxFolder.id).where(InboxFolder.slug == slug.value)):
            continue
        try:
            with session.begin_nested():
                session.add(InboxFolder(name=name, slug=slug.value, position=position))
        except IntegrityError:
            continue  # another request made it (or a custom folder took the name) first


def step_folder(session: Session, options: InboxOptions, step: Step) -> InboxFolder:
    """Where orders go at ``step``: the chosen folder, else (or if it is gone) the default."""
    chosen = getattr(options, step.value)
    folder = session.get(InboxFolder, chosen) if chosen is not None else None
    return folder or default_folder(session, STEP_DEFAULTS[step])


def list_folders(session: Session) -> list[FolderCount]:
    """Every folder with its order count: the defaults first, then custom ones by name."""
    default_folder(session, DefaultFolder.NEW)
    counts = dict(
        session.execute(
            select(InboxOrder.folder_id, func.count()).group_by(InboxOrder.folder_id)
        ).all()
    )
    folders = session.scalars(
        select(InboxFolder).order_by(
            InboxFolder.slug.is_(None), InboxFolder.position, InboxFolder.name
        )
    )
    return [FolderCount(folder, counts.get(folder.id, 0)) for folder in folders]


def folder_orders(
    session: Session, folder: InboxFolder, *, page: int, per_page: int
) -> tuple[list[InboxOrder], Paging]:
    """One page of the orders in ``folder``, newest first."""
    stmt = (
        select(InboxOrder).where(InboxOrder.folder_id == folder.id).order_by(InboxOrder.id.desc())
    )
    return fetch_page(session, stmt, page=page, per_page=per_page)


def create_folder(session: Session, name: str) -> InboxFolder:
    """Add a custom folder; raises FolderInvalid for an empty, too long or taken name."""
    name = " ".join(name.split())
    if not name:
        raise FolderInvalid("A folder needs a name.")
    if len(name) > MAX_NAME:
        raise FolderInvalid(f"A folder name is at most {MAX_NAME} characters.")
    default_folder(session, DefaultFolder.NEW)
    taken = session.scalar(select(InboxFolder).where(func.lower(InboxFolder.name) == name.lower()))
    if taken is not None:
        raise FolderInvalid(f"There is already a folder called {taken.name}.")
    folder = InboxFolder(name=name)
    session.add(folder)
    session.flush()
    return folder


def remove_folder(session: Session, folder: InboxFolder, options: InboxOptions) -> None:
    """Remove an empty custom folder no setting points at; raises FolderInvalid otherwise."""
    if folder.slug is not None:
        raise FolderInvalid(f"{folder.name} is one of the default folders; it stays.")
    if folder.id in (getattr(options, step.value) for step in Step):
        raise FolderInvalid(
            f"{folder.name} is chosen in the inbox settings (after import, after shipment or "
            "if canceled); choose another folder there first."
        )
    held = session.scalar(select(func.count()).where(InboxOrder.folder_id == folder.id))
    if held:
        raise FolderInvalid(f"{folder.name} still holds {held} order(s); move them first.")
    session.delete(folder)


def move_order(
    session: Session,
    order: InboxOrder,
    folder: InboxFolder,
    *,
    at: datetime,
    actor: str = "",
    why: str = "",
) -> bool:
    """Put ``order`` in ``folder``, log and settle it; False (no event) when it is there already."""
    event = changes.move(session, order, folder, at=at, actor=actor, why=why)
    settle(session, order, event)
    return event is not None


def move_orders(
    session: Session, order_ids: Iterable[int], folder: InboxFolder, *, at: datetime, actor: str
) -> int:
    """Move the orders to ``folder``; how many actually moved."""
    orders = session.scalars(select(InboxOrder).where(InboxOrder.id.in_(set(order_ids))))
    return sum(move_order(session, order, folder, at=at, actor=actor) for order in orders)
