"""Sending again, by itself, the submissions Cin7 never confirmed.

Two kinds of order are left between Station and Cin7 with nobody to finish them:

- **cut off**: a run claimed the order and its worker died (killed, out of memory, a
  deploy) before the run ended; the job died with it. Once the claim has gone a lease
  without being renewed, the order is free again.
- **failed on Cin7's side**: Cin7 answered 5xx or 429, timed out or sent a reply that
  is not JSON. The order waits in Errors until ``resubmit_at``, one minute after the
  first failure, doubling each time up to an hour, so an outage spends few calls.

:func:`due_for_resubmission` finds both, for the periodic sweep to submit again. A run
looks each one up in Cin7 by its submission key before sending it, so an order Cin7
made before the worker died or the answer was lost is recorded, never made twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from station.backoff import backoff_delay
from station.config import DefaultConfig, cin7_attempt_seconds
from station.models import InboxOrder

MAX_PER_SWEEP = 1_000  # orders sent again by one sweep; the next minute's takes the rest
# A refusal's event detail names its time to be sent again under this key when Cin7 failed;
# rules do not count such refusals towards their resubmission limit (``actions``).
RESUBMIT_DETAIL = "resubmit_at"


@dataclass(frozen=True, slots=True)
class RetryTiming:
    """How long a run's claim holds, and how long Station waits after Cin7 failed."""

    # A run renews its claims after each Cin7 call; a claim older than this was cut off.
    # A call with its retries may take longer, so a run starts no attempt to send orders
    # later than ``attempt`` before its claims could lapse (see ``send_by``).
    lease: timedelta = timedelta(minutes=10)
    # The longest one Cin7 call attempt can take: the rate limiter's wait, then the timeout.
    attempt: timedelta = timedelta(
        seconds=DefaultConfig.CIN7_LIMIT_WAIT + DefaultConfig.CIN7_TIMEOUT
    )
    first_wait: timedelta = timedelta(minutes=1)
    max_wait: timedelta = timedelta(hours=1)

    def send_by(self, renewed: datetime) -> datetime:
        """The last moment to start sending orders whose claims were renewed at ``renewed``.

        An attempt started then ends (or gives up) by the time the claims could lapse and
        another run take the orders over, look their keys up in Cin7 and send them.
        """
        return renewed + self.lease - self.attempt

    def retry_at(self, failures: int, now: datetime) -> datetime:
        """When to send again after ``failures`` failures of Cin7 in a row."""
        wait = backoff_delay(
            failures,
            first=self.first_wait.total_seconds(),
            maximum=max(self.first_wait, self.max_wait).total_seconds(),
        )
        return now + wait


def retry_timing(config: Mapping[str, Any]) -> RetryTiming:
    """The timing set by ``INBOX_SUBMIT_LEASE``, ``INBOX_RESUBMIT_DELAY`` and the Cin7 waits."""
    default = RetryTiming()
    return RetryTiming(
        lease=timedelta(
            seconds=float(config.get("INBOX_SUBMIT_LEASE", default.lease.total_seconds()))
        ),
        attempt=timedelta(seconds=cin7_attempt_seconds(config)),
        first_wait=timedelta(
            seconds=float(config.get("INBOX_RESUBMIT_DELAY", default.first_wait.total_seconds()))
        ),
        max_wait=default.max_wait,
    )


def due_for_resubmission(session: Session, *, now: datetime, timing: RetryTiming) -> list[int]:
    """Ids of orders not in Cin7 whose run was cut off or whose retry time has come."""
    cut_off = InboxOrder.submitting_since < now - timing.lease
    retry_due = and_(InboxOrder.submitting_since.is_(None), InboxOrder.resubmit_at <= now)
    return list(
        session.scalars(
            select(InboxOrder.id)
            .where(InboxOrder.cin7_id.is_(None), or_(cut_off, retry_due))
            .order_by(InboxOrder.id)
            .limit(MAX_PER_SWEEP)
        )
    )
