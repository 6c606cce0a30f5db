"""Mounting the Cin7 sandbox inside Station's own web app (the demo's Cin7).

The sandbox's API answers to the demo Cin7 credentials, as Cin7 would. Its ``/_sandbox``
controls (request log, faults, generating and dispatching orders) need no credentials on
a standalone sandbox, where only a test talks to them; mounted in Station they are
reachable by anyone who reaches Station, so every control request first passes
``guard``, which the app factory gives: a signed-in Station admin only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.wrappers import Response

from station.config import SANDBOX_MOUNT, read_flag

# Given the WSGI environ of a control request, a refusal to send, or None to let it through.
ControlGuard = Callable[[dict[str, object]], Response | None]


def init_app(app: Flask, *, guard: ControlGuard) -> None:
    """With SANDBOX_ENABLED, serve a seeded sandbox at /sandbox (base URL /sandbox/api)."""
    if not read_flag(app.config, "SANDBOX_ENABLED"):
        return
    from station.cin7.sandbox import Limits, create_sandbox
    from station.cin7.sandbox.app import CONTROL_PREFIX

    limits = Limits() if read_flag(app.config, "SANDBOX_LIMITS") else Limits.unlimited()
    sandbox = create_sandbox(limits=limits)
    app.extensions["station.sandbox"] = sandbox

    def guarded(
        environ: dict[str, object], start_response: Callable[..., object]
    ) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        if path.startswith(CONTROL_PREFIX) or path == CONTROL_PREFIX.rstrip("/"):
            refusal = guard(environ)
            if refusal is not None:
                return refusal(environ, start_response)  # type: ignore[arg-type]
        return sandbox(environ, start_response)  # type: ignore[arg-type]

    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {SANDBOX_MOUNT: guarded})  # type: ignore[method-assign,dict-item]
