"""The unit of work: audit entries ride the change, follow-ups wait for the commit, nested units join."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from station.accounts import create_user
from station.extensions import db
from station.models import AuditEvent, CostCentre, Role, User
from station.uow import UnitOfWork


@pytest.fixture
def session(ctx: Session) -> Session:
    return ctx


@pytest.fixture
def manager(session: Session) -> User:
    user = create_user(session, "mia", "correct horse", role=Role.MANAGER)
    session.commit()
    return user


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_committed_unit_keeps_the_change_and_its_audit_entry_by_the_actor(
    session: Session, manager: User
) -> None:
    with UnitOfWork(manager) as uow:
        centre = CostCentre(name="Retail")
        uow.session.add(centre)
        uow.record("cost_centre.created", target=centre)
        uow.commit()

    event = session.scalars(select(AuditEvent)).one()
    assert (event.actor_username, event.action, event.target_label) == (
        "mia",
        "cost_centre.created",
        "Retail",
    )
    assert count(session, CostCentre) == 1


def test_a_unit_left_by_an_exception_keeps_neither_the_change_nor_its_entry(
    session: Session, manager: User
) -> None:
    with pytest.raises(RuntimeError), UnitOfWork(manager) as uow:
        uow.session.add(CostCentre(name="Retail"))
        uow.record("cost_centre.created")
        uow.flush()
        raise RuntimeError("refused after the rows were added")

    assert count(session, CostCentre) == 0
    assert count(session, AuditEvent) == 0


def test_a_unit_never_committed_is_rolled_back_on_the_way_out(
    session: Session, manager: User
) -> None:
    with UnitOfWork(manager) as uow:
        uow.session.add(CostCentre(name="Retail"))
        uow.record("cost_centre.created")

    assert count(session, CostCentre) == 0
    assert count(session, AuditEvent) == 0


def test_follow_ups_run_after_the_commit_and_see_the_committed_row(
    app: Flask, session: Session, manager: User
) -> None:
    seen: list[int] = []

    def look_from_another_connection() -> None:
        with db.engine.connect() as other:
            seen.append(other.scalar(select(func.count()).select_from(CostCentre)) or 0)

    with UnitOfWork(manager) as uow:
        uow.session.add(CostCentre(name="Retail"))
        uow.after_commit(look_from_another_connection)
        assert seen == []
        uow.commit()

    assert seen == [1]


def test_follow_ups_of_a_rolled_back_unit_never_run(session: Session, manager: User) -> None:
    ran: list[str] = []
    with UnitOfWork(manager) as uow:
        uow.session.add(CostCentre(name="Retail"))
        uow.after_commit(lambda: ran.append("started a job"))

    assert ran == []


def test_a_failing_follow_up_is_logged_and_the_others_still_run(
    session: Session, manager: User, caplog: pytest.LogCaptureFixture
) -> None:
    ran: list[str] = []

    def broken() -> None:
        raise ConnectionError("the job queue is down")

    with UnitOfWork(manager) as uow:
        uow.session.add(CostCentre(name="Retail"))
        uow.after_commit(broken)
        uow.after_commit(lambda: ran.append("second"))
        uow.commit()

    assert ran == ["second"]
    assert count(session, CostCentre) == 1
    assert "a follow-up after a commit failed" in caplog.text


def test_a_unit_inside_another_joins_it_and_the_outer_one_decides(
    session: Session, manager: User
) -> None:
    ran: list[str] = []
    with UnitOfWork(None) as outer:
        outer.session.add(CostCentre(name="Retail"))
        with UnitOfWork(manager) as inner:
            assert inner.joined
            inner.session.add(CostCentre(name="Wholesale"))
            inner.record("cost_centre.created")
            inner.after_commit(lambda: ran.append("inner follow-up"))
            inner.commit()  # the outer unit's to make
        assert ran == []
        assert outer.session.scalar(select(func.count()).select_from(CostCentre)) == 2

    # the outer unit never committed: both rows and the inner entry are gone
    assert count(session, CostCentre) == 0
    assert count(session, AuditEvent) == 0
    assert ran == []


def test_the_inner_units_follow_ups_run_when_the_outer_one_commits(
    session: Session, manager: User
) -> None:
    ran: list[str] = []
    with UnitOfWork(None) as outer:
        with UnitOfWork(manager) as inner:
            inner.session.add(CostCentre(name="Wholesale"))
            inner.record("cost_centre.created")
            inner.after_commit(lambda: ran.append("inner follow-up"))
            inner.commit()
        outer.commit()

    assert ran == ["inner follow-up"]
    assert session.scalars(select(AuditEvent.actor_username)).all() == ["mia"]


def test_a_unit_may_keep_what_it_loaded_for_a_page_drawn_at_once(
    session: Session, manager: User
) -> None:
    with UnitOfWork(manager) as uow:
        centre = CostCentre(name="Retail")
        uow.session.add(centre)
        uow.commit(expire=False)
    assert "name" not in inspect(centre).unloaded  # drawn without reading it again

    with UnitOfWork(manager) as uow:
        centre.name = "Trade"
        uow.commit()
    assert "name" in inspect(centre).unloaded  # the next unit expires as usual
    assert centre.name == "Trade"
