"""The audit log: events ride the caller's transaction, hold no secrets, and are found again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from station import audit
from station.accounts import create_user
from station.audit import Target
from station.extensions import db
from station.models import AuditEvent, Consignment, Role, User
from tests.builders import add_order

AUCKLAND = ZoneInfo("Pacific/Auckland")


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    with app.app_context():
        yield db.session


@pytest.fixture
def manager(session: Session) -> User:
    user = create_user(session, "mia", "correct horse", role=Role.MANAGER)
    session.commit()
    return user


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def test_an_event_commits_with_the_change(session: Session, manager: User) -> None:
    audit.record(
        session, manager, "settings.cin7.saved", target=audit.Target("settings", None, "Cin7")
    )
    session.commit()

    event = session.scalars(select(AuditEvent)).one()
    assert (event.actor_id, event.actor_username, event.action) == (
        manager.id,
        "mia",
        "settings.cin7.saved",
    )
    assert (event.target_type, event.target_id, event.target_label) == ("settings", None, "Cin7")


def test_an_event_rolls_back_with_the_change(session: Session, manager: User) -> None:
    audit.record(session, manager, "user.created", target=manager)
    session.rollback()

    assert count(session) == 0


def test_a_row_target_is_named_by_its_kind_id_and_label(session: Session, manager: User) -> None:
    order = add_order(session)
    new_user = create_user(session, "pita", "correct horse", role=Role.PACKER)  # not flushed yet

    audit.record(session, manager, "user.created", target=new_user)
    audit.record(
        session, manager, "outbox.retried", target=order, detail={"write_back": "dispatch"}
    )
    session.commit()

    first, second = session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    assert (first.target_type, first.target_id, first.target_label) == ("user", new_user.id, "pita")
    assert (second.target_type, second.target_id, second.target_label) == (
        "order",
        order.id,
        "SO-5001",
    )
    assert second.detail == {"write_back": "dispatch"}


@pytest.mark.parametrize(
    "detail",
    [{"password": "x"}, {"api_key": "x"}, {"carrier": {"secret": "x"}}, {"agent_token": "x"}],
)
def test_details_that_look_like_secrets_are_refused(
    session: Session, manager: User, detail: dict[str, object]
) -> None:
    with pytest.raises(ValueError, match="looks like a secret"):
        audit.record(session, manager, "settings.saved", detail=detail)


class TestSearch:
    @pytest.fixture
    def events(self, session: Session, manager: User) -> None:
        packer = create_user(session, "pita", "correct horse", role=Role.PACKER)
        session.flush()
        base = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)  # 2 March 09:00 in Auckland
        rows = [
            (manager, "settings.cin7.saved", "Cin7", base),
            (packer, "consignment.created", "SO-1042 ON1001", base + timedelta(days=1)),
            (packer, "consignment.voided", "SO-1042 ON1001", base + timedelta(days=2)),
            (manager, "manifest.closed", "OWNLABEL-000001", base + timedelta(days=3)),
        ]
        for actor, action, label, at in rows:
            target = audit.Target(action.split(".")[0], None, label)
            audit.record(session, actor, action, target=target, at=at)
        session.commit()

    def actions(self, session: Session, **wanted: object) -> list[str]:
        page = audit.search(session, audit.AuditFilter(**wanted), tz=AUCKLAND)  # type: ignore[arg-type]
        return [e.action for e in page.events]

    @pytest.mark.usefixtures("events")
    def test_newest_first_without_filters(self, session: Session) -> None:
        assert self.actions(session) == [
            "manifest.closed",
            "consignment.voided",
            "consignment.created",
            "settings.cin7.saved",
        ]

    @pytest.mark.usefixtures("events")
    def test_by_action_prefix_user_and_target_text(self, session: Session) -> None:
        assert self.actions(session, action="consignment.") == [
            "consignment.voided",
            "consignment.created",
        ]
        assert self.actions(session, username="Mia") == ["manifest.closed", "settings.cin7.saved"]
        assert self.actions(session, target="so-1042", action="consignment.v") == [
            "consignment.voided"
        ]
        assert self.actions(session, target="%") == []  # LIKE wildcards match themselves

    @pytest.mark.usefixtures("events")
    def test_by_days_in_the_warehouse_time_zone(self, session: Session) -> None:
        assert self.actions(session, since=date(2026, 3, 3), until=date(2026, 3, 4)) == [
            "consignment.voided",
            "consignment.created",
        ]
        assert self.actions(session, until=date(2026, 3, 2)) == ["settings.cin7.saved"]

    @pytest.mark.usefixtures("events")
    def test_in_pages(self, session: Session) -> None:
        first = audit.search(session, audit.AuditFilter(), tz=AUCKLAND, per_page=3)
        second = audit.search(session, audit.AuditFilter(), tz=AUCKLAND, page=2, per_page=3)

        assert (first.total, first.pages, first.has_next, second.has_prev) == (4, 2, True, True)
        assert [e.action for e in second.events] == ["settings.cin7.saved"]


def test_an_orders_trail_holds_its_own_and_its_consignments_events(
    session: Session, manager: User
) -> None:
    order, other = add_order(session), add_order(session, cin7_id=5002)
    consignment = Consignment(
        idempotency_key="k1",
        carrier="ownlabel",
        service_code="ON",
        reference="SO-5001",
        order_id=order.id,
        shipment={},
    )
    session.add(consignment)
    audit.record(session, manager, "consignment.created", target=consignment)
    audit.record(session, manager, "outbox.retried", target=order)
    audit.record(session, manager, "outbox.retried", target=other)
    audit.record(
        session, manager, "printer.created", target=audit.Target("printer", order.id, "Bench 1")
    )
    session.commit()

    trail = audit.order_trail(session, order.id)

    assert [(e.action, e.target_type) for e in trail] == [
        ("consignment.created", "consignment"),
        ("outbox.retried", "order"),
    ]


@pytest.mark.parametrize(
    ("action", "target", "sentence"),
    [
        ("printer.created", Target("printer", 1, "Bench 1"), "Printer Bench 1: created"),
        (
            "bulk.started",
            Target("bulk_dispatch", 3, "bulk dispatch of 10 orders"),
            "Bulk dispatch of 10 orders: started",
        ),
        (
            "consignment.return_booked",
            Target("consignment", 4, "SO-5001 ON100000009"),
            "Consignment SO-5001 ON100000009: return booked",
        ),
        (
            "settings.cost_centre.added",
            Target("cost_centre", 2, "Retail"),
            "Cost centre Retail: added",
        ),
        ("sync.requested", Target("sync", None, "Cin7 orders"), "Sync Cin7 orders: requested"),
        ("signin.succeeded", None, "Signin: succeeded"),
        (
            "inbox.api_token_renamed",
            Target("api_token", 5, "Web shop"),
            "API token Web shop: renamed",
        ),
        (
            "inbox.folder_removed",
            Target("inbox_folder", 6, "Wholesale"),
            "Inbox folder Wholesale: removed",
        ),
        (
            "inbox.orders_moved",
            Target("inbox_folder", 6, "Urgent"),
            "Inbox folder Urgent: orders moved",
        ),
        (
            "settings.carrier.retired",
            Target("carrier", None, "Test Post"),
            "Carrier Test Post: retired",
        ),
    ],
)
def test_an_event_reads_as_what_it_was_done_to_and_what_happened(
    session: Session, manager: User, action: str, target: Target | None, sentence: str
) -> None:
    event = audit.record(session, manager, action, target=target)

    assert audit.describe(event) == sentence
