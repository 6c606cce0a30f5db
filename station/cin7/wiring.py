"""Building Cin7 clients for the app: which server, which credentials, one shared limiter."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from station.cin7.address import base_url_problem
from station.cin7.allowance import (
    Cin7Allowances,
    allowances_from_config,
    build_allowance_store,
)
from station.cin7.budget import ReserveKeepingLimiter, daily_reserve, record_call
from station.cin7.client import CallRecord, Cin7Client, Deadline, RetryPolicy
from station.cin7.errors import Cin7NotConfigured
from station.cin7.ratelimit import CallLimits, RateLimiter, build_rate_limiter
from station.cin7.trigger import DEFAULT_TEMPLATE, TEMPLATE_KEY
from station.config import REAL_CIN7_BASE_URL, Cin7Connection, job_seconds, read_flag
from station.db import utcnow
from station.extensions import db
from station.secretbox import SecretBox
from station.settings import SettingsStore

log = logging.getLogger(__name__)

# Setting keys for the connection entered in Settings (the environment wins over them).
BASE_URL_KEY = "cin7.base_url"
USERNAME_KEY = "cin7.username"
API_KEY_KEY = "cin7.api_key"
# The settings that hold how long a job may run, waiting out Cin7's 429s included.
JOB_DEADLINES = ("SYNC_DEADLINE", "OUTBOX_PASS_DEADLINE")


@dataclass
class Cin7Wiring:
    """Makes Cin7 clients that share the app's rate limiter and count their calls.

    ``reads`` is the limiter for every client but the outbox's: it keeps the day's last
    calls (``CIN7_DAILY_RESERVE``) for dispatch write-backs. ``allowances`` meters what
    each person asks of Cin7.
    """

    config: Mapping[str, Any]
    limiter: RateLimiter
    engine: Engine
    box: SecretBox
    reads: RateLimiter | None = None
    allowances: Cin7Allowances | None = None

    def settings(self, session: Session) -> SettingsStore:
        """The runtime settings store for ``session``."""
        return SettingsStore(session, self.box)

    @property
    def allow_private(self) -> bool:
        """Whether the Cin7 base URL may be a private or local address (CIN7_PRIVATE)."""
        return read_flag(self.config, "CIN7_PRIVATE")

    def connection(self, session: Session) -> Cin7Connection:
        """The Cin7 connection: environment first, then Settings, then the real Cin7 URL."""
        store = self.settings(session)
        return Cin7Connection(
            base_url=(
                self.config.get("CIN7_BASE_URL") or store.get(BASE_URL_KEY) or REAL_CIN7_BASE_URL
            ).rstrip("/"),
            username=self.config.get("CIN7_USERNAME") or store.get(USERNAME_KEY) or "",
            api_key=self.config.get("CIN7_API_KEY") or store.get_secret(API_KEY_KEY) or "",
            timeout=float(self.config.get("CIN7_TIMEOUT", 30.0)),
        )

    def shopify_trigger_template(self, session: Session) -> str:
        """The Shopify trigger's URL template: environment first, then Settings, then Cin7's."""
        return (
            self.config.get("CIN7_SHOPIFY_TRIGGER_URL")
            or self.settings(session).get(TEMPLATE_KEY)
            or DEFAULT_TEMPLATE
        ).strip()

    def client(
        self,
        session: Session,
        *,
        retry: RetryPolicy = RetryPolicy(),
        timeout: float | None = None,
        write_back: bool = False,
        deadline_key: str | None = None,
    ) -> Cin7Client:
        """A client for the configured connection; raises Cin7NotConfigured without credentials.

        ``retry`` and ``timeout`` (default: CIN7_TIMEOUT) let a quick check give up sooner.
        Only a ``write_back`` client (the outbox's) may spend the day's reserve; any other
        raises Cin7BudgetReserved from its calls once only the reserve is left. A job names
        the setting that holds its time (``deadline_key``, e.g. ``SYNC_DEADLINE``): from
        now, its calls wait out Cin7's 429s until then, and none starts after it.
        """
        conn = self.connection(session)
        if not conn.configured:
            raise Cin7NotConfigured(
                "Cin7 is not connected yet: enter the API username and key in Settings."
            )
        # Checked before every client, not only when saved: the URL may come from the
        # environment, and a host's addresses can change after it was saved.
        problem = base_url_problem(conn.base_url, allow_private=self.allow_private)
        if problem:
            raise Cin7NotConfigured(f"Station will not call Cin7 there: {problem}.")
        return Cin7Client.connect(
            conn.base_url,
            conn.username,
            conn.api_key,
            limiter=self.limiter if write_back or self.reads is None else self.reads,
            timeout=conn.timeout if timeout is None else timeout,
            observer=self._count,
            retry=retry,
            deadline=self.deadline(deadline_key) if deadline_key else None,
        )

    def deadline(self, key: str) -> Deadline:
        """The deadline of a job that starts now and may run for the setting ``key``."""
        return Deadline(utcnow() + timedelta(seconds=job_seconds(self.config, key)), utcnow)

    def _count(self, record: CallRecord) -> None:
        try:
            record_call(self.engine, status=record.status)
        except SQLAlchemyError as exc:
            # The tally is for people; a locked or lost database must not fail the Cin7 call.
            log.warning("could not count a Cin7 call (%s %s): %s", record.method, record.path, exc)


def init_app(app: Flask) -> None:
    """Create the app's Cin7 wiring: a limiter shared by every process of this install."""
    for key in JOB_DEADLINES:  # a bad value stops Station at start, naming the setting
        job_seconds(app.config, key)
    with app.app_context():
        engine = db.engine
    limits = CallLimits.for_timeout(
        float(app.config["CIN7_TIMEOUT"]), max_wait=float(app.config["CIN7_LIMIT_WAIT"])
    )
    if not read_flag(app.config, "CIN7_PACING"):
        limits = limits.without_pacing()
    limiter = build_rate_limiter(
        redis_url=app.config.get("REDIS_URL"),
        engine=engine,
        key_prefix=app.config.get("REDIS_PREFIX", "station"),
        limits=limits,
    )
    reads = ReserveKeepingLimiter(limiter, reserve=daily_reserve(app.config["CIN7_DAILY_RESERVE"]))
    store = build_allowance_store(
        redis_url=app.config.get("REDIS_URL"),
        engine=engine,
        key_prefix=app.config.get("REDIS_PREFIX", "station"),
    )
    allowances = Cin7Allowances(store, allowances_from_config(app.config))
    box = app.extensions["station.secretbox"]
    app.extensions["station.cin7"] = Cin7Wiring(
        app.config, limiter, engine, box, reads=reads, allowances=allowances
    )


def cin7_wiring() -> Cin7Wiring:
    """The current app's Cin7 wiring (for views, jobs and commands)."""
    return current_app.extensions["station.cin7"]
