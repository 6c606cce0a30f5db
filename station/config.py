"""Station's settings: embedded defaults, then ``instance/station.cfg``, then ``STATION_*``.

Every default runs Station with nothing installed but the package itself: SQLite in the
instance folder, the built-in Cin7 sandbox, jobs in-process. Production sets
``STATION_DATABASE_URL``, ``STATION_REDIS_URL`` and real Cin7 credentials.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

REAL_CIN7_BASE_URL = "https://api.cin7.com/api"
SANDBOX_MOUNT = "/sandbox"


class DefaultConfig:
    """Embedded defaults; every key can be overridden as ``STATION_<KEY>``."""

    SECRET_KEY: str | None = None  # generated into the instance folder when unset
    DATABASE_URL: str | None = None  # None -> sqlite:///<instance>/station.db
    REDIS_URL: str | None = None  # None -> huey on SQLite, rate limiter on the database
    # Seconds a request waits for SQLite's write lock before it is answered 503 "busy, try
    # again". Writers keep their transactions short (imports commit every few hundred
    # orders), so a packer's wait is a fraction of a second; this is only the upper bound
    # for a writer that is stuck, kept well under gunicorn's --timeout and a packer's patience.
    DATABASE_BUSY_TIMEOUT: float = 10.0
    # Seconds to wait for PostgreSQL to accept a connection (whole seconds, at least 2).
    # Without it a server that went away behind a firewall holds each request for the
    # operating system's two minutes; with it the request is answered 503 "cannot reach".
    DATABASE_CONNECT_TIMEOUT: float = 5.0
    CIN7_BASE_URL: str | None = None  # None -> setting, else the mounted sandbox (demo)
    CIN7_USERNAME: str | None = None
    CIN7_API_KEY: str | None = None
    # Let the Cin7 base URL be a private or local address (plain http only to this
    # machine): the embedded sandbox, a proxy on the server. Off, it is never an SSRF probe.
    CIN7_PRIVATE: bool = False
    # The Shopify module's "update order status" link, with {link_id} and {order_id};
    # None -> Settings → Cin7, else Cin7's own (station/cin7/trigger.py).
    CIN7_SHOPIFY_TRIGGER_URL: str | None = None
    CIN7_TIMEOUT: float = 30.0  # seconds an HTTP call to Cin7 may take (connect, read, write)
    CIN7_LIMIT_WAIT: float = 120.0  # seconds a call may wait for the shared rate limiter
    # Pace calls to Cin7's 3 a second and 60 a minute. Only tests against a sandbox without
    # limits turn it off; the day's 5,000 and its reserve count either way.
    CIN7_PACING: bool = True
    # Of Cin7's 5,000 calls a day, the last this many are kept for dispatch write-backs:
    # syncs, lookups and checks stop before them (see station/cin7/budget.py).
    CIN7_DAILY_RESERVE: int = 500
    # What one person may ask of Cin7, as uses/minutes (station/cin7/allowance.py).
    CIN7_LOOKUP_ALLOWANCE: str = "20/10"  # "why is it missing?", Refresh from Cin7
    CIN7_SYNC_ALLOWANCE: str = "6/60"  # Sync now, Check shipments now, inventory sync now
    CIN7_CONNECTION_ALLOWANCE: str = "20/10"  # Test connection, List Cin7 branches
    CIN7_SEND_ALLOWANCE: str = "30/10"  # inbox Submit, rule re-runs, CSV imports, retries
    SANDBOX_ENABLED: bool = False  # mount the Cin7 sandbox at /sandbox (the demo turns it on)
    SANDBOX_LIMITS: bool = True  # the sandbox enforces Cin7's 3/s, 60/min, 5000/day
    SYNC_INTERVAL: int = 60  # seconds between scheduled order syncs
    # Seconds one order sync (or inbox shipment check, inventory sync) may run, most of it
    # spent waiting out Cin7's 429s when other apps on the account use its 60 calls a
    # minute; a sync cut off there resumes from its last stored page on the next run
    # (station/cin7/client.py, docs/deploy.md).
    SYNC_DEADLINE: int = 1800
    INBOX_SHIPMENT_CHECK_MINUTES: int = 5  # between checks of inbox orders shipped in Cin7
    # Seconds before a submission cut off by a dying worker is redone; longer than one Cin7
    # call attempt can take (CIN7_LIMIT_WAIT + CIN7_TIMEOUT), see ``submit_lease``.
    INBOX_SUBMIT_LEASE: int = 600
    INBOX_RESUBMIT_DELAY: int = 60  # seconds before an order Cin7 failed is sent again (doubling)
    INBOX_RULE_SUBMIT_DELAY: float = 2.0  # seconds rule-scheduled orders wait to share one run
    # Seconds an outbox claim may go unrenewed before its worker counts as dead and its
    # items are checked in Cin7 and sent again; a live pass renews every third of it.
    OUTBOX_SENDING_LEASE: int = 30
    OUTBOX_BATCH_SIZE: int = 250  # orders per Cin7 batch PUT (Cin7 takes at most 250)
    # Seconds one outbox pass may spend, waiting out Cin7's 429s included; what it did not
    # send waits for the next pass.
    OUTBOX_PASS_DEADLINE: int = 600
    INBOX_WEBHOOK_PRIVATE: bool = False  # let inbox rule webhooks call private/local addresses
    PRINT_FILES_ROOT: str | None = None  # file printers write only here; None -> <instance>/labels
    PRINTER_EXTRA_PORTS: str = (
        ""  # raw TCP ports allowed beside 9100-9102, 6101 ("9200, 10000-10010")
    )
    OUTBOX_DELAY: float = 2.0  # seconds a dispatch waits so nearby dispatches share one PUT
    JOBS_IMMEDIATE: bool = False  # run huey tasks inline (tests)
    JOBS_IN_PROCESS: bool = False  # start a huey consumer thread inside the web process (demo)
    # Print agent long polls one web process holds: per token, and in all. Keep the total
    # below gunicorn's --threads so /healthz and the benches always find a free thread.
    AGENT_POLLS_PER_TOKEN: int = 2
    AGENT_POLLS_MAX: int = 4
    METRICS_TOKEN: str | None = None  # when set, /metrics asks for "Authorization: Bearer <it>"
    PROXY_FIX: int = 0  # reverse proxies in front of Station whose X-Forwarded-* are trusted
    LOG_FORMAT: str = "text"  # "text" or "json"
    LOG_LEVEL: str = "INFO"
    TIMEZONE: str = ""  # the site's zone unless Settings choose one; empty: the server's own
    ORDERS_PER_PAGE: int = 50
    # The largest request body Station reads (bytes): a 10 MB CSV import with its form
    # fits; the order API (1 MB) and rate cards (1 MB) keep their own smaller limits.
    MAX_CONTENT_LENGTH: int = 12 * 1024 * 1024
    SESSION_IDLE_MINUTES: int = 720  # signed out after this long without a request (a shift)
    WTF_CSRF_TIME_LIMIT: int | None = None
    SESSION_COOKIE_HTTPONLY: bool = True
    SESSION_COOKIE_SAMESITE: str = "Lax"


@dataclass(frozen=True, slots=True)
class Cin7Connection:
    """Where and as whom Station talks to Cin7 Omni."""

    base_url: str
    username: str
    api_key: str = field(repr=False)
    timeout: float = 30.0

    @property
    def configured(self) -> bool:
        """True when both credentials are present."""
        return bool(self.username and self.api_key)


def coerce_bool(value: Any) -> bool:
    """Read a boolean setting that may arrive as a string from the environment."""
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


def read_flag(config: Mapping[str, Any], key: str) -> bool:
    """A boolean config value, tolerant of ``STATION_X=0`` style strings."""
    return coerce_bool(config.get(key, False))


def request_size_limit(value: Any) -> int:
    """``MAX_CONTENT_LENGTH`` as a whole number of bytes; ValueError for anything else."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"MAX_CONTENT_LENGTH must be a positive number of bytes, not {value!r}")
    return value


