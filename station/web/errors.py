"""App-wide error pages: roll back on failure, answer as a page, an htmx fragment or JSON."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import (
    Flask,
    Response,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
)
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge
from werkzeug.routing import RequestRedirect

from station.config import describe_size
from station.db import database_busy, database_unreachable
from station.errors import StationError
from station.extensions import db
from station.inbox.csv_import import MAX_CSV_BYTES
from station.ops.checks import first_line
from station.shipping.ratecards import MAX_RATE_CARD_BYTES
from station.web.fragments import is_fragment_request

log = logging.getLogger(__name__)

BUSY_RETRY_AFTER_S = 5  # an import commits every few hundred orders: the lock frees well before
BUSY = (
    "The database is busy with other work (an import or a bulk run) and did not answer in "
    "time. Nothing was saved; try again in a few seconds."
)
UNREACHABLE_RETRY_AFTER_S = 30
UNREACHABLE = (
    "Station cannot reach its database just now. Nothing was saved; try again in a minute, "
    "and tell whoever runs Station if this goes on."
)
API_PREFIX = "/api/"  # token-authenticated JSON endpoints: errors answer as JSON
UPLOAD_NOTES = {  # endpoint -> what its own upload takes, added to its 413 page
    "inbox.import_orders": (
        f"A CSV import takes files up to {describe_size(MAX_CSV_BYTES)}: split a bigger "
        "file and import the parts."
    ),
    "shipping.upload_rate_card": (
        f"A rate card takes CSV files up to {describe_size(MAX_RATE_CARD_BYTES)}."
    ),
}


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> tuple[str, int]:
        log.info("refused a request without a valid CSRF token: %s", exc.description)
        return _render(400, "This form has expired. Reload the page and try again.")

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(exc: RequestEntityTooLarge) -> ResponseReturnValue:
        limit = describe_size(app.config["MAX_CONTENT_LENGTH"])
        log.info("refused a request body over %s to %s", limit, request.path)
        if request.path.startswith(API_PREFIX):
            return _json(413, f"The request body is larger than {limit}, the most Station reads.")
        message = f"What you sent is larger than {limit}, the most Station takes in one request."
        note = UPLOAD_NOTES.get(request.endpoint or "")
        return _render(413, f"{message} {note}" if note else message)

    @app.errorhandler(MethodNotAllowed)
    def method_not_allowed(exc: MethodNotAllowed) -> ResponseReturnValue:
        # A form's address opened as a page (reloaded after the form's answer, typed or
        # bookmarked): the page the form belongs to, rather than "not allowed".
        page = _form_page() if request.method == "GET" else None
        if page is None:
            return _answer(405, exc.description or exc.name)
        log.info("GET %s takes a form's POST: sent to %s", request.path, page)
        return redirect(page, 303)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        return _answer(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(StationError)
    def station_error(exc: StationError) -> tuple[str, int]:
        db.session.rollback()
        log.warning("request refused: %s", exc)
        return _render(409, str(exc))

    @app.errorhandler(OperationalError)
    def database_error(exc: OperationalError) -> ResponseReturnValue:
        if database_busy(exc):
            log.warning(
                "answered 503 to %s %s: the database stayed locked past the busy timeout (%s)",
                request.method,
                request.path,
                exc.orig,
            )
            return _unavailable(BUSY, BUSY_RETRY_AFTER_S)
        if database_unreachable(exc):
            _log_unreachable(exc)
            return _unavailable(UNREACHABLE, UNREACHABLE_RETRY_AFTER_S, bare=True)
        return unexpected(exc)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> ResponseReturnValue:
        _forget_connection()
        log.exception("unexpected error")
        return _answer(500, "Something went wrong on the server. It has been logged.")


def _form_page() -> str | None:
    """The nearest page above this request's path (``/settings/shipping/`` for
    ``/settings/shipping/cost-centres``), or None: for browsers' page loads only, not
    the API's or htmx's requests."""
    if request.path.startswith(API_PREFIX) or is_fragment_request():
        return None
    adapter = current_app.url_map.bind_to_environ(request.environ)
    parts = request.path.rstrip("/").split("/")
    while len(parts) > 1:
        parts.pop()
        above = "/".join(parts) or "/"
        try:
            adapter.match(above, method="GET")
        except RequestRedirect as moved:  # the page's own address ends in a slash
            return urlsplit(moved.new_url).path
        except HTTPException:
            continue
        return request.script_root + above
    return None


def _answer(code: int, message: str) -> ResponseReturnValue:
    """The error as the route speaks: JSON under the API, else a page or an htmx fragment."""
    if request.path.startswith(API_PREFIX):
        return _json(code, message)
    return _render(code, message)


def _unavailable(message: str, retry_after: int, *, bare: bool = False) -> Response:
    """A 503 the person (or the API caller) may retry after ``retry_after`` seconds.

    ``bare`` pages are drawn without the app's context processors or the signed-in
    person (``unavailable.html``, no header): for when the database cannot be reached.
    """
    _forget_connection()
    if request.path.startswith(API_PREFIX):
        response = _json(503, message)
    elif not bare:
        response = make_response(*_render(503, message))
    else:
        response = make_response(_bare(503, message), 503)
    response.headers["Retry-After"] = str(retry_after)
    return response


def _render(code: int, message: str) -> tuple[str, int]:
    """The error as a page or an htmx fragment; when drawing it needs a database that
    cannot be reached (the header's figures, the person), the bare 503 instead."""
    template = "partials/error.html" if is_fragment_request() else "error.html"
    try:
        return render_template(template, code=code, message=message), code
    except OperationalError as exc:
        if not database_unreachable(exc):
            raise
        _log_unreachable(exc, instead_of=code)
        _forget_connection()
        return _bare(503, UNREACHABLE), 503


def _log_unreachable(exc: OperationalError, *, instead_of: int | None = None) -> None:
    """The admin's line for a 503 answered because the database could not be reached."""
    instead = f" instead of {instead_of}" if instead_of else ""
    log.error(
        "answered 503 to %s %s%s: the database could not be reached (%s)",
        request.method,
        request.path,
        instead,
        first_line(exc.orig),
    )


def _bare(code: int, message: str) -> str:
    """The error drawn without the app's context processors or the signed-in person
    (``unavailable.html``, no header): it needs nothing from the database."""
    template = "partials/error.html" if is_fragment_request() else "unavailable.html"
    return current_app.jinja_env.get_template(template).render(code=code, message=message)


def _forget_connection() -> None:
    """Roll the session back, or drop its connection when that is already gone."""
    try:
        db.session.rollback()
    except OperationalError:
        db.session.invalidate()


def _json(code: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = code
    return response
