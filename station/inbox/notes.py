"""Notes and tags on inbox orders, each logged as an event and settled (rules add them too)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from station.inbox import changes
from station.inbox.bus import settle
from station.inbox.changes import MAX_NOTE, MAX_TAG
from station.models import InboxOrder

__all__ = ["MAX_NOTE", "MAX_TAG", "add_note", "add_tag"]


def add_note(session: Session, order: InboxOrder, text: str, *, at: datetime, actor: str) -> None:
    """Add a note to the order; raises NoteInvalid for an empty or too long one."""
    settle(session, order, changes.note(session, order, text, at=at, actor=actor))


def add_tag(session: Session, order: InboxOrder, tag: str, *, at: datetime, actor: str) -> bool:
    """Tag the order (tags are single words of up to 32 characters); False if it had the tag."""
    event = changes.tag(session, order, tag, at=at, actor=actor)
    settle(session, order, event)
    return event is not None
