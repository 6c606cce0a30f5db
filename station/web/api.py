"""The JSON API for print agents (token auth, no cookies, no CSRF).

An agent's poll may wait up to ``LONG_POLL_MAX`` seconds for work, holding a worker
thread but not a database connection: run gunicorn with threads (``--worker-class
gthread --threads 8`` or more) so waiting agents never starve the people at the benches.
How many polls wait at once is bounded (``station.web.long_polls``): past the bound a
poll gets 429 and the agent backs off.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from flask import Blueprint, Response, abort, jsonify, request

from station.db import utcnow
from station.extensions import csrf, db
from station.models import PrintAgent
from station.printing.agents import (
    AgentRequestInvalid,
    agent_for_token,
    offer_jobs,
    record_weight,
    report_job,
)
from station.sitetime import iso_utc
from station.web.access import bearer_token
from station.web.jsonbody import request_json
from station.web.long_polls import TooManyPolls, long_polls

log = logging.getLogger(__name__)

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

LONG_POLL_MAX = 25.0  # seconds an agent's poll may wait for work
LONG_POLL_STEP = 0.5
REPORT_EXAMPLE = '{"outcome": "done"}'
SCALE_EXAMPLE = '{"grams": 1234, "stable": true}'


def _agent() -> PrintAgent:
    agent = agent_for_token(db.session, bearer_token())
    if agent is None:
        abort(401, "Unknown or revoked agent token.")
    return agent


@bp.get("/agent/jobs")
def agent_jobs() -> Response:
    """Jobs for the calling agent's printers; waits up to ``wait`` seconds for one to appear."""
    agent = _agent()
    try:
        wait = float(request.args.get("wait", "0"))
    except ValueError:
        wait = math.nan
    if not math.isfinite(wait):
        return _bad_request("wait is a number of seconds, for example wait=20.")
    wait = min(max(wait, 0.0), LONG_POLL_MAX)
    if wait == 0:
        return jsonify({"jobs": offer_jobs(db.session, agent, now=utcnow())})
    try:
        with long_polls().hold(agent.id):
            return jsonify({"jobs": _wait_for_jobs(agent, time.monotonic() + wait)})
    except TooManyPolls as exc:
        log.warning("agent %s: long poll refused: %s", agent.name, exc)
        response = jsonify({"error": str(exc)})
        response.status_code = 429
        response.headers["Retry-After"] = "5"
        return response


def _wait_for_jobs(agent: PrintAgent, deadline: float) -> list[dict[str, Any]]:
    while True:
        jobs = offer_jobs(db.session, agent, now=utcnow())
        if jobs or time.monotonic() >= deadline:
            return jobs
        db.session.rollback()  # hand the connection back while this request waits
        time.sleep(LONG_POLL_STEP)  # a long poll: the agent's request waits for work


@bp.post("/agent/jobs/<int:job_id>")
def agent_report(job_id: int) -> Response:
    """The agent says how a job went: done, retry (nothing printed) or failed."""
    agent = _agent()
    body = request_json(default={}, example=REPORT_EXAMPLE)
    if not isinstance(body, dict):
        return _bad_request(f"Send a JSON object such as {REPORT_EXAMPLE}.")
    try:
        job = report_job(
            db.session,
            agent,
            job_id,
            outcome=str(body.get("outcome", "")),
            error=(str(body["error"])[:1000] if body.get("error") else None),
            now=utcnow(),
        )
    except AgentRequestInvalid as exc:
        return _bad_request(str(exc))
    return jsonify({"id": job.id, "state": job.state.value})


@bp.post("/agent/scale")
def agent_scale() -> Response:
    """The agent's scale settled on a weight: ``{"grams": 1234, "stable": true}``."""
    agent = _agent()
    if not request.is_json:
        return _bad_request(f"Send JSON (Content-Type: application/json): {SCALE_EXAMPLE}.")
    try:
        weight = record_weight(db.session, agent, request_json(example=SCALE_EXAMPLE), now=utcnow())
    except AgentRequestInvalid as exc:
        return _bad_request(str(exc))
    return jsonify(
        {"grams": weight.grams, "stable": weight.stable, "read_at": iso_utc(weight.read_at)}
    )


def _bad_request(message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = 400
    return response


@bp.errorhandler(401)
def unauthorised(exc: Exception) -> Response:
    response = jsonify({"error": "Unknown or revoked agent token."})
    response.status_code = 401
    return response
