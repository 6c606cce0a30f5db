"""Every state change a person makes on any screen writes its audit entry.

The walk takes every POST route of the app's URL map, as the security sweep does, and
submits the form Station's own pages show for it, with the page's default values (and
valid values from ``FORMS`` where the defaults are refused), as a signed-in admin. Around
each submission it fingerprints every table: when a row was added, removed or changed
(``audit_event`` and the bookkeeping in ``BOOKKEEPING`` aside), at least one new audit
entry by the admin must exist.

Every POST route is accounted for, so a route added later fails this test until it is
walked or exempted:

- ``EXEMPT``: not a signed-in person's change (token APIs, webhooks, signing in and out,
  which the sign-in tests audit);
- ``CHANGES_NOTHING``: routes that, in this walk, leave the tables as they were (a check,
  a preview, a choice kept in the browser's session) — if one starts changing state, it
  must move out of this list and audit;
- ``NOT_YET_AUDITED``: routes that change state today without an audit entry. The walk
  fails when a listed route audits (a stale entry) or an unlisted one does not.

The world is the fuzz sweep's (``test_fuzz_routes.build_world``: an order shipped, an
inbox order, a rule, a folder, tokens, people) with a few more rows for the retries to act
on (``_seed``), and Cin7 is the sandbox, so syncs and refreshes really read. The forms come
from the pages, read once before the walk (``route_inputs.learn_forms``), and from each
answer during it (the bench's ship form comes from its scan). Routes that make what others
act on run first, those that take it away last. Each route is submitted once: it runs on
SQLite only, in about 10 s of CPU.
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.routing import Rule

from station.cin7.sandbox import DEMO_API_KEY, DEMO_USERNAME, SandboxServer, SandboxState
from station.db import Base, utcnow
from station.extensions import db
from station.models import (
    AuditEvent,
    Consignment,
    ConsignmentState,
    CostCentre,
    InboxWebhook,
    JobState,
    OutboxItem,
    OutboxState,
    PrintJob,
    SetAsideOrder,
    User,
)
from tests.builders import add_order
from tests.carriers.samples import GENERIC
from tests.conftest import AuthActions
from tests.fakes.cin7 import sandbox_config
from tests.inbox.samples import ROWS, csv_bytes
from tests.web.route_inputs import Inputs, learn_forms, learn_paths
from tests.web.test_fuzz_routes import RISKY, VALID, World, build_world
from tests.web.test_shipping_settings import GOOD_CARD

# Not a signed-in person's change of state, so not walked here (each with why).
EXEMPT: dict[str, str] = {
    "auth.login": "signing in: no one is signed in to act yet (tests/test_signin.py checks its "
    "signin.* entries, refusals included)",
    "api.agent_report": "the print agent's token API: a machine reporting a job, no person",
    "api.agent_scale": "the print agent's token API: a scale reading, no person",
    "inbox_api.create_order": "a shop's token API: an order arriving, no person signed in",
    "inbox_api.shopify_order_created": "Shopify's signed webhook: an order arriving",
}
# Columns (or whole tables, "*") that record the traffic itself rather than a person's
# change: when a session or token was last seen, failed sign-ins, Cin7 call metering,
# the log of sync runs, and a bench's hold on the order it has open (a lease that expires
# by itself; what the packer does with the order is audited).
BOOKKEEPING: dict[str, set[str]] = {
    "sign_in_session": {"seen_at"},
    "user_account": {"last_login_at"},
    "api_token": {"last_used_at"},
    "print_agent": {"last_seen_at"},
    "failed_sign_in": {"*"},
    "cin7_call_day": {"*"},
    "cin7_call_slot": {"*"},
    "cin7_allowance_use": {"*"},
    "sync_run": {"*"},
    "order_hold": {"*"},
    "audit_event": {"*"},
}
# Routes that leave every table (but the bookkeeping) as it was, in this walk.
CHANGES_NOTHING: dict[str, str] = {
    "bench.choose_printer": "the bench's printer is kept in the browser's session",
    "bench.verify_items": "item checking on or off is kept in the browser's session",
    "bench.scan": "opens the order at the bench: its hold (bookkeeping) and the page",
    "bench.release": "puts the order down: drops the bench's hold (bookkeeping)",
    "bench.count_item": "item counts live on the bench's hold (bookkeeping); refused here, "
    "as item checking is off",
    "inbox_rules.dry_run": "a preview of what the rules would do; saves nothing",
    "settings.check_shopify_trigger": "checks the Shopify trigger URL; saves nothing",
    "settings.test_cin7": "tests the Cin7 connection; saves nothing",
}
# Routes that change state today without writing an audit entry: endpoint -> what changes.
NOT_YET_AUDITED: dict[str, str] = {}
CARRIER_DOWN_KEY = "walk-carrier-down"  # the booking _seed leaves waiting for its carrier
# Valid values where a page's blank defaults would be refused, or would change nothing.
FORMS: dict[str, dict[str, str]] = {
    "account.defaults": {"display_name": "Walker"},
    "bulk.create": {"order_id": "2", "weight": "1.25"},
    "bulk.reprint": {"printer_id": "1"},
    "inbox.note": {"text": "Walked"},
    "inbox.tag": {"tag": "walked"},
    "inbox.submit": {"order_id": "1"},
    "inbox_rules.rerun_rules": {"order_id": "1"},
    "bench.queue": {"key": CARRIER_DOWN_KEY},
    "inbox_rules.edit": {"action_rows": "1"},  # the page's blank rows default to "submit"
    "inbox_rules.move": {"step": "1"},
    "inbox_settings.add_folder": {"name": "Walked"},
    "inbox_settings.rename": {"name": "Walked again"},
    "inbox_settings.save_product": {"sku": "WALK-1", "send_as": ""},
    "inbox_settings.add_token": {"name": "Walk shop", "shop": "walk"},
    "printers.new": {
        "agent_id": "",
        "name": "Walk printer",
        "transport": "virtual",
        "directory": "walk",
    },
    # printed by this server, as the walk's bench needs
    "printers.edit": {"agent_id": "", "bench": "Walked bench"},
    "printers.new_agent": {"name": "Walk PC"},
    "settings.cin7": {"username": DEMO_USERNAME, "api_key": DEMO_API_KEY, "window_days": "14"},
    "shipping.add_cost_centre": {"name": "Walk centre"},
    "shipping.edit_cost_centre": {"name": "Walked centre"},
    "shipping.edit_preset": {"name": "Walked box"},
    "carriers.add": {"configs": json.dumps({**GENERIC, "code": "walkpost"})},
    "carriers.edit": {"config": json.dumps({**GENERIC, "code": "walkpost", "name": "Walked Post"})},
    "inbox_settings.rename_api_token": {"name": "Walked shop"},
    "shipping.stages": {"refused": "Declined", "confirm": "Awaiting Payment"},
    "users.create": {"username": "walker", "password": "correct horse battery"},
    "users.defaults": {"display_name": "Walked"},
    "users.password": {"password": "correct horse battery"},
    "users.role": {"role": "packer"},
}
# Uploads: endpoint -> field -> (file name, bytes).
FILES: dict[str, dict[str, tuple[str, bytes]]] = {
    "inbox.import_orders": {"csv_file": ("orders.csv", csv_bytes(*ROWS))},
    "shipping.upload_rate_card": {"csv_file": ("rates.csv", GOOD_CARD.encode())},
}
# URL arguments where the pages show none (or not the right row): the manager (id 2) is
# the person acted on, the folder and product setting are the ones the walk added, order 4
# is the old copy ``_seed`` leaves of an order Cin7 has.
PATHS: dict[str, dict[str, Any]] = {
    "orders.refresh": {"order_id": 4},
    "bulk.reprint": {"run_id": 1},  # the run bulk.create started
    "users.deactivate": {"user_id": 2},
    "users.reactivate": {"user_id": 2},
    "users.role": {"user_id": 2},
    "users.password": {"user_id": 2},
    "users.defaults": {"user_id": 2},
    "inbox_settings.drop_folder": {"folder_id": 7},
    "shipping.delete_cost_centre": {"centre_id": 2},  # the walk's own, not the default
    "inbox_settings.remove_product": {"setting_id": 1},
    "carriers.edit": {"code": "walkpost"},  # the carrier carriers.add added
    "carriers.delete": {"code": "walkpost"},
    "inbox_settings.rename_api_token": {"token_id": 1},  # the world's shop token
    "inbox_settings.delete_token": {"token_id": 2},  # the walk's own, never used: deleted
}
# Routes that take away what others use run last, in this order of suffixes. The own-label
# carrier, retired among the rest, is brought back first, so Delete leaves a carrier.
LAST = (
    "bring_back",
    "delete",
    "delete_cost_centre",
    "delete_preset",
    "remove_product",
    "delete_token",
    "revoke",
    "drop_folder",
    "forget_shopify",
    "void",
    "deactivate",
    "reactivate",
    "close",
)
# Routes that make what others act on run first.
FIRST = (
    "new",
    "create",
    "add_folder",
    "add_token",
    "carriers.add",
    "add_cost_centre",
    "add_preset",
    "save_product",
)


@dataclass
class Step:
    """What one submission did."""

    endpoint: str
    status: int
    changed: list[str]
    audited: list[str]


@dataclass
class Walk:
    """The world to walk, what its pages show, and the admin doing it."""

    world: World
    admin_id: int
    paths: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def app(self) -> Flask:
        return self.world.app

    @property
    def client(self) -> FlaskClient:
        return self.world.admin


def fingerprint(app: Flask) -> dict[str, str]:
    """A hash of each table's rows in primary-key order, bookkeeping left out."""
    prints = {}
    with app.app_context():
        for table in Base.metadata.sorted_tables:
            ignored = BOOKKEEPING.get(table.name, set())
            if "*" in ignored:
                continue
            columns = [c for c in table.columns if c.name not in ignored]
            rows = db.session.execute(select(*columns).order_by(*table.primary_key.columns))
            digest = hashlib.sha256(repr([tuple(row) for row in rows]).encode())
            prints[table.name] = digest.hexdigest()
        db.session.rollback()
    return prints


