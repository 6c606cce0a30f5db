"""Changes to one inbox order, each appended to its event log; the rules are not run here.

These are what a person and a rule's action both do to an order. The bus runs the rules
for the events they return: a rule's action hands them back to the bus, which settles
them within the rule's chain; ``folders.move_order``, ``notes.add_note`` /
``notes.add_tag`` and ``submit.schedule_submission`` settle them for everyone else.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from station.inbox.errors import NoteInvalid
from station.inbox.events import append_event
from station.models import InboxEvent, InboxEventKind, InboxFolder, InboxOrder

MAX_NOTE = 2000
MAX_TAG = 32


def move(
    session: Session,
    order: InboxOrder,
    folder: InboxFolder,
    *,
    at: datetime,
    by: str = "",
    why: str = "",
) -> InboxEvent | None:
    """Put ``order`` in ``folder``; its *Moved* event, or None when it is there already."""
    if order.folder is folder:  # one session: one object per row
        return None
    before = order.folder.name if order.folder is not None else ""
    order.folder = folder
    message = f"Moved from {before} to {folder.name}" + (f": {why}" if why else ".")
    return append_event(
        session,
        order,
        InboxEventKind.MOVED,
        message,
        at=at,
        by=by,
        detail={"from": before, "to": folder.name},
    )


def note(session: Session, order: InboxOrder, text: str, *, at: datetime, by: str) -> InboxEvent:
    """Add a note to the order; raises NoteInvalid for an empty or too long one."""
    text = text.strip()
    if not text:
        raise NoteInvalid("Type the note first.")
    if len(text) > MAX_NOTE:
        raise NoteInvalid(f"A note is at most {MAX_NOTE:,} characters.")
    order.notes = [*order.notes, {"at": at.isoformat(), "by": by, "text": text}]
    return append_event(session, order, InboxEventKind.NOTE_ADDED, text, at=at, by=by)


def tag(
    session: Session, order: InboxOrder, word: str, *, at: datetime, by: str
) -> InboxEvent | None:
    """Tag the order (one word of up to 32 characters); None when it had the tag."""
    word = word.strip()
    if not word or len(word) > MAX_TAG or any(c.isspace() for c in word):
        raise NoteInvalid(f"A tag is one word of 1 to {MAX_TAG} characters, for example vip.")
    if word.lower() in (t.lower() for t in order.tags):
        return None
    order.tags = [*order.tags, word]
    return append_event(session, order, InboxEventKind.TAGGED, f"Tagged {word}.", at=at, by=by)


def schedule(session: Session, order: InboxOrder, *, at: datetime, by: str) -> InboxEvent | None:
    """Mark the order to be sent to Cin7; its *Order scheduled* event, None if it is in Cin7."""
    if order.cin7_id is not None:
        return None
    order.scheduled_at, order.scheduled_by = at, by[:80]
    return append_event(
        session, order, InboxEventKind.SCHEDULED, "Queued to be sent to Cin7.", at=at, by=by
    )
