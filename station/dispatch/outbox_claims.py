"""The claims an outbox pass holds on the items it sends, kept alive while the pass runs.

A pass claims its items (``sending``; ``next_attempt_at`` becomes the claim's stamp) and
commits before sending. Another pass takes an item over only once its claim has gone
unrenewed for the sending lease, i.e. its worker died mid-send. The lease is short (30 s
by default) so a crashed worker's items go out again within a minute, while a live pass
never loses one: it renews all its open claims at once before and after each Cin7 call,
and a keeper thread renews them every third of the lease, since one call may wait out
Cin7's 429s for longer than the lease.

A claim taken over carries a later stamp than any this pass wrote (the pass that took it
claimed after the lease lapsed), which is how a renewal tells it was lost. The pass then
writes no outcome for that item: the pass that has it checks Cin7 first (the item is
marked uncertain) and records what Cin7 shows.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from station.models import OutboxItem, OutboxState

log = logging.getLogger(__name__)


class OutboxClaims:
    """The items one pass holds, and the stamp it last claimed or renewed them at."""

    def __init__(
        self,
        engine: Engine,
        ids: Iterable[int],
        *,
        stamp: datetime,
        clock: Callable[[], datetime],
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._lock = threading.Lock()
        self.stamp = stamp
        self.held = set(ids)
        self.lost: set[int] = set()  # taken over by another pass meanwhile
        self.finished: set[int] = set()  # outcome written: nothing left to keep

    def open(self) -> list[int]:
        """The items the pass still holds and has not finished, in id order."""
        return sorted(self.held - self.lost - self.finished)

    def renew(self) -> set[int]:
        """Renew every open claim at once; the ids still held (the rest are ``lost``). Commits.

        Runs on its own connection: the caller's session must have nothing uncommitted
        (on SQLite it would hold the write lock this waits for).
        """
        with self._lock:
            ids = self.open()
            if not ids:
                return set()
            now = max(self._clock(), self.stamp)
            mine = (
                OutboxItem.id.in_(ids),
                OutboxItem.state == OutboxState.SENDING,
                OutboxItem.next_attempt_at <= self.stamp,
            )
            with Session(self._engine) as session:
                # Lock the rows in id order first (PostgreSQL), as a pass recovering lapsed
                # claims does, so the two never wait for each other's rows.
                session.execute(
                    select(OutboxItem.id)
                    .where(*mine)
                    .order_by(OutboxItem.id)
                    .with_for_update(key_share=True)
                ).all()
                kept = set(
                    session.scalars(
                        update(OutboxItem)
                        .where(*mine)
                        .values(next_attempt_at=now)
                        .returning(OutboxItem.id)
                        .execution_options(synchronize_session=False)
                    )
                )
                session.commit()
            gone = set(ids) - kept
            if gone:
                log.warning(
                    "outbox items %s were taken over by another pass; left to it", sorted(gone)
                )
            self.lost |= gone
            self.stamp = now
            return kept

    def finish(self, ids: Iterable[int]) -> None:
        """Stop renewing these items: their outcome is written."""
        with self._lock:
            self.finished |= set(ids)

    @contextmanager
    def kept_alive(self, every: float) -> Iterator[OutboxClaims]:
        """Renew the claims every ``every`` seconds on a thread until the block ends."""
        stop = threading.Event()

        def keep() -> None:
            while not stop.wait(every):
                try:
                    self.renew()
                except SQLAlchemyError as exc:  # the next round, or the pass itself, tries again
                    log.warning("could not renew the outbox claims of a running pass: %s", exc)

        keeper = threading.Thread(target=keep, name="outbox-claims", daemon=True)
        keeper.start()
        try:
            yield self
        finally:
            stop.set()
            keeper.join(timeout=every + 30)
