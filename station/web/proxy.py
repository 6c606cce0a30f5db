"""Behind a reverse proxy: trust its X-Forwarded-* headers, and only when told to.

``PROXY_FIX`` is how many proxies stand in front of Station (nginx alone: 1). With 0,
the default, the headers are ignored, because anyone can send them: the client address
that the sign-in lockout counts by would otherwise be whatever a caller claims.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    """Wrap the WSGI app in werkzeug's ProxyFix when ``PROXY_FIX`` counts any proxies."""
    proxies = proxy_count(app.config.get("PROXY_FIX", 0))
    app.config["PROXY_FIX"] = proxies
    if proxies:
        # The proxy must set (not pass on) each of these three headers.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )


def proxy_count(value: Any) -> int:
    """``PROXY_FIX`` as a whole number of proxies, 0 or more; anything else stops Station starting."""
    try:
        proxies = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"PROXY_FIX must be a whole number of proxies, not {value!r}") from None
    if proxies < 0 or proxies != float(value):
        raise ValueError(f"PROXY_FIX must be 0 or more whole proxies, not {value!r}")
    return proxies
