"""The sandbox's WSGI app: Basic auth, rate limits, faults and the request log around the API."""

from __future__ import annotations

import base64
import hmac
import time
from collections.abc import Callable

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from station.cin7.sandbox.api import api_blueprint, message
from station.cin7.sandbox.control import control
from station.cin7.sandbox.limits import CallWindows
from station.cin7.sandbox.shopify import shopify_blueprint
from station.cin7.sandbox.state import API_PREFIX, Limits, LoggedRequest, SandboxState
from station.cin7.sandbox.where import WhereError

DEMO_USERNAME = "station-demo"
DEMO_API_KEY = "sandbox-key"
CONTROL_PREFIX = "/_sandbox/"
# What a client sees when a reply is cut short: the start of a page of orders.
MALFORMED_BODY = '[{"id": 1, "reference": "SO-'


def create_sandbox(
    state: SandboxState | None = None,
    *,
    username: str = DEMO_USERNAME,
    api_key: str = DEMO_API_KEY,
    limits: Limits = Limits(),
    clock: Callable[[], float] = time.time,
) -> Flask:
    """A Cin7 Omni v1 look-alike serving ``state`` (seeded demo data when None).

    The app's ``sandbox_state`` is the account; ``clock`` becomes the account's clock so
    rate windows, logged times and ``modifiedDate`` stamps all read the same time.
    """
    if state is None:
        from station.cin7.sandbox.demo import seed_demo

        state = SandboxState(clock=clock)
        seed_demo(state)
    state.clock = clock
    app = Flask(__name__)
    app.sandbox_state = state  # type: ignore[attr-defined]
    app.before_request(
        _guard(
            state,
            CallWindows(limits, clock),
            _basic(username, api_key),
            send_retry_after=limits.retry_after,
        )
    )
    app.after_request(_recorder(state, clock))
    app.register_error_handler(WhereError, _bad_query)
    app.register_error_handler(HTTPException, _api_http_error)
    app.register_blueprint(api_blueprint(state))
    app.register_blueprint(shopify_blueprint(state, clock))
    app.register_blueprint(control(state))
    return app


def _basic(username: str, api_key: str) -> bytes:
    return b"Basic " + base64.b64encode(f"{username}:{api_key}".encode())


def _guard(
    state: SandboxState, windows: CallWindows, expected_auth: bytes, *, send_retry_after: bool
) -> Callable[[], Response | None]:
    """Credentials, then limits, then planned faults: the order a client meets them in Cin7.

    A 401 carries ``WWW-Authenticate: Basic``; a 429 of the limits carries ``Retry-After``
    only when ``send_retry_after``.
    """

    def guard() -> Response | None:
        g.body = None
        if not request.path.startswith(API_PREFIX):
            return None
        given = request.headers.get("Authorization", "").encode()
        if not hmac.compare_digest(given, expected_auth):
            return message(
                "Authorization has been denied for this request.",
                401,
                {"WWW-Authenticate": 'Basic realm="Cin7 API"'},
            )
        # The log keeps the moment the call was counted, so it shows the windows as enforced.
        g.counted_at, retry_after = windows.count()
        if retry_after is not None:
            headers = {"Retry-After": str(retry_after)} if send_retry_after else {}
            return message("API rate limit exceeded.", 429, headers)
        fault = state.faults.next_fault()
        if fault is None:
            return None
        if fault.kind == "slow":
            time.sleep(fault.seconds)  # a slow Cin7 is the point of this fault
            return None
        if fault.kind == "malformed":
            return Response(MALFORMED_BODY, status=200, mimetype="application/json")
        if fault.status == 429:
            windows.forget_last()  # a refused call does not spend the budget
        headers = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
        return message(f"Simulated HTTP {fault.status}.", fault.status, headers)

    return guard


def _recorder(state: SandboxState, clock: Callable[[], float]) -> Callable[[Response], Response]:
    """Log every answered request except the test controls."""

    def record(response: Response) -> Response:
        if not request.path.startswith(CONTROL_PREFIX):
            body = g.get("body")
            state.log(
                LoggedRequest(
                    g.get("counted_at") or clock(),
                    request.method,
                    request.path,
                    dict(request.args),
                    response.status_code,
                    body,
                )
            )
        return response

    return record


def _bad_query(exc: WhereError) -> Response:
    return message(f"The request is invalid: {exc}", 400)


def _api_http_error(exc: HTTPException) -> Response | HTTPException:
    """API paths answer errors in JSON like Cin7; other paths keep werkzeug's page."""
    if not request.path.startswith("/api/"):
        return exc
    return message(exc.description or exc.name, exc.code or 500)
