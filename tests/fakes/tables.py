"""Every table's rows, re-read only where a write statement has run since the last read.

The hostile-input sweep compares the whole database before and after each refused call,
thousands of times. Reading some forty tables for each comparison is most of the sweep's
time, and almost every call writes nothing. A listener on the engine notes each write
statement's table (any statement it cannot read marks every table), and a read refreshes
only those. A table no statement wrote to since it was read holds what was read: nothing
but this engine writes to a test's database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, Select, event, select

from station.db import Base

Rows = list[tuple[str, ...]]

# Statements that leave every table's rows as they were.
_READS = re.compile(
    r"\s*(SELECT|PRAGMA|SHOW|SET|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.IGNORECASE
)
# A write to one named table; anything else that is not a read marks every table.
_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


class TableRows:
    """Each table's rows (but for ``ignored`` columns), kept until a write touches them."""

    def __init__(self, engine: Engine, ignored: dict[str, set[str]]) -> None:
        self.engine = engine
        self.queries = _queries(ignored)
        self.rows: dict[str, Rows] = {}
        self.stale: set[str] = set(self.queries)
        self.reads = 0  # tables read, for the sweep's own report

    def note(self, statement: str) -> None:
        """Mark what ``statement`` may have changed as to be read again."""
        if _READS.match(statement):
            return
        written = _WRITE.match(statement)
        if written and written.group(1) in self.queries:
            self.stale.add(written.group(1))
        elif not written:
            self.stale.update(self.queries)

    def read(self) -> dict[str, Rows]:
        """Every table's rows now (a new mapping; the row lists are never changed)."""
        if self.stale:
            stale, self.stale = sorted(self.stale), set()
            with self.engine.connect() as conn:
                for name in stale:
                    self.rows[name] = [
                        tuple(map(repr, row)) for row in conn.execute(self.queries[name])
                    ]
            self.reads += len(stale)
        return dict(self.rows)


@contextmanager
def watching(engine: Engine, ignored: dict[str, set[str]]) -> Iterator[TableRows]:
    """A ``TableRows`` that hears every statement ``engine`` runs while the block runs."""
    tables = TableRows(engine, ignored)

    def heard(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        tables.note(statement)

    event.listen(engine, "before_cursor_execute", heard)
    try:
        yield tables
    finally:
        event.remove(engine, "before_cursor_execute", heard)


def _queries(ignored: dict[str, set[str]]) -> dict[str, Select[Any]]:
    """One query per table: its columns but the ignored ones, in key order (``"*"``: skip)."""
    queries = {}
    for table in Base.metadata.sorted_tables:
        skip = ignored.get(table.name, set())
        if "*" in skip:
            continue
        columns = [c for c in table.columns if c.name not in skip]
        queries[table.name] = select(*columns).order_by(*table.primary_key.columns)
    return queries
