"""Hostile values into every input of every route: never a 5xx, and a refusal changes nothing.

The routes come from the app's URL map. The inputs of each route are found two ways and
joined, so a field the page forgets to show or a view reads without a form is still hit:

1. every ``<form>`` (and every element with its own ``hx-get``/``hx-post``) on every page
   and fragment Station answers gives its target route, its field names and their
   default values;
2. a request class whose argument and form dictionaries note each key a view reads
   (``request.form.get``, WTForms' ``getlist``, ``request.args.get(..., type=int)``) while
   each route is called once with those defaults.

Hypothesis then starts from the defaults (so validation passes and the deep paths run)
and puts hostile values into a few fields at a time, into the URL's ids and into JSON
bodies. Explicit examples always try the named edges: ids and pages of 10^30, the dates
9999-12-31 and 0001-01-01, a NUL, ``nan`` and a 5,000-digit number in every field at
once, JSON nested 100,000 deep.

A refusal (4xx) must leave every table as it was. The only columns allowed to move are
the ones that record the request itself (``IGNORED_COLUMNS``). Tables are compared row by
row; a table is read again only after a write statement ran on it (``tests.fakes.tables``),
which keeps the comparison from being most of the sweep's time.

Forms whose blank copy is always refused start from valid values (``VALID``). NUL goes
in on both databases: the request edge and the database's parameter net drop it.

Left out, on purpose: ``static`` (files, no input); the agent poll's ``wait`` is pinned to
0 because any other value is a long poll that holds the request for up to 25 s (its
parsing has its own tests in ``test_agent_api.py``). Nothing leaves the machine: Cin7 is
not configured, printers are in memory, and name lookups other than loopback fail here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, example, given, note, settings
from sqlalchemy import select
from werkzeug.routing import Rule

from station.accounts import set_password
from station.extensions import db
from station.inbox.folders import create_folder
from station.inbox.shopify_shops import bind_shop_secret
from station.inbox.tokens import create_token, token_for
from station.models import FailedSignIn, Printer, Role, User
from station.printing.agents import agent_for_token, register_agent
from station.settings import settings_store
from tests.builders import add_order
from tests.conftest import AuthActions
from tests.fakes.tables import TableRows, watching
from tests.inbox.samples import SHOPIFY_ORDER, order_json
from tests.web.bench import open_order, ship
from tests.web.hostile import Call, calls, edge_calls
from tests.web.route_inputs import Inputs, learn_forms, record_reads

# Generated examples per route and method, on top of the explicit ones. PostgreSQL gets
# every explicit example (the dialect's edges: NUL, 10^30 ids, year 9999, 5,000 digits)
# and the first of the generated ones; the generated sweep's breadth runs on SQLite.
EXAMPLES_PER_ROUTE = {"sqlite": 25, "postgres": 8}
PASSWORD = "correct horse"
# Columns that record the request itself (the last use of a token, a failed sign-in, a
# person's Cin7 allowance, metered per attempt) and so may change on a refusal; everything
# else must stay as it was.
IGNORED_COLUMNS = {
    "api_token": {"last_used_at"},
    "print_agent": {"last_seen_at"},
    "user_account": {"last_login_at"},
    "failed_sign_in": {"*"},
    "cin7_call_day": {"*"},
    "cin7_call_slot": {"*"},
    "cin7_allowance_use": {"*"},
}
# Refusals that are themselves recorded: a failed sign-in is audited (and counted above).
RECORDS_REFUSALS = {"auth.login": {"audit_event"}}
# Endpoints whose success may sign the sweep's people out or take their tokens away.
RISKY = (
    "auth.",
    "account.",
    "users.",
    "inbox_settings.revoke",
    "inbox_settings.delete_token",
    "printers.revoke",
)
JSON_BODIES: dict[str, Any] = {
    "api.agent_report": {"outcome": "done", "error": "jammed"},
    "api.agent_scale": {"grams": 1234, "stable": True},
    "inbox_api.create_order": order_json(),
    "inbox_api.shopify_order_created": SHOPIFY_ORDER,
}
PINNED = {"api.agent_jobs": {"wait": "0"}}  # see the module docstring
# Forms whose blank defaults are always refused get valid values, so the hostile field is
# the only thing wrong with an example and the code behind validation runs too.
VALID: dict[tuple[str, str], dict[str, str]] = {
    ("bench.scan", "POST"): {"scan": "SO-5003"},
    ("bench.verify", "POST"): {"verify": "off"},  # items unscanned would refuse every Enter
    ("bench.ship", "POST"): {"weight": "1.25"},
    ("account.password", "POST"): {"current": PASSWORD, "new": PASSWORD, "confirm": PASSWORD},
    ("inbox.move", "POST"): {"order_id": "1", "folder_id": "6"},
    ("inbox_rules.dry_run", "POST"): {"event": "imported"},
    ("inbox_rules.rerun_rules", "POST"): {"event": "imported"},
    ("inbox_rules.edit", "POST"): {
        "name": "Fuzzed",
        "event": "imported",
        "condition-0-field": "total",
        "condition-0-operator": "greater_than",
        "condition-0-value": "5",
        "action-0-action": "add_tag",
        "action-0-argument": "fuzz",
    },
    ("printers.new", "POST"): {
        "name": "Fuzz printer",
        "transport": "memory",
        "format": "zpl",
        "agent_id": "",
    },
    ("shipping.add_preset", "POST"): {
        "name": "Box",
        "length_mm": "300",
        "width_mm": "200",
        "height_mm": "100",
        "tare_grams": "50",
    },
}
# Routes that take away what others use (the rule, the token, the session) run last.
LAST = ("delete", "remove", "revoke", "deactivate", "logout", "sign_out", "void")


# --- the world the sweep runs in --------------------------------------------------------


@dataclass
class World:
    """A Station with one of everything, people signed in, tokens for the APIs."""

    app: Flask
    admin: FlaskClient
    packer: FlaskClient
    agent_token: str = ""
    shop_token: str = ""
    shopify_secret: str = "shpss_fuzz"
    found: dict[tuple[str, str], Inputs] = field(default_factory=dict)
    runs: int = 0
    errors: list[logging.LogRecord] = field(default_factory=list)
    tables: TableRows | None = None  # every table's rows, re-read where a write ran

    def last_error(self) -> str:
        """The last exception the app logged, for the failure message."""
        if not self.errors or not self.errors[-1].exc_info:
            return "nothing logged"
        _, exc, _ = self.errors[-1].exc_info
        return f"{type(exc).__name__}: {str(exc)[:300]}"

    def tables_now(self) -> dict[str, Any]:
        """Every table's rows, but for the columns a refusal may touch."""
        assert self.tables is not None
        return self.tables.read()

    def restore(self) -> None:
        """Sign the admin and the packer back in and renew revoked tokens, when needed."""
        admin_ok = self.admin.get("/users").status_code == 200
        packer_ok = self.packer.get("/bench").status_code == 200
        with self.app.app_context():
            if not (admin_ok and packer_ok):
                for username, role in (("admin", Role.ADMIN), ("packer", Role.PACKER)):
                    user = db.session.scalar(select(User).where(User.username == username))
                    assert user is not None
                    user.active, user.role = True, role
                    set_password(user, PASSWORD)
                db.session.execute(FailedSignIn.__table__.delete())
                db.session.commit()
            if agent_for_token(db.session, self.agent_token) is None:
                self.agent_token = register_agent(db.session, f"Agent {time.monotonic()}").token
            if token_for(db.session, self.shop_token, now=_now()) is None:
                name = f"Shop {time.monotonic_ns()}"
                self.shop_token = create_token(db.session, name=name, shop="web").token
            db.session.commit()
        if not admin_ok:
            assert AuthActions(self.app, self.admin).login("admin").status_code == 302
        if not packer_ok:
            assert AuthActions(self.app, self.packer).login("packer").status_code == 302
            self.packer.post("/bench/printer", data={"printer_id": "1"})


