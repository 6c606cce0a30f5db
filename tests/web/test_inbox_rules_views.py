"""Inbox rules through the web: what they do to imported orders, and the rules pages."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station.extensions import db
from station.inbox.folders import create_folder
from station.models import InboxOrder, InboxRule, Role
from tests.conftest import AuthActions
from tests.inbox.samples import ROWS, csv_bytes
from tests.web.conftest import signed_in
from tests.web.forms import upload


def add_rule(app: Flask, event: str, actions: list[dict[str, str]], **fields: object) -> int:
    with app.app_context():
        rule = InboxRule(event=event, actions=actions, **{"name": "test rule", **fields})
        db.session.add(rule)
        db.session.commit()
        return rule.id


def test_a_rule_that_submits_queues_the_order_for_cin7(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    add_rule(app, "imported", [{"action": "submit", "argument": ""}])
    auth.login()

    upload(client, csv_bytes(ROWS[2]))

    with app.app_context():
        order = db.session.scalar(select(InboxOrder))
        assert order is not None
        kinds = [event.kind for event in order.events]
        assert kinds[:2] == ["imported", "scheduled"] and "not_submitted_error" in kinds
        assert order.folder.name == "Errors" and "Cin7 is not connected" in (order.error or "")


def make_folder(app: Flask, name: str) -> None:
    with app.app_context():
        create_folder(db.session, name)
        db.session.commit()


def rule_form(name: str, **fields: str) -> dict[str, str]:
    return {"name": name, "event": "imported", "match": "all", "enabled": "on", **fields}


def the_order(app: Flask) -> InboxOrder:
    with app.app_context():
        order = db.session.scalar(select(InboxOrder))
        assert order is not None
        db.session.expunge(order)
        return order


def test_packers_cannot_see_or_change_rules(app: Flask) -> None:
    packer = signed_in(app, "packer", Role.PACKER)

    assert packer.get("/inbox/rules").status_code == 403
    assert packer.get("/inbox/rules/new").status_code == 403
    assert packer.post("/inbox/rules/new", data=rule_form("x")).status_code == 403
    assert packer.post("/inbox/rules/dry-run", data={"event": "imported"}).status_code == 403


def test_a_rule_made_in_the_form_moves_imported_orders_and_is_logged_on_the_order(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    make_folder(app, "Wholesale")
    auth.login()

    saved = client.post(
        "/inbox/rules/new",
        data=rule_form(
            "CSV to wholesale",
            **{
                "condition-0-field": "shop",
                "condition-0-operator": "equals",
                "condition-0-value": "CSV",
                "action-0-action": "move_to_folder",
                "action-0-argument": "wholesale",
                "action-1-action": "add_tag",
                "action-1-argument": "bulk",
            },
        ),
        follow_redirects=True,
    ).get_data(as_text=True)
    upload(client, csv_bytes(ROWS[2]))
    order = the_order(app)
    page = client.get(f"/inbox/orders/{order.id}").get_data(as_text=True)

    assert "Rule CSV to wholesale saved." in saved and "shop equals CSV" in saved
    assert order.tags == ["bulk"]
    assert '<span class="stage">Wholesale</span>' in page
    assert "CSV to wholesale" in page and "moved to Wholesale; tagged bulk" in page


def test_a_wrong_rule_is_refused_saying_why_and_kept_in_the_form(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()

    answer = client.post(
        "/inbox/rules/new",
        data=rule_form(
            "<b>bold</b>",
            **{"action-0-action": "move_to_folder", "action-0-argument": "Nowhere"},
        ),
    )

    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "There is no folder called &#39;Nowhere&#39;" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "<b>bold</b>" not in page
    with app.app_context():
        assert db.session.scalar(select(InboxRule)) is None


def test_rules_are_reordered_turned_off_and_deleted(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    tag = [{"action": "add_tag", "argument": "x"}]
    first = add_rule(app, "imported", tag, name="first", position=1)
    second = add_rule(app, "imported", tag, name="second", position=2)
    auth.login()

    client.post(f"/inbox/rules/{second}/move", data={"step": "-1"})
    client.post(f"/inbox/rules/{first}/toggle")
    client.post(f"/inbox/rules/{second}/delete")

    page = client.get("/inbox/rules").get_data(as_text=True)
    assert f'id="inbox-rule-{second}"' not in page and "Turn on" in page
    with app.app_context():
        rules = db.session.scalars(select(InboxRule)).all()
        assert [(r.name, r.position, r.enabled) for r in rules] == [("first", 2, False)]


def test_a_dry_run_explains_and_a_rerun_acts_on_the_ticked_orders(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()
    upload(client, csv_bytes(ROWS[2]))
    add_rule(
        app,
        "imported",
        [{"action": "add_tag", "argument": "late"}],
        conditions=[{"field": "shop", "operator": "equals", "value": "csv"}],
        name="late tag",
    )
    order_id = the_order(app).id

    dry = client.post("/inbox/rules/dry-run", data={"event": "imported", "order_id": order_id})
    untouched = the_order(app)
    client.post("/inbox/rules/rerun", data={"event": "imported", "order_id": order_id})

    text = dry.get_data(as_text=True)
    assert "late tag: would fire; shop equals &#39;csv&#39; matched (found csv)" in text
    assert untouched.tags == [] and the_order(app).tags == ["late"]


def test_the_edit_form_shows_the_rule_and_saves_changes(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    rule_id = add_rule(
        app,
        "shipped",
        [{"action": "add_note", "argument": "Sent"}],
        conditions=[{"field": "country", "operator": "equals", "value": "Australia"}],
        name="aussie",
    )
    auth.login()

    form = client.get(f"/inbox/rules/{rule_id}/edit").get_data(as_text=True)
    client.post(
        f"/inbox/rules/{rule_id}/edit",
        data={
            **rule_form("aussie"),
            "match": "any",
            "action-0-action": "add_tag",
            "action-0-argument": "au",
        },
    )

    assert 'value="Australia"' in form and '<option value="shipped" selected>' in form
    with app.app_context():
        rule = db.session.get(InboxRule, rule_id)
        assert rule is not None and rule.event == "imported" and not rule.match_all
        assert rule.conditions == [] and rule.actions == [{"action": "add_tag", "argument": "au"}]
