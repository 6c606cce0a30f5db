"""App-wide error pages: roll back on failure, answer as a page or an htmx fragment."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from station.errors import StationError
from station.extensions import db
from station.web.fragments import is_fragment_request

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> tuple[str, int]:
        log.info("refused a request without a valid CSRF token: %s", exc.description)
        return _render(400, "This form has expired. Reload the page and try again.")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[str, int]:
        return _render(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(StationError)
    def station_error(exc: StationError) -> tuple[str, int]:
        db.session.rollback()
        log.warning("request refused: %s", exc)
        return _render(409, str(exc))

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> tuple[str, int]:
        db.session.rollback()
        log.exception("unexpected error")
        return _render(500, "Something went wrong on the server. It has been logged.")


def _render(code: int, message: str) -> tuple[str, int]:
    template = "partials/error.html" if is_fragment_request() else "error.html"
    return render_template(template, code=code, message=message), code