def audit_since(app: Flask, last_id: int, actor_id: int) -> list[str]:
    """Actions of the audit entries after ``last_id`` by ``actor_id``."""
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.id > last_id, AuditEvent.actor_id == actor_id)
            .order_by(AuditEvent.id)
        ).all()
        db.session.rollback()
    return list(actions)


def last_audit_id(app: Flask) -> int:
    with app.app_context():
        last = db.session.scalar(select(func.max(AuditEvent.id))) or 0
        db.session.rollback()
    return last


# --- the world -------------------------------------------------------------------------


@pytest.fixture
def sandbox_orders() -> int:
    return 3


@pytest.fixture
def app_config(app_config: dict[str, Any], sandbox: SandboxServer) -> dict[str, Any]:
    return {**app_config, **sandbox_config(sandbox)}


@pytest.fixture
def walk(
    app: Flask,
    auth: AuthActions,
    client: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    sandbox_state: SandboxState,
) -> Walk:
    """The fuzz sweep's world with Cin7 connected, its forms read from its pages, the
    admin's bench printer chosen."""
    world = build_world(app, auth, client, monkeypatch, request)
    _seed(app, sandbox_state)
    for key, values in VALID.items():
        world.found.setdefault(key, Inputs()).form.update(values)
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        assert admin is not None
        walk = Walk(world, admin.id)
        db.session.rollback()
    _read_pages(walk)
    assert client.post("/bench/printer", data={"printer_id": "1"}).status_code == 200
    return walk


