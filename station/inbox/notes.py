"""Notes and tags on inbox orders, each logged as an event (rules add them too)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from station.inbox.errors import NoteInvalid
from station.inbox.events import record_event
from station.models import InboxEventKind, InboxOrder

MAX_NOTE = 2000
MAX_TAG = 32


def add_note(session: Session, order: InboxOrder, text: str, *, at: datetime, actor: str) -> None:
    """Add a note to the order; raises NoteInvalid for an empty or too long one."""
    text = text.strip()
    if not text:
        raise NoteInvalid("Type the note first.")
    if len(text) > MAX_NOTE:
        raise NoteInvalid(f"A note is at most {MAX_NOTE:,} characters.")
    order.notes = [*order.notes, {"at": at.isoformat(), "by": actor, "text": text}]
    record_event(session, order, InboxEventKind.NOTE_ADDED, text, at=at, actor=actor)


def add_tag(session: Session, order: InboxOrder, tag: str, *, at: datetime, actor: str) -> bool:
    """Tag the order (tags are single words of up to 32 characters); False if it had the tag."""
    tag = tag.strip()
    if not tag or len(tag) > MAX_TAG or any(c.isspace() for c in tag):
        raise NoteInvalid(f"A tag is one word of 1 to {MAX_TAG} characters, for example vip.")
    if tag.lower() in (t.lower() for t in order.tags):
        return False
    order.tags = [*order.tags, tag]
    record_event(session, order, InboxEventKind.TAGGED, f"Tagged {tag}.", at=at, actor=actor)
    return True