def cin7_attempt_seconds(config: Mapping[str, Any]) -> float:
    """The longest one Cin7 call attempt can take: waiting for the rate limiter, then HTTP."""
    return _seconds(config, "CIN7_LIMIT_WAIT") + _seconds(config, "CIN7_TIMEOUT")


def submit_lease(config: Mapping[str, Any]) -> float:
    """``INBOX_SUBMIT_LEASE`` in seconds, checked to outlast one Cin7 call attempt.

    A submission run starts no attempt to send orders once another run could take its
    claims over, less the longest one attempt can take; a lease no longer than one attempt
    would leave it no time to send at all. Raises ValueError naming the settings to change.
    """
    lease = _seconds(config, "INBOX_SUBMIT_LEASE")
    attempt = cin7_attempt_seconds(config)
    if lease <= attempt:
        raise ValueError(
            f"INBOX_SUBMIT_LEASE must be longer than one Cin7 call can take: "
            f"CIN7_LIMIT_WAIT ({_seconds(config, 'CIN7_LIMIT_WAIT'):g} s waiting for the rate "
            f"limiter) + CIN7_TIMEOUT ({_seconds(config, 'CIN7_TIMEOUT'):g} s) = {attempt:g} s, "
            f"not {lease:g} s. Raise the lease or lower those two."
        )
    return lease


def job_seconds(config: Mapping[str, Any], key: str) -> float:
    """A job's time limit (``SYNC_DEADLINE``, ``OUTBOX_PASS_DEADLINE``) in seconds, above 0;
    raises ValueError naming the setting otherwise."""
    return _seconds(config, key)


def _seconds(config: Mapping[str, Any], key: str) -> float:
    """A setting in seconds (a number, or a string of one from the environment), above 0."""
    value = config.get(key, getattr(DefaultConfig, key))
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{key} must be a number of seconds, not {value!r}") from None
    if not 0 < seconds < float("inf"):
        raise ValueError(f"{key} must be a positive number of seconds, not {value!r}")
    return seconds


def describe_size(size: int) -> str:
    """A byte count as people read it: 12 MB, 512 KB, 300 bytes."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            amount = size / scale
            return f"{amount:.0f} {unit}" if amount == int(amount) else f"{amount:.1f} {unit}"
    return f"{size} bytes"
