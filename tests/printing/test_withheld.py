"""A voided consignment's label never prints again: the queue, reprints and the agents."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from printers.files import MemoryTransport
from station.accounts import create_user
from station.db import utcnow
from station.dispatch.void import void_as
from station.models import Consignment, JobState, PrintAgent, Printer, PrintJob, Role
from station.printing.agents import offer_jobs, register_agent, report_job
from station.printing.queue import ReprintRefused, drain_printer, queue_job, reprint
from station.shipping.labels import reprint_labels
from tests.builders import NOW, add_order, add_printer, ship

VOIDED = re.compile(
    r"Consignment \S+ \(SO-5001\) was voided by aroha at 2026-11-25 02:40 UTC: "
    r"its label can never be printed again\."
)


def voided(ctx: Session, consignment: Consignment) -> None:
    manager = create_user(ctx, "aroha", "a-long-passphrase", role=Role.MANAGER)
    void_as(ctx, consignment, manager, now=NOW + timedelta(minutes=10))


def shipped(ctx: Session, printer: Printer | None = None) -> Consignment:
    printer = printer or add_printer(ctx)
    return ship(ctx, add_order(ctx)).consignment


def test_a_reprint_queued_before_the_void_is_withdrawn_and_never_sent(ctx: Session) -> None:
    consignment = shipped(ctx)
    printer = ctx.scalars(select(Printer)).one()
    printed = MemoryTransport()
    drain_printer(ctx, printer, printed)
    [again] = reprint_labels(ctx, consignment)
    ctx.commit()

    voided(ctx, consignment)
    drain_printer(ctx, printer, printed)

    assert len(printed.jobs) == 1  # the first print only
    ctx.refresh(again)
    assert again.state == JobState.FAILED and VOIDED.search(again.last_error or "")


def test_the_servers_queue_withholds_a_label_queued_after_the_void(ctx: Session) -> None:
    consignment = shipped(ctx)
    printer = ctx.scalars(select(Printer)).one()
    voided(ctx, consignment)
    late = queue_job(
        ctx, printer, b"^XA^XZ", kind="label", format="zpl", consignment_id=consignment.id
    )
    other = queue_job(ctx, printer, b"test page", kind="test", format="zpl")
    ctx.commit()
    late_id, other_id = late.id, other.id
    sent = MemoryTransport()

    drain_printer(ctx, printer, sent)

    assert sent.jobs == [b"test page"]  # the queue went on past the withheld label
    assert ctx.get(PrintJob, late_id).state == JobState.FAILED  # type: ignore[union-attr]
    assert VOIDED.search(ctx.get(PrintJob, late_id).last_error or "")  # type: ignore[union-attr]
    assert ctx.get(PrintJob, other_id).state == JobState.DONE  # type: ignore[union-attr]


def test_every_reprint_of_a_voided_label_is_refused_with_who_and_when(ctx: Session) -> None:
    consignment = shipped(ctx)
    printer = ctx.scalars(select(Printer)).one()
    drain_printer(ctx, printer, MemoryTransport())
    [first] = ctx.scalars(select(PrintJob)).all()
    voided(ctx, consignment)

    with pytest.raises(ReprintRefused, match=VOIDED):
        reprint(ctx, first)
    with pytest.raises(ReprintRefused, match=VOIDED):
        reprint_labels(ctx, consignment)
    with pytest.raises(ReprintRefused, match=VOIDED):
        reprint_labels(ctx, consignment, printer=printer)
    assert len(ctx.scalars(select(PrintJob)).all()) == 1


def agent_printer(ctx: Session) -> tuple[PrintAgent, Printer]:
    agent = register_agent(ctx, "Bench 2 PC").agent
    printer = add_printer(ctx)
    printer.agent_id = agent.id
    ctx.flush()
    return agent, printer


def test_an_agent_is_not_given_a_voided_label_even_one_it_was_handed_before(
    ctx: Session,
) -> None:
    agent, printer = agent_printer(ctx)
    consignment = shipped(ctx, printer)
    [offered] = offer_jobs(ctx, agent, now=utcnow())  # handed out; the agent then restarts

    voided(ctx, consignment)
    again = offer_jobs(ctx, agent, now=utcnow())
    late_report = report_job(ctx, agent, offered["id"], outcome="done", error=None, now=NOW)

    assert again == []
    assert late_report.state == JobState.FAILED and VOIDED.search(late_report.last_error or "")


def test_an_agent_is_offered_the_next_job_past_a_withheld_label(ctx: Session) -> None:
    agent, printer = agent_printer(ctx)
    consignment = shipped(ctx, printer)
    [label] = ctx.scalars(select(PrintJob)).all()
    voided(ctx, consignment)
    late = queue_job(
        ctx, printer, b"^XA^XZ", kind="label", format="zpl", consignment_id=consignment.id
    )
    test_page = queue_job(ctx, printer, b"test page", kind="test", format="zpl")
    ctx.commit()

    [offered] = offer_jobs(ctx, agent, now=utcnow())

    assert offered["id"] == test_page.id
    assert {label.state, late.state} == {JobState.FAILED}
