"""Counting the SQL an engine sends, for the statement budget of the bench's hot path.

Issue 18 gives a shipped order (the scan and the Enter at the bench) a budget of SQL
statements. :func:`counting_statements` listens on an engine while a block runs and keeps
every statement the driver was handed (``before_cursor_execute``: an ``executemany`` or
an ``insertmanyvalues`` batch counts once per round trip) and, apart, every transaction
the connection began, committed or rolled back. Both the benchmark (``sql_per_order``) and
the tests that hold the budget use it, so they count the same way.

A transaction's BEGIN is counted from SQLAlchemy's ``begin`` event: pysqlite sends its
own BEGIN only before a write, psycopg before the first statement, so the event is the one
count that means the same on both databases.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

TRANSACTION_EVENTS = ("begin", "commit", "rollback")


@dataclass
class StatementLog:
    """What an engine was asked to run while the log listened, in order."""

    statements: list[str] = field(default_factory=list)  # SQL text, one per round trip
    transactions: list[str] = field(default_factory=list)  # "begin", "commit", "rollback"

    @property
    def count(self) -> int:
        """The SQL statements sent (BEGIN, COMMIT and ROLLBACK not among them)."""
        return len(self.statements)

    @property
    def with_transactions(self) -> int:
        """The statements sent together with each BEGIN, COMMIT and ROLLBACK."""
        return len(self.statements) + len(self.transactions)

    def since(self, mark: StatementLog) -> StatementLog:
        """What was logged after ``mark`` (a :meth:`snapshot` of this log) was taken."""
        return StatementLog(
            self.statements[len(mark.statements) :], self.transactions[len(mark.transactions) :]
        )

    def snapshot(self) -> StatementLog:
        """A copy of the log as it stands, to measure one step with :meth:`since`."""
        return StatementLog(list(self.statements), list(self.transactions))

    def describe(self) -> str:
        """Every statement on its own numbered line (first 160 characters), for a failure message."""
        lines = [f"{n:3} {' '.join(s.split())[:160]}" for n, s in enumerate(self.statements, 1)]
        lines.append(f"transactions: {' '.join(self.transactions) or 'none'}")
        return "\n".join(lines)


@contextmanager
def counting_statements(engine: Engine) -> Iterator[StatementLog]:
    """Log what ``engine`` runs (on any connection, in any thread) until the block ends."""
    log = StatementLog()

    def statement(
        _conn: Any, _cursor: Any, text: str, _params: Any, _context: Any, _many: bool
    ) -> None:
        log.statements.append(text)

    listeners: list[tuple[str, Any]] = [("before_cursor_execute", statement)]
    for name in TRANSACTION_EVENTS:
        listeners.append((name, _noting(log, name)))
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        yield log
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)


def _noting(log: StatementLog, name: str) -> Any:
    def note(_conn: Any) -> None:
        log.transactions.append(name)

    return note
