"""Inbox folders: the five defaults (made when first needed), custom ones, and moving orders.

``make_default_folders``, ``add_custom_folder``, ``remove_custom_folder`` and ``move_to_folder`` are the
commands a manager's pages call: each is one unit of work for the person acting (audited,
committed). The others work in the caller's transaction.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from station import audit
from station.inbox import changes
from station.inbox.bus import Settled, settle
from station.inbox.errors import FolderInvalid
from station.inbox.events import by_name
from station.inbox.followups import InboxJobs, queue_rule_work
from station.inbox.options import InboxOptions, load_options
from station.listing import Paging, fetch_page
from station.models import InboxFolder, InboxOrder, User
from station.settings import SettingsStore
from station.uow import UnitOfWork

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
    default_folder(session, DefaultFolder.NEW)
    folder = InboxFolder(name=_free_name(session, name))
    session.add(folder)
    session.flush()
    return folder


def _free_name(session: Session, name: str, *, own: InboxFolder | None = None) -> str:
    """``name`` tidied, or FolderInvalid when it is empty, too long or another folder's."""
    name = " ".join(name.split())
    if not name:
        raise FolderInvalid("A folder needs a name.")
    if len(name) > MAX_NAME:
        raise FolderInvalid(f"A folder name is at most {MAX_NAME} characters.")
    taken = session.scalar(select(InboxFolder).where(func.lower(InboxFolder.name) == name.lower()))
    if taken is not None and taken is not own:
        raise FolderInvalid(f"There is already a folder called {taken.name}.")
    return name


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
    by: str = "",
    why: str = "",
) -> Settled | None:
    """Put ``order`` in ``folder``, log and settle it; None (no event) when it is there already.

    Moved, the answer is what the rules for *Moved* left for jobs (see ``bus.Settled``).
    """
    event = changes.move(session, order, folder, at=at, by=by, why=why)
    if event is None:
        return None
    return settle(session, order, event)


def move_to_folder(
    actor: User | None,
    order_ids: Iterable[int],
    folder: InboxFolder,
    *,
    at: datetime,
    jobs: InboxJobs,
) -> int:
    """Move the orders to ``folder`` for ``actor`` (audited, committed); how many moved."""
    with UnitOfWork(actor) as uow:
        orders = uow.session.scalars(select(InboxOrder).where(InboxOrder.id.in_(set(order_ids))))
        moves = [move_order(uow.session, o, folder, at=at, by=by_name(actor)) for o in orders]
        done = [settled for settled in moves if settled is not None]
        queue_rule_work(uow, jobs, sum(done, Settled()))
        uow.record(
            "inbox.orders_moved",
            target=audit.Target("inbox_folder", folder.id, folder.name),
            detail={"moved": len(done)},
        )
        uow.commit()
    return len(done)


def make_default_folders() -> None:
    """Make the default folders that do not exist yet, committed (on the inbox's first look)."""
    with UnitOfWork(None) as uow:
        default_folder(uow.session, DefaultFolder.NEW)
        uow.commit()


def add_custom_folder(actor: User | None, name: str) -> InboxFolder:
    """Add a custom folder for ``actor`` (audited); raises FolderInvalid saying why not."""
    with UnitOfWork(actor) as uow:
        folder = create_folder(uow.session, name)
        uow.record(
            "inbox.folder_created", target=audit.Target("inbox_folder", folder.id, folder.name)
        )
        uow.commit()
    return folder


def remove_custom_folder(actor: User | None, folder: InboxFolder) -> str:
    """Remove an empty custom folder for ``actor`` (audited); its name, or FolderInvalid."""
    folder_id, name = folder.id, folder.name
    with UnitOfWork(actor) as uow:
        remove_folder(uow.session, folder, load_options(SettingsStore(uow.session)))
        uow.record("inbox.folder_removed", target=audit.Target("inbox_folder", folder_id, name))
        uow.commit()
    return name


def rename_folder(actor: User | None, folder: InboxFolder, name: str) -> InboxFolder:
    """Rename a folder (a default one too: it is known by its slug) for ``actor``, audited.

    Raises FolderInvalid for an empty, too long or taken name. Orders, rules and the
    inbox settings point at the folder itself, so they follow the new name.
    """
    with UnitOfWork(actor) as uow:
        old = folder.name
        folder.name = _free_name(uow.session, name, own=folder)
        if folder.name == old:
            return folder  # nothing changed, nothing to audit
        uow.record(
            "inbox.folder_renamed",
            target=audit.Target("inbox_folder", folder.id, folder.name),
            detail={"from": old},
        )
        uow.commit()
    return folder
