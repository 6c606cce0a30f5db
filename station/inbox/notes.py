"""Notes and tags on inbox orders, each logged as an event and settled (rules add them too).

``add_note`` and ``add_tag`` work in the caller's transaction; ``note_order`` and
``tag_order`` are a person's commands, each its own unit of work.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from station import audit
from station.inbox import changes
from station.inbox.bus import Settled, settle
from station.inbox.changes import MAX_NOTE, MAX_TAG
from station.inbox.events import by_name
from station.inbox.followups import InboxJobs, queue_rule_work
from station.models import InboxOrder, User
from station.uow import UnitOfWork

__all__ = ["MAX_NOTE", "MAX_TAG", "add_note", "add_tag", "note_order", "tag_order"]


def add_note(session: Session, order: InboxOrder, text: str, *, at: datetime, by: str) -> Settled:
    """Add a note to the order; raises NoteInvalid for an empty or too long one.

    Answers what the rules for *Note added* left for jobs.
    """
    return settle(session, order, changes.note(session, order, text, at=at, by=by))


def add_tag(
    session: Session, order: InboxOrder, tag: str, *, at: datetime, by: str
) -> Settled | None:
    """Tag the order (tags are single words of up to 32 characters); None if it had the tag.

    Tagged, the answer is what the rules for *Tag added* left for jobs.
    """
    event = changes.tag(session, order, tag, at=at, by=by)
    if event is None:
        return None
    return settle(session, order, event)


def note_order(
    actor: User | None, order: InboxOrder, text: str, *, at: datetime, jobs: InboxJobs
) -> None:
    """``actor`` adds a note to the order (committed); raises NoteInvalid, changing nothing."""
    with UnitOfWork(actor) as uow:
        settled = add_note(uow.session, order, text, at=at, by=by_name(actor))
        uow.record("inbox.note_added", target=inbox_target(order), detail={"text": text[:200]})
        queue_rule_work(uow, jobs, settled)
        uow.commit()


def tag_order(
    actor: User | None, order: InboxOrder, tag: str, *, at: datetime, jobs: InboxJobs
) -> bool:
    """``actor`` tags the order (committed); False if it had the tag, NoteInvalid if not a tag."""
    with UnitOfWork(actor) as uow:
        settled = add_tag(uow.session, order, tag, at=at, by=by_name(actor))
        if settled is not None:
            uow.record("inbox.tagged", target=inbox_target(order), detail={"tag": tag})
        queue_rule_work(uow, jobs, settled or Settled())
        uow.commit()
    return settled is not None


def inbox_target(order: InboxOrder) -> audit.Target:
    """An inbox order as the audit log names it."""
    return audit.Target("inbox_order", order.id, order.reference or f"inbox order {order.id}")
