"""Counting the SQL a request sends, for tests that hold the bench to its statement budget.

The counting itself is ``station.ops.statements`` (the ``sql_per_order`` benchmark counts
with it too, so a test and the benchmark agree); this binds it to a test's app.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask

from station.extensions import db
from station.ops.statements import StatementLog, counting_statements

__all__ = ["StatementLog", "counting", "counting_statements"]


@contextmanager
def counting(app: Flask) -> Iterator[StatementLog]:
    """Log every statement ``app``'s engine runs (the test client's requests too) in the block."""
    with app.app_context():
        engine = db.engine
    with counting_statements(engine) as log:
        yield log
