"""``where`` filters naming many values (``code IN ('A', 'B')``), cut to fit one call each.

Cin7 reads a list's filter from the query string, so a long list goes in several
filters. One rule for all of them:

- at most ``MAX_ROWS`` (250) values, so every record a filter matches (one per id, code
  or reference) comes back on the one page asked for;
- at most ``MAX_FILTER_LENGTH`` (4,000) characters once URL-encoded, half the 8 KB
  request line that common web servers and proxies accept. Cin7 publishes no limit of
  its own. 250 Cin7 ids (up to ten digits) fit in one filter, about 2.8 KB for today's
  7-digit ids, so 500 orders cost two calls; quoted text (SKUs of up to 128
  characters, submission keys) is cut sooner, by its length.
"""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from station.cin7.client import MAX_ROWS

MAX_FILTER_LENGTH = 4_000


def in_filters(
    field: str, values: Sequence[str | int], *, limit: int = MAX_FILTER_LENGTH
) -> list[str]:
    """``field IN (...)`` filters naming every value once, in the order given.

    Numbers go bare, text single-quoted with quotes doubled. A value too long to share a
    filter gets one of its own.
    """
    head, separator, tail = _encoded(f"{field} IN ("), _encoded(", "), _encoded(")")
    filters: list[str] = []
    chunk: list[str] = []
    length = 0
    for value in dict.fromkeys(values):
        literal = str(value) if isinstance(value, int) else "'" + value.replace("'", "''") + "'"
        added = _encoded(literal) + (separator if chunk else 0)
        if chunk and (len(chunk) == MAX_ROWS or head + length + added + tail > limit):
            filters.append(f"{field} IN ({', '.join(chunk)})")
            chunk, length, added = [], 0, _encoded(literal)
        chunk.append(literal)
        length += added
    if chunk:
        filters.append(f"{field} IN ({', '.join(chunk)})")
    return filters


def _encoded(text: str) -> int:
    """How long ``text`` is in a query string, encoded as the client sends it."""
    return len(str(httpx.QueryParams({"w": text}))) - len("w=")
