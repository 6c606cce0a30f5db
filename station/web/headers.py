"""Response headers every page gets: no MIME sniffing, no framing, no cross-site referrers."""

from __future__ import annotations

from flask import Flask, Response

SECURITY_HEADERS = {
    # A label's raw ZPL is served as text/plain; a browser must never read it as HTML.
    "X-Content-Type-Options": "nosniff",
    # Buttons that ship and void must not be clickable through someone else's frame.
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    """Add ``SECURITY_HEADERS`` to every response that does not set them itself."""

    @app.after_request
    def secure(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response
