"""Ids people type or send: ASCII digits that fit the database's 64-bit integer columns.

``str.isdigit`` is true for "²" and for a 5,000-digit string, which ``int`` refuses and
the database cannot hold; ``parse_id`` is the one test for "this text is an id".
"""

from __future__ import annotations

MAX_ID = 2**63 - 1  # the largest signed 64-bit integer, the widest id column we have


def parse_id(text: str) -> int | None:
    """The id written in ``text`` (ASCII digits, at most ``MAX_ID``), or None."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if value <= MAX_ID else None
