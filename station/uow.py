"""The unit of work: one command's transaction, its audit entries, and what runs after it.

Cosmic Python's ``unit_of_work.py`` is the model. A service opens one for the person (or
job) it acts for, changes rows through ``uow.session``, records what it did, and commits::

    def add_cost_centre(actor: User | None, name: str) -> CostCentre:
        with UnitOfWork(actor) as uow:
            centre = CostCentre(name=name)
            uow.session.add(centre)
            uow.record("cost_centre.created", target=centre)
            uow.after_commit(lambda: jobs().deliver_soon())
            uow.commit()
        return centre

1. ``record`` adds an audit entry by the unit's actor to the same transaction, so the
   entry and the change it describes commit or roll back together.
2. ``commit`` commits, then runs the follow-ups registered with ``after_commit`` (start a
   job, send a label now), in order. A follow-up acts on state already committed and a
   periodic sweep finds whatever one leaves undone, so a follow-up that raises is logged
   and the others still run; the command has happened.
3. Leaving the ``with`` block rolls back whatever was not committed: an exception, or a
   refusal the service raised after adding rows, leaves nothing behind. Follow-ups of a
   rolled-back unit never run.
4. A service called inside another's unit (bulk dispatch shipping one order) joins it:
   its ``record`` and ``after_commit`` go to the outer unit, its ``commit`` is the outer
   unit's to make, and only the outermost unit rolls back on the way out.

Views never commit or write audit entries themselves (a test greps ``station/web``): they
parse, call one service, and render.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from sqlalchemy.orm import Session, scoped_session

from station import audit
from station.extensions import db

if TYPE_CHECKING:
    from station.db import Base
    from station.models import AuditEvent, User

log = logging.getLogger(__name__)

_open: ContextVar[UnitOfWork | None] = ContextVar("station_unit_of_work", default=None)


class UnitOfWork:
    """One command's transaction on ``session`` (the app's session unless given), for ``actor``."""

    def __init__(self, actor: User | None, session: Session | None = None) -> None:
        self.actor = actor
        self.session: Session = session if session is not None else db.session  # type: ignore[assignment]
        self._outer: UnitOfWork | None = None
        self._follow_ups: list[Callable[[], object]] = []
        self._token: Any = None
        self._settled = False  # committed, and nothing changed since

    def __enter__(self) -> Self:
        outer = _open.get()
        if outer is not None and outer.session is self.session:
            self._outer = outer
        self._token = _open.set(self)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        _open.reset(self._token)
        if self._outer is None and (error is not None or not self._settled or self._pending()):
            self.rollback()

    @property
    def joined(self) -> bool:
        """Whether this unit runs inside another's (which commits and rolls back for both)."""
        return self._outer is not None

    def _pending(self) -> bool:
        return bool(self.session.new or self.session.dirty or self.session.deleted)

    def record(
        self,
        action: str,
        *,
        target: Base | audit.Target | None = None,
        detail: Mapping[str, Any] | None = None,
        at: datetime | None = None,
        actor: User | None = None,
    ) -> AuditEvent:
        """Add an audit entry for ``action`` by the unit's actor (or ``actor``) to this transaction."""
        who = actor if actor is not None else self.actor
        self._settled = False
        return audit.record(self.session, who, action, target=target, detail=detail, at=at)

    def after_commit(self, follow_up: Callable[[], object]) -> None:
        """Run ``follow_up`` once the change is committed (never if it is rolled back)."""
        if self._outer is not None:
            self._outer.after_commit(follow_up)
        else:
            self._follow_ups.append(follow_up)

    def flush(self) -> None:
        """Send the pending changes to the database (ids, constraints) without committing."""
        self._settled = False
        self.session.flush()

    def commit(self, *, expire: bool = True) -> None:
        """Commit the transaction (the outer unit's, when joined) and run the follow-ups.

        ``expire=False`` keeps what the unit loaded as it was committed, for a caller that
        draws a page from those rows at once (the bench scan): expiring them would read
        each one again. Later changes by others are then not seen until the next unit.
        """
        if self._outer is not None:
            return
        whole = self.session() if isinstance(self.session, scoped_session) else self.session
        expiring = whole.expire_on_commit
        whole.expire_on_commit = expiring and expire
        try:
            self.session.commit()
        finally:
            whole.expire_on_commit = expiring
        self._settled = True
        follow_ups, self._follow_ups = self._follow_ups, []
        for follow_up in follow_ups:
            try:
                follow_up()
            except Exception:
                log.exception("a follow-up after a commit failed; the periodic sweep will catch up")

    def rollback(self) -> None:
        """Undo what was not committed and forget its follow-ups (the outer unit's, when joined)."""
        if self._outer is not None:
            return
        self._follow_ups.clear()
        self.session.rollback()