def _seed(app: Flask, cin7: SandboxState) -> None:
    """What the walk's retries and choices act on: failed write-backs and a failed inbox
    webhook, an order the sync set aside, a second cost centre to make the default, and
    an old copy of an order Cin7 has (order 4, to refresh) with a booking its carrier did
    not answer."""
    with app.app_context():
        stale = add_order(db.session, cin7_id=min(cin7.orders), internal_comments="an old copy")
        db.session.flush()
        db.session.add(  # a booking its carrier did not answer, for the bench to queue
            Consignment(
                idempotency_key=CARRIER_DOWN_KEY,
                state=ConsignmentState.PENDING,
                carrier="ownlabel",
                service_code="ON",
                reference=stale.reference,
                order_id=stale.id,
                shipment={},
            )
        )
        for item in db.session.scalars(select(OutboxItem)):
            item.state, item.last_error = OutboxState.FAILED, "Cin7 said no"
            db.session.add(
                OutboxItem(
                    kind=item.kind,
                    state=OutboxState.FAILED,
                    dedupe_key=f"{item.dedupe_key}-again",
                    order_id=item.order_id,
                    consignment_id=item.consignment_id,
                    payload=item.payload,
                    last_error="Cin7 said no",
                )
            )
        job = db.session.scalars(select(PrintJob).order_by(PrintJob.id)).first()
        assert job is not None
        job.state, job.next_attempt_at = JobState.QUEUED, utcnow() + timedelta(hours=1)
        db.session.add(
            InboxWebhook(
                order_id=1,
                queued_by="rule: Big",
                url="http://127.0.0.1:9/hook",
                delivery_id=str(uuid.uuid4()),
                payload={},
                state=OutboxState.FAILED,
                attempts=3,
            )
        )
        db.session.add(
            SetAsideOrder(
                cin7_id=5009, reference="SO-5009", reason="no lines", cin7_modified=utcnow()
            )
        )
        db.session.add(CostCentre(name="Warehouse"))
        db.session.commit()


