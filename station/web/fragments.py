"""Answering htmx requests with a fragment and full requests with the page."""

from __future__ import annotations

from flask import Response, render_template
from htmx_flask import request


def is_fragment_request() -> bool:
    """True for htmx requests that want a fragment (not history restores)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def page_or_fragment(page: str, fragment: str, **context: object) -> Response:
    """Render the fragment for htmx, the page otherwise, and say the answer varies."""
    template = fragment if is_fragment_request() else page
    response = Response(render_template(template, **context))
    response.headers["Vary"] = "HX-Request"
    return response
