"""Print agents: bench PCs that fetch their printers' jobs from the server and print locally.

The server hands a job to an agent by moving it to ``sending``; a job stays offered to
that agent until the agent reports how it went, so an agent that restarts (or lost the
network before reporting) is offered the same job again and consults its own journal
to tell "already printed" from "never started".

An agent with a scale (``station agent --scale PORT``) posts its stable readings; the
latest one is kept on the agent's row for the bench to read with ``latest_weight``.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from station import audit
from station.db import utcnow
from station.errors import StationError, problems_sentence
from station.models import JobState, PrintAgent, Printer, PrintJob
from station.printing.queue import requeue_later
from station.printing.withheld import withheld_reason, withhold
from station.queue import claim, fail, succeed
from station.uow import UnitOfWork

if TYPE_CHECKING:
    from station.models import User

OUTCOMES = ("done", "retry", "failed")
MAX_GRAMS = 2_000_000  # 2 t: more than any scale at a packing bench


class AgentRequestInvalid(StationError):
    """An agent reported something Station cannot accept."""


@dataclass(frozen=True, slots=True)
class ScaleWeight:
    """One reading of the scale at a bench PC."""

    grams: int
    stable: bool
    read_at: datetime


@dataclass(frozen=True, slots=True)
class NewAgent:
    """A freshly registered agent and its token (shown once, stored only as a hash)."""

    agent: PrintAgent
    token: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def register_agent(session: Session, name: str) -> NewAgent:
    """Create an agent with a new random token."""
    name = name.strip()
    if not name:
        raise AgentRequestInvalid("An agent needs a name (for example the bench it sits at).")
    if session.scalar(select(PrintAgent).where(PrintAgent.name == name)) is not None:
        raise AgentRequestInvalid(f"An agent called {name!r} already exists.")
    token = secrets.token_urlsafe(32)
    agent = PrintAgent(name=name, token_hash=_hash(token))
    session.add(agent)
    return NewAgent(agent, token)


def list_agents(session: Session) -> list[PrintAgent]:
    """Every agent with its printers: active ones first, then by name."""
    return list(
        session.scalars(
            select(PrintAgent)
            .options(selectinload(PrintAgent.printers))
            .order_by(PrintAgent.revoked_at.is_not(None), PrintAgent.name)
        )
    )


def active_agents(session: Session) -> list[PrintAgent]:
    """Agents whose token still works, by name (the ones a printer can be given to)."""
    return list(
        session.scalars(
            select(PrintAgent).where(PrintAgent.revoked_at.is_(None)).order_by(PrintAgent.name)
        )
    )


def revoke_agent(agent: PrintAgent, *, now: datetime) -> None:
    """Stop accepting the agent's token."""
    agent.revoked_at = agent.revoked_at or now


def add_print_agent(actor: User | None, name: str) -> NewAgent:
    """Register a print agent a manager named, and audit it (never its token).

    Raises ``AgentRequestInvalid`` when the name is empty or taken.
    """
    with UnitOfWork(actor) as uow:
        created = register_agent(uow.session, name)
        uow.flush()
        uow.record("print_agent.registered", target=_target(created.agent))
        uow.commit()
    return created


def withdraw_print_agent(actor: User | None, agent: PrintAgent, *, now: datetime) -> None:
    """Revoke ``agent``'s token at once, and audit it with the printers left waiting."""
    with UnitOfWork(actor) as uow:
        revoke_agent(agent, now=now)
        uow.record(
            "print_agent.revoked",
            target=_target(agent),
            detail={"printers": [p.name for p in agent.printers]},
        )
        uow.commit()


def _target(agent: PrintAgent) -> audit.Target:
    return audit.Target("print_agent", agent.id, agent.name)


def agent_for_token(session: Session, token: str) -> PrintAgent | None:
    """The active agent this token belongs to, or None."""
    if not token:
        return None
    agent = session.scalar(select(PrintAgent).where(PrintAgent.token_hash == _hash(token)))
    if agent is None or agent.revoked_at is not None:
        return None
    return agent


