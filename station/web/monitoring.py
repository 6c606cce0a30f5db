"""``/healthz`` for load balancers and ``/metrics`` for Prometheus: no sign-in, no session.

``/metrics`` asks for ``Authorization: Bearer <METRICS_TOKEN>`` when that setting is
present; without it the figures (counts, no order data) are open to anyone who can reach
the server, so keep the path inside the private network or set the token.
"""

from __future__ import annotations

import hmac
import logging

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError

from station.db import utcnow
from station.extensions import db
from station.ops.health import database_problem
from station.ops.metrics import CONTENT_TYPE, render_metrics
from station.web.access import bearer_token

log = logging.getLogger(__name__)

bp = Blueprint("monitoring", __name__)

NO_STORE = {"Cache-Control": "no-store"}


@bp.get("/healthz")
def healthz() -> tuple[Response, int, dict[str, str]]:
    """200 while the database answers; 503 with the reason when it does not."""
    problem = database_problem(db.session)
    if problem:
        return jsonify(status="unavailable", reason=problem), 503, NO_STORE
    return jsonify(status="ok"), 200, NO_STORE


@bp.get("/metrics")
def metrics() -> Response:
    """Station's figures in Prometheus text format, read from the database now."""
    token = current_app.config.get("METRICS_TOKEN")
    if token and not hmac.compare_digest(bearer_token().encode(), str(token).encode()):
        return Response(
            "The metrics need the bearer token set in STATION_METRICS_TOKEN.\n",
            401,
            {"WWW-Authenticate": 'Bearer realm="metrics"', **NO_STORE},
            mimetype="text/plain",
        )
    try:
        body = render_metrics(db.session, now=utcnow())
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.warning("metrics: the database did not answer: %s", exc)
        return Response("The database did not answer.\n", 503, NO_STORE, mimetype="text/plain")
    return Response(body, 200, NO_STORE, content_type=CONTENT_TYPE)