def _read_pages(walk: Walk) -> None:
    """GET every page once more: the rows its forms act on, and today's default values."""
    for rule in walk.app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or rule.endpoint == "static":
            continue
        if rule.rule.startswith("/api/"):
            continue
        response = walk.client.get(_path(walk, rule))
        if response.mimetype == "text/html":
            html, page = response.get_data(as_text=True), response.request.path
            learn_paths(walk.app, page, html, walk.paths)
            learn_forms(walk.app, page, html, walk.world.found)


def _path(walk: Walk, rule: Rule) -> str:
    values = {**walk.paths.get(rule.endpoint, {}), **PATHS.get(rule.endpoint, {})}
    filled = {
        arg: values.get(arg, 1 if rule._converters[arg].regex == r"\d+" else "ownlabel")
        for arg in rule.arguments
    }
    return rule.build(filled, append_unknown=False)[1]  # type: ignore[index]


# --- the walk --------------------------------------------------------------------------


def post_routes(app: Flask) -> Iterator[tuple[Rule, str]]:
    """Every rule and method but GET, those that take things away last."""

    def order(rule: Rule) -> tuple[int, str]:
        last = [i for i, suffix in enumerate(LAST) if rule.endpoint.endswith(suffix)]
        first = rule.endpoint.endswith(FIRST) or rule.rule.endswith("/new")
        return (last[0] + 1 if last else -1 if first else 0), rule.rule

    for rule in sorted(app.url_map.iter_rules(), key=order):
        for method in sorted((rule.methods or set()) - {"GET", "HEAD", "OPTIONS"}):
            yield rule, method


