"""Ids people type or send: ASCII digits that fit the database's integer id columns.

``str.isdigit`` is true for "²" and for a 5,000-digit string, which ``int`` refuses and
the database cannot hold; ``parse_id`` is the one test for "this text is an id".
"""

from __future__ import annotations

# Id columns (ours and Cin7's ids we keep) are INTEGER: 32 bits on PostgreSQL, which
# refuses a bigger number in a query (NumericValueOutOfRange) where SQLite finds nothing.
MAX_ID = 2**31 - 1


def parse_id(text: str) -> int | None:
    """The id written in ``text`` (ASCII digits, at most ``MAX_ID``), or None."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if value <= MAX_ID else None
