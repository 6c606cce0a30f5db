"""The JSON API for print agents (token auth, no cookies, no CSRF)."""

from __future__ import annotations

import time

from flask import Blueprint, Response, abort, jsonify, request

from station.db import utcnow
from station.extensions import csrf, db
from station.models import PrintAgent
from station.printing.agents import AgentRequestInvalid, agent_for_token, offer_jobs, report_job

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

LONG_POLL_MAX = 25.0  # seconds an agent's poll may wait for work
LONG_POLL_STEP = 0.5


def _agent() -> PrintAgent:
    header = request.headers.get("Authorization", "")
    token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    agent = agent_for_token(db.session, token)
    if agent is None:
        abort(401, "Unknown or revoked agent token.")
    return agent


@bp.get("/agent/jobs")
def agent_jobs() -> Response:
    """Jobs for the calling agent's printers; waits up to ``wait`` seconds for one to appear."""
    agent = _agent()
    wait = min(max(request.args.get("wait", 0.0, type=float), 0.0), LONG_POLL_MAX)
    deadline = time.monotonic() + wait
    while True:
        jobs = offer_jobs(db.session, agent, now=utcnow())
        if jobs or time.monotonic() >= deadline:
            return jsonify({"jobs": jobs})
        time.sleep(LONG_POLL_STEP)  # a long poll: the agent's request waits for work
        db.session.expire_all()


@bp.post("/agent/jobs/<int:job_id>")
def agent_report(job_id: int) -> Response:
    """The agent says how a job went: done, retry (nothing printed) or failed."""
    agent = _agent()
    body = request.get_json(silent=True) or {}
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
        return Response(
            jsonify({"error": str(exc)}).get_data(), status=400, mimetype="application/json"
        )
    return jsonify({"id": job.id, "state": job.state.value})


@bp.errorhandler(401)
def unauthorised(exc: Exception) -> Response:
    response = jsonify({"error": "Unknown or revoked agent token."})
    response.status_code = 401
    return response