def submit(walk: Walk, rule: Rule, method: str) -> Any:
    """Send the route's learned form, with ``FORMS`` and ``FILES`` on top, as the admin."""
    inputs = walk.world.found.get((rule.endpoint, method), Inputs())
    form: dict[str, Any] = {**inputs.form, **FORMS.get(rule.endpoint, {})}
    for name, (filename, content) in FILES.get(rule.endpoint, {}).items():
        form[name] = (io.BytesIO(content), filename)
    return walk.client.open(
        _path(walk, rule), method=method, data=form, query_string=dict(inputs.query)
    )


def step(walk: Walk, rule: Rule, method: str) -> Step:
    """Submit one route and note which tables it changed and what it audited."""
    before, last_id = fingerprint(walk.app), last_audit_id(walk.app)
    response = submit(walk, rule, method)
    after = fingerprint(walk.app)
    changed = [name for name in before if before[name] != after[name]]
    audited = audit_since(walk.app, last_id, walk.admin_id)
    if response.mimetype == "text/html":
        html, page = response.get_data(as_text=True), response.request.path
        learn_paths(walk.app, page, html, walk.paths)
        learn_forms(walk.app, page, html, walk.world.found)
    return Step(rule.endpoint, response.status_code, changed, audited)


def walk_all(walk: Walk) -> dict[str, list[Step]]:
    """Submit every route but the exempt ones; the steps of each endpoint."""
    steps: dict[str, list[Step]] = {}
    for rule, method in post_routes(walk.app):
        if rule.endpoint in EXEMPT:
            continue
        steps.setdefault(rule.endpoint, []).append(step(walk, rule, method))
        if rule.endpoint.startswith(RISKY):
            walk.world.restore()  # signed out, demoted or revoked: back in for the next
    return steps


def judge(endpoint: str, steps: list[Step]) -> str | None:
    """What is wrong with one endpoint's steps, or None."""
    changed = sorted({name for s in steps for name in s.changed})
    unaudited = sorted({name for s in steps if not s.audited for name in s.changed})
    if any(s.status >= 500 for s in steps):
        return f"{endpoint} answered {[s.status for s in steps]}"
    if endpoint in CHANGES_NOTHING:
        if changed:
            return f"{endpoint} now changes {changed}: take it out of CHANGES_NOTHING (and audit)"
        return None
    if not changed:
        return (
            f"{endpoint} changed nothing (answered {[s.status for s in steps]}): give it valid"
            " inputs in FORMS/PATHS, or list it in CHANGES_NOTHING with why"
        )
    if endpoint in NOT_YET_AUDITED:
        if not unaudited:
            return f"{endpoint} audits now: drop its NOT_YET_AUDITED entry"
        return None
    if unaudited:
        return f"{endpoint} changed {unaudited} without an audit entry by the signed-in admin"
    return None


def test_every_state_change_on_every_screen_is_audited(
    walk: Walk, capsys: pytest.CaptureFixture[str]
) -> None:
    steps = walk_all(walk)

    problems = [p for endpoint, s in steps.items() if (p := judge(endpoint, s)) is not None]
    changed = [e for e, s in steps.items() if any(x.changed for x in s)]
    with capsys.disabled():
        print(
            f"\naudit walk: {len(steps)} endpoints walked, {len(changed)} changed state,"
            f" {len(steps) - len(changed)} changed nothing, {len(problems)} problems"
        )
    assert not problems, "\n".join(problems)
    assert len(changed) >= 50  # the walk really changes things: most routes do


def test_the_walk_lists_name_only_routes_that_exist(app: Flask) -> None:
    posts = {rule.endpoint for rule, _ in post_routes(app)}
    listed = {**EXEMPT, **CHANGES_NOTHING, **NOT_YET_AUDITED, **FORMS, **FILES, **PATHS}

    assert set(listed) <= posts, f"entries for routes that are gone: {set(listed) - posts}"
    assert not set(EXEMPT) & (set(CHANGES_NOTHING) | set(NOT_YET_AUDITED))
    assert not set(CHANGES_NOTHING) & set(NOT_YET_AUDITED)
    assert len(posts - set(EXEMPT)) > 60  # what the walk above submits
