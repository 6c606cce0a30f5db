"""Notes and tags on inbox orders: kept on the order and logged."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from station.db import utcnow
from station.inbox.errors import NoteInvalid
from station.inbox.notes import add_note, add_tag
from tests.inbox.builders import kinds, take


def test_a_note_is_kept_with_who_wrote_it_and_logged(ctx: Session) -> None:
    order = take(ctx)

    add_note(ctx, order, "  Customer rang: leave with the neighbour ", at=utcnow(), by="mere")
    ctx.commit()

    assert [(n["text"], n["by"]) for n in order.notes] == [
        ("Customer rang: leave with the neighbour", "mere")
    ]
    assert kinds(order)[-1] == "note_added"


def test_a_tag_is_added_once_in_any_case(ctx: Session) -> None:
    order = take(ctx)

    assert add_tag(ctx, order, "VIP", at=utcnow(), by="mere")
    assert not add_tag(ctx, order, "vip", at=utcnow(), by="mere")
    ctx.commit()

    assert order.tags == ["VIP"] and kinds(order).count("tagged") == 1


@pytest.mark.parametrize("tag", ["", "two words", "x" * 33])
def test_a_tag_is_one_short_word(ctx: Session, tag: str) -> None:
    with pytest.raises(NoteInvalid, match="one word"):
        add_tag(ctx, take(ctx), tag, at=utcnow(), by="mere")


def test_an_empty_or_huge_note_is_refused(ctx: Session) -> None:
    order = take(ctx)

    for text, message in [(" ", "Type the note"), ("x" * 2001, "at most 2,000")]:
        with pytest.raises(NoteInvalid, match=message):
            add_note(ctx, order, text, at=utcnow(), by="mere")