def offer_jobs(session: Session, agent: PrintAgent, *, now: datetime) -> list[dict[str, Any]]:
    """The head job of each of the agent's printers, handed out (``sending``) and committed.

    A job of a voided consignment's label is never handed out: it fails with the reason
    and the printer's next job is offered instead.
    """
    agent.last_seen_at = now
    offered = []
    printers = session.scalars(
        select(Printer).where(Printer.agent_id == agent.id, Printer.active)
    ).all()
    for printer in printers:
        job = _head_job(session, printer)
        if job is None or (job.state == JobState.QUEUED and job.next_attempt_at > now):
            continue
        if job.state == JobState.QUEUED:
            claim(session, PrintJob, [job.id], now=now)  # a job already sending is offered again
        offered.append(_describe(job, printer))
    session.commit()
    return offered


def _head_job(session: Session, printer: Printer) -> PrintJob | None:
    """The printer's oldest unfinished job that may print (withholding voided labels)."""
    while True:
        job = session.scalar(
            select(PrintJob)
            .where(
                PrintJob.printer_id == printer.id,
                PrintJob.state.in_((JobState.QUEUED, JobState.SENDING)),
            )
            .order_by(PrintJob.id)
            .limit(1)
        )
        withheld = withheld_reason(session, job) if job is not None else None
        if job is None or withheld is None:
            return job
        withhold(job, withheld)
        session.flush()


def _describe(job: PrintJob, printer: Printer) -> dict[str, Any]:
    return {
        "id": job.id,
        "description": job.description,
        "format": job.format,
        "printer": {**printer.spec, "name": printer.name},
        "payload": base64.b64encode(job.payload).decode("ascii"),
    }


def report_job(
    session: Session,
    agent: PrintAgent,
    job_id: int,
    *,
    outcome: str,
    error: str | None,
    now: datetime,
) -> PrintJob:
    """Record what the agent says happened to a job it was handed; repeating a report is harmless."""
    if outcome not in OUTCOMES:
        raise AgentRequestInvalid(f"Unknown outcome {outcome!r}; use one of {', '.join(OUTCOMES)}.")
    job = session.get(PrintJob, job_id)
    if job is None or job.printer.agent_id != agent.id:
        raise AgentRequestInvalid(f"Print job {job_id} is not one of this agent's jobs.")
    if job.state != JobState.SENDING:
        return job  # already recorded (a repeated report after a lost answer)
    if outcome == "done":
        succeed(job, now=now)
    elif outcome == "retry":
        requeue_later(job, error or "printer not ready", now)
    else:
        fail(job, error or "The agent could not print this job.")
    session.commit()
    return job


def record_weight(
    session: Session, agent: PrintAgent, reading: Any, *, now: datetime
) -> ScaleWeight:
    """Keep the agent's latest scale reading, sent as ``{"grams": int, "stable": bool}``.

    Raises AgentRequestInvalid naming every problem with the reading.
    """
    if not isinstance(reading, dict):
        raise AgentRequestInvalid('Send a JSON object such as {"grams": 1234, "stable": true}.')
    problems = []
    grams, stable = reading.get("grams"), reading.get("stable")
    if isinstance(grams, bool) or not isinstance(grams, int):
        problems.append(f"grams must be a whole number of grams, not {grams!r}")
    elif not 0 <= grams <= MAX_GRAMS:
        problems.append(f"grams must be between 0 and {MAX_GRAMS}, not {grams}")
    if not isinstance(stable, bool):
        problems.append(f"stable must be true or false, not {stable!r}")
    if problems:
        raise AgentRequestInvalid(problems_sentence(problems))
    agent.scale_grams, agent.scale_stable, agent.scale_read_at = grams, stable, now
    agent.last_seen_at = now
    session.commit()
    return ScaleWeight(grams, stable, now)


def latest_weight(
    session: Session, agent_id: int, max_age: timedelta, *, now: datetime | None = None
) -> ScaleWeight | None:
    """The agent's latest scale reading if it is at most ``max_age`` old, else None."""
    agent = session.get(PrintAgent, agent_id)
    if agent is None or agent.scale_read_at is None or agent.scale_grams is None:
        return None
    if (now or utcnow()) - agent.scale_read_at > max_age:
        return None
    return ScaleWeight(agent.scale_grams, bool(agent.scale_stable), agent.scale_read_at)