def _now() -> Any:
    from station.db import utcnow

    return utcnow()


@pytest.fixture
def world(
    app: Flask,
    auth: AuthActions,
    client: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> World:
    """Station with an order shipped, an inbox order, a rule, a folder, tokens and people,
    and what every route takes learned by calling each of them."""
    world = build_world(app, auth, client, monkeypatch, request)
    _discover(world)
    return world


def build_world(
    app: Flask,
    auth: AuthActions,
    client: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> World:
    """The world before discovery: its data, its people signed in, reads being recorded."""
    _only_loopback(monkeypatch)
    found: dict[tuple[str, str], Inputs] = {}
    record_reads(app, found)
    with app.app_context():
        db.session.add(Printer(name="Bench 1", spec={"format": "zpl", "transport": "memory"}))
        add_order(db.session)
        add_order(db.session, cin7_id=5002, reference='SO-"Ōtaki" 5002')
        add_order(db.session, cin7_id=5003)  # the packer's to ship
        create_folder(db.session, "Wholesale")
        agent = register_agent(db.session, "Bench PC")
        shop = create_token(db.session, name="Web shop", shop="web")
        bind_shop_secret(settings_store(db.session), "fuzz.myshopify.com", "shpss_fuzz")
        db.session.commit()
    auth.login("admin", PASSWORD, role=Role.ADMIN)
    auth.create("manager", PASSWORD, role=Role.MANAGER)
    packer = app.test_client()
    AuthActions(app, packer).login("packer", PASSWORD, role=Role.PACKER)
    assert packer.post("/bench/printer", data={"printer_id": "1"}).status_code == 200
    world = World(app, client, packer, agent.token, shop.token, found=found)
    stack = ExitStack()
    request.addfinalizer(stack.close)
    with app.app_context():
        world.tables = stack.enter_context(watching(db.engine, IGNORED_COLUMNS))
    handler = logging.Handler(logging.ERROR)
    handler.emit = world.errors.append  # type: ignore[method-assign]
    logging.getLogger("station").addHandler(handler)
    request.addfinalizer(lambda: logging.getLogger("station").removeHandler(handler))
    open_order(client)
    assert ship(client, open_order(client)[1])[0] == 200
    posted = client.post(
        "/api/v1/orders", json=order_json(), headers={"Authorization": f"Bearer {shop.token}"}
    )
    assert posted.status_code == 201, posted.get_data(as_text=True)
    rule = client.post(
        "/inbox/rules/new",
        data={"name": "Big", "event": "imported", "condition_rows": "1",
              "condition-0-field": "total", "condition-0-operator": "greater_than",
              "condition-0-value": "100", "action_rows": "1",
              "action-0-action": "add_tag", "action-0-argument": "big", "enabled": "on"},
    )  # fmt: skip
    assert rule.status_code == 302, rule.get_data(as_text=True)
    return world


def _only_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Name lookups for anything but this machine fail, as on a closed network."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host or "")
        if name in {"localhost", "::1"} or name.startswith("127."):
            return real(host, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, "the sweep stays on this machine")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def routes(app: Flask) -> Iterator[tuple[Rule, str]]:
    """Every rule and method but static files; those that take things away last."""

    def order(rule: Rule) -> tuple[bool, str, str]:
        return rule.endpoint.endswith(LAST), rule.rule, rule.endpoint

    for rule in sorted(app.url_map.iter_rules(), key=order):
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method


def _discover(world: World) -> None:
    """Call every route twice: pages and fragments show forms, views note what they read."""
    for key, values in VALID.items():
        world.found.setdefault(key, Inputs()).form.update(values)
    for _ in range(2):
        for rule, method in routes(world.app):
            inputs = world.found.get((rule.endpoint, method), Inputs())
            call = Call({}, dict(inputs.query), dict(inputs.form))
            response = send(world, rule, method, call)
            if response.mimetype == "text/html":
                page = response.request.path
                learn_forms(world.app, page, response.get_data(as_text=True), world.found)
            if rule.endpoint.startswith(RISKY):
                world.restore()


# --- sending a call ---------------------------------------------------------------------


def _client(world: World, rule: Rule) -> FlaskClient:
    if rule.endpoint == "auth.login":
        return world.app.test_client()  # signing in is fuzzed by a stranger
    return world.packer if rule.endpoint.startswith("bench.") else world.admin


def _path(rule: Rule, values: dict[str, Any]) -> str:
    filled = {arg: values.get(arg, 1) for arg in rule.arguments}
    return rule.build(filled, append_unknown=False)[1]  # type: ignore[index]


def send(world: World, rule: Rule, method: str, call: Call) -> Any:
    """Make ``call`` to ``rule`` the way its callers do (browser, agent, shop, Shopify)."""
    path = _path(rule, call.path)
    query = {**call.query, **PINNED.get(rule.endpoint, {})}
    headers = {"HX-Request": "true"} if call.htmx else {}
    if rule.endpoint.startswith("api."):
        headers["Authorization"] = f"Bearer {world.agent_token}"
    elif rule.endpoint == "inbox_api.shopify_order_created":
        body = call.body if call.body is not None else b""
        digest = hmac.new(world.shopify_secret.encode(), body, hashlib.sha256).digest()
        headers.update(
            {
                "X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode(),
                "X-Shopify-Topic": "orders/create",
                "X-Shopify-Shop-Domain": "fuzz.myshopify.com",
                "X-Shopify-Webhook-Id": str(uuid.uuid4()),
            }
        )
    elif rule.endpoint.startswith("inbox_api."):
        headers["Authorization"] = f"Bearer {world.shop_token}"
    client = _client(world, rule) if not rule.rule.startswith("/api/") else world.app.test_client()
    kwargs: dict[str, Any] = {"query_string": query, "headers": headers}
    if call.body is not None:
        kwargs.update(data=call.body, content_type="application/json")
    elif method != "GET":
        kwargs["data"] = call.form
    return client.open(path, method=method, **kwargs)


def signed_out(response: Any) -> bool:
    """The answer sends its caller to the sign-in page: that client's session has ended."""
    target = response.headers.get("HX-Redirect") or response.headers.get("Location") or ""
    return urlsplit(target).path == "/login"


# --- the sweep --------------------------------------------------------------------------


def sweep_route(world: World, rule: Rule, method: str, *, examples: int) -> None:
    """Hypothesis over one route: no 5xx, and a 4xx leaves the database as it was."""
    # A copy: the recorder keeps noting keys while the sweep runs, and Hypothesis needs
    # the same strategy on every run of an example.
    found = world.found.get((rule.endpoint, method), Inputs())
    inputs = Inputs(dict(found.query), dict(found.form), set(found.files))
    json_base = JSON_BODIES.get(rule.endpoint) if method == "POST" else None

    def one(call: Call) -> None:
        world.runs += 1
        note(f"{method} {rule.rule} {call!r:.2000}")
        before = world.tables_now()
        response = send(world, rule, method, call)
        status = response.status_code
        assert status < 500, f"{method} {rule.rule} answered {status}: {world.last_error()}"
        if 400 <= status < 500:
            assert response.get_data(as_text=True).strip(), f"{method} {rule.rule}: empty {status}"
            after = world.tables_now()
            allowed = RECORDS_REFUSALS.get(rule.endpoint, set())
            changed = [n for n in before if before[n] != after[n] and n not in allowed]
            assert not changed, f"{method} {rule.rule}: {status} changed {changed}"
        # A refusal changed no table (asserted above), so it took no one's session or
        # token; a risky call that went through may have, and any answer sending its
        # caller to sign in says a session ended.
        if signed_out(response) or (
            method != "GET" and rule.endpoint.startswith(RISKY) and status < 400
        ):
            world.restore()

    test: Callable[..., None] = given(call=calls(rule, inputs, json_base))(one)
    for call in edge_calls(rule, inputs, json_base):
        test = example(call=call)(test)
    settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
    )(test)()


@pytest.mark.slow  # about a minute on SQLite, on an idle 2-CPU machine
@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_no_input_to_any_route_is_a_server_error_or_a_change_when_refused(
    world: World, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    started, failures, swept = time.monotonic(), [], 0
    dialect = "postgres" if database_url.startswith("postgresql") else "sqlite"
    for rule, method in routes(world.app):
        try:
            sweep_route(world, rule, method, examples=EXAMPLES_PER_ROUTE[dialect])
        except Exception as exc:  # noqa: BLE001 - collect every route's failure, then fail
            notes = "\n".join(getattr(exc, "__notes__", []))
            failures.append(f"{exc}\n{notes}"[:3000])
        swept += 1
    with capsys.disabled():
        print(
            f"\nfuzz sweep: {world.runs} examples over {swept} routes and methods,"
            f" {time.monotonic() - started:.0f} s, {len(failures)} failing,"
            f" {world.tables.reads if world.tables else 0} table reads"
        )
    assert not failures, "\n\n".join(failures)
    assert swept > 100


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_nul_in_every_field_is_never_a_server_error_on_postgres(world: World) -> None:
    failures = []
    for rule, method in routes(world.app):
        inputs = world.found.get((rule.endpoint, method), Inputs())
        call = Call({}, {n: "x\x00y" for n in inputs.query}, {n: "x\x00y" for n in inputs.form})
        status = send(world, rule, method, call).status_code
        if status >= 500:
            failures.append(f"{method} {rule.rule}: {status} {world.last_error()}")
        if rule.endpoint.startswith(RISKY):
            world.restore()
    assert not failures, "\n".join(failures)
