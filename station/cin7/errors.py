"""What can go wrong talking to Cin7, as exceptions a person can act on.

Cin7Error (a StationError)
 ├── Cin7NotConfigured   no API username/key yet
 ├── Cin7AuthError       401/403: Cin7 refused the API username/key or its permissions
 ├── Cin7RateLimited     429 after every retry; carries ``retry_after`` seconds
 │    └── Cin7BudgetReserved  a read refused: the day's last calls are kept for write-backs
 ├── Cin7Unavailable     5xx, timeouts, connection errors after every retry
 ├── Cin7BadResponse     a reply that is not the JSON Cin7 promises
 ├── Cin7NotFound        404 for one record
 └── Cin7RequestRejected 400: Cin7 rejected the request (its message is kept)

Messages never contain credentials, nor quote a reply beyond Cin7's own error ``Message``.
``error_for_status`` turns an HTTP error status into the right one.
"""

from __future__ import annotations

from station.errors import StationError


class Cin7Error(StationError):
    """Talking to Cin7 failed; ``str()`` says what happened and what to do."""


class Cin7NotConfigured(Cin7Error):
    """Station has no Cin7 API username and key yet."""


class Cin7AuthError(Cin7Error):
    """Cin7 refused the API username/key (401) or the connection lacks permission (403)."""


class Cin7RateLimited(Cin7Error):
    """Cin7 kept answering 429, or today's call budget is spent."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Cin7BudgetReserved(Cin7RateLimited):
    """A read refused because the day's remaining Cin7 calls are kept for dispatch write-backs."""


class Cin7Unavailable(Cin7Error):
    """Cin7 did not answer usefully (5xx, timeout, connection refused) after retries."""


class Cin7BadResponse(Cin7Error):
    """Cin7 answered with something that is not the JSON it promises."""


class Cin7NotFound(Cin7Error):
    """Cin7 has no such record."""


class Cin7RequestRejected(Cin7Error):
    """Cin7 answered 400 to a request; the message is Cin7's own."""


def error_for_status(
    status: int, *, method: str, path: str, detail: str, retry_after: float | None = None
) -> Cin7Error:
    """The error for an HTTP error status from Cin7, worded for the person who must act.

    ``detail`` is Cin7's own ``Message`` (or ""), never credentials nor the rest of a reply.
    """
    call = f"{method} {path}"
    if status == 429:
        return Cin7RateLimited(
            "Cin7 is refusing calls for now (its rate limit, which other apps on the account "
            "share); Station will try again shortly.",
            retry_after=retry_after,
        )
    if status >= 500:
        return Cin7Unavailable(f"Cin7 answered {call} with HTTP {status}{after_failed(method)}.")
    if status == 401:
        return Cin7AuthError(
            "Cin7 refused the API username/key: check them in Settings → Cin7 (they come from "
            "Cin7 → Settings → Integrations & API → API v1)."
        )
    if status == 403:
        return Cin7AuthError(
            f"Cin7 refused the API username/key for {call}: give the API connection "
            "permission for it in Cin7 → Settings → Integrations & API."
        )
    if status == 404:
        return Cin7NotFound(f"Cin7 has nothing at {call} (HTTP 404).")
    said = f": {detail}" if detail else "."
    return Cin7RequestRejected(f"Cin7 rejected {call} (HTTP {status}){said}")


def after_failed(method: str) -> str:
    """The warning a failed create needs: it may have happened, so nobody sends it twice."""
    if method != "POST":
        return ""
    return "; Cin7 may have created some of these orders, so check Cin7 before sending them again"
