"""Response headers every page gets: no MIME sniffing, no framing, no cross-site referrers,
and on HTML a Content-Security-Policy: scripts, styles, images and form posts only from
Station itself, no inline scripts, event handlers or eval (``early.js`` does what they
did)."""

from __future__ import annotations

from flask import Flask, Response

SECURITY_HEADERS = {
    # A label's raw ZPL is served as text/plain; a browser must never read it as HTML.
    "X-Content-Type-Options": "nosniff",
    # Buttons that ship and void must not be clickable through someone else's frame.
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        # htmx runs with allowEval off (base.html's htmx-config): no hx-on, no js: values,
        # no trigger filters, so nothing an injected attribute says can run.
        "script-src 'self'",
        # htmx adds its indicator styles as a <style>; a few elements carry a style.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


def init_app(app: Flask) -> None:
    """Add ``SECURITY_HEADERS`` to every response that does not set them itself, and the
    Content-Security-Policy to every HTML one."""

    @app.after_request
    def secure(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
