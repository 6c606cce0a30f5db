"""Print agent services: listing agents, and the latest weight from a bench's scale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from station.cli import main
from station.extensions import db
from station.models import AuditEvent, Printer
from station.printing.agents import (
    AgentRequestInvalid,
    ScaleWeight,
    active_agents,
    latest_weight,
    list_agents,
    record_weight,
    register_agent,
    revoke_agent,
)

NOON = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


class TestLatestWeight:
    def test_a_fresh_reading_is_the_latest_weight(self, app: Flask) -> None:
        with app.app_context():
            agent = register_agent(db.session, "Bench 3 PC").agent
            db.session.commit()
            record_weight(db.session, agent, {"grams": 1234, "stable": True}, now=NOON)

            weight = latest_weight(
                db.session, agent.id, timedelta(seconds=30), now=NOON + timedelta(seconds=30)
            )

            assert weight == ScaleWeight(1234, True, NOON)

    def test_a_reading_older_than_max_age_is_none(self, app: Flask) -> None:
        with app.app_context():
            agent = register_agent(db.session, "Bench 3 PC").agent
            db.session.commit()
            record_weight(db.session, agent, {"grams": 1234, "stable": True}, now=NOON)

            stale = latest_weight(
                db.session, agent.id, timedelta(seconds=30), now=NOON + timedelta(seconds=31)
            )

            assert stale is None

    def test_the_newest_reading_replaces_the_one_before(self, app: Flask) -> None:
        with app.app_context():
            agent = register_agent(db.session, "Bench 3 PC").agent
            db.session.commit()
            record_weight(db.session, agent, {"grams": 1234, "stable": True}, now=NOON)
            later = NOON + timedelta(seconds=5)
            record_weight(db.session, agent, {"grams": 0, "stable": False}, now=later)

            weight = latest_weight(db.session, agent.id, timedelta(minutes=1), now=later)

            assert weight == ScaleWeight(0, False, later)

    def test_no_reading_or_no_agent_is_none(self, app: Flask) -> None:
        with app.app_context():
            agent = register_agent(db.session, "Bench 3 PC").agent
            db.session.commit()

            assert latest_weight(db.session, agent.id, timedelta(hours=1)) is None
            assert latest_weight(db.session, agent.id + 99, timedelta(hours=1)) is None

    def test_a_bad_reading_names_every_problem_and_keeps_the_old_one(self, app: Flask) -> None:
        with app.app_context():
            agent = register_agent(db.session, "Bench 3 PC").agent
            db.session.commit()
            record_weight(db.session, agent, {"grams": 500, "stable": True}, now=NOON)

            with pytest.raises(AgentRequestInvalid) as caught:
                record_weight(db.session, agent, {"grams": -1, "stable": None}, now=NOON)
            db.session.rollback()

            assert str(caught.value) == (
                "Grams must be between 0 and 2000000, not -1; "
                "stable must be true or false, not None."
            )
            assert latest_weight(db.session, agent.id, timedelta(minutes=1), now=NOON) == (
                ScaleWeight(500, True, NOON)
            )


def test_agents_are_listed_active_first_with_their_printers(app: Flask) -> None:
    with app.app_context():
        old = register_agent(db.session, "Aardvark PC").agent
        bench = register_agent(db.session, "Bench 3 PC").agent
        register_agent(db.session, "Bench 1 PC")
        db.session.add(Printer(name="Bench 3 Zebra", agent=bench, spec={"format": "zpl"}))
        revoke_agent(old, now=NOON)
        db.session.commit()

        listed = [(a.name, [p.name for p in a.printers]) for a in list_agents(db.session)]
        active = [a.name for a in active_agents(db.session)]

        assert listed == [
            ("Bench 1 PC", []),
            ("Bench 3 PC", ["Bench 3 Zebra"]),
            ("Aardvark PC", []),
        ]
        assert active == ["Bench 1 PC", "Bench 3 PC"]


def test_agents_added_and_revoked_from_the_command_line_are_audited_without_a_person(
    app: Flask,
) -> None:
    runner = app.test_cli_runner()
    created = runner.invoke(main, ["agents", "create", "Bench 9 PC"])
    taken = runner.invoke(main, ["agents", "create", "Bench 9 PC"])
    revoked = runner.invoke(main, ["agents", "revoke", "Bench 9 PC"])

    assert (created.exit_code, taken.exit_code, revoked.exit_code) == (0, 1, 0)
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [(e.actor_id, e.action, e.target_label) for e in events] == [
            (None, "print_agent.registered", "Bench 9 PC"),
            (None, "print_agent.revoked", "Bench 9 PC"),
        ]
