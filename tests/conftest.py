"""Shared fixtures: an app per test on SQLite (and PostgreSQL where it matters), a client.

A test that uses the ``database_url`` fixture (``app`` and ``ctx`` do) runs once on
SQLite; marked ``both_databases`` (locks, constraints, concurrency, crash and kill tests,
dialect) it runs on PostgreSQL too. Each test run gets its own PostgreSQL database
(``station_test_<hex>``) migrated once; each test starts from empty tables. SQLite tests
copy a migrated template file. Every test that reaches PostgreSQL is marked ``postgres``
(``make check`` leaves those out). Under ``CI=true`` a missing PostgreSQL or Redis fails
the tests that need it instead of skipping them.

Cin7's rate limits are off unless a test is marked ``cin7_limits``: the sandbox answers
every call and Station's client does not pace its calls (its daily budget still counts).
Passwords are hashed with argon2's cheapest profile (``test_accounts`` checks the
production parameters).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST
from flask import Flask
from flask.testing import FlaskClient
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from werkzeug.routing import Rule

from station import accounts, create_app
from station.accounts import create_user
from station.cin7.sandbox import Limits, SandboxServer, SandboxState, seed_demo
from station.db import Base
from station.extensions import db
from station.models import Role
from tests.scheduling import estimate, run_order

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PG_ADMIN_URL = os.environ.get(
    "STATION_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("STATION_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
DATABASES = ("sqlite", "postgres")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run a test that uses ``database_url`` on SQLite, and on PostgreSQL when marked.

    A test that parametrizes ``database_url`` itself (``indirect=True``) keeps its choice.
    """
    if "database_url" not in metafunc.fixturenames:
        return
    for mark in metafunc.definition.iter_markers("parametrize"):
        names = mark.args[0]
        if "database_url" in (
            names.replace(" ", "").split(",") if isinstance(names, str) else names
        ):
            return
    both = metafunc.definition.get_closest_marker("both_databases") is not None
    metafunc.parametrize("database_url", DATABASES if both else DATABASES[:1], indirect=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``postgres`` every test that reaches the PostgreSQL server; deal the long tests.

    The order (``tests.scheduling``) is the same in every xdist worker, as xdist requires.
    """
    for item in items:
        params = getattr(item, "callspec", None)
        on_postgres = params is not None and "postgres" in params.params.values()
        if on_postgres or "postgres_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    items[:] = run_order(items, workers, expected_seconds)


def expected_seconds(item: pytest.Item) -> float:
    """Roughly how long ``item`` runs (``tests.scheduling.estimate``)."""
    return estimate(
        item.nodeid,
        slow=item.get_closest_marker("slow") is not None,
        browser=item.get_closest_marker("e2e") is not None,
    )


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes() -> Iterator[PasswordHasher]:
    """argon2's cheapest profile: a hash takes microseconds instead of ~50 ms.

    Yields the production hasher, for the test that keeps it.
    """
    production = accounts.password_hasher()
    accounts.use_password_hasher(PasswordHasher.from_parameters(CHEAPEST))
    yield production
    accounts.use_password_hasher(production)


@dataclass(frozen=True)
class _CompiledRule:
    """What werkzeug's ``Rule.compile`` made of one rule, to give a rule that agrees."""

    parts: tuple[Any, ...]
    trace: tuple[tuple[bool, str], ...]
    converters: dict[str, tuple[str, tuple[Any, ...], Mapping[str, Any]]]
    build: Callable[..., tuple[str, str]]
    build_unknown: Callable[..., tuple[str, str]]


def _reuse_compiled_rules() -> None:
    """Compile each route once per test process, not once per app.

    werkzeug compiles a rule whenever it is bound to a map: it parses the rule into the
    parts its matcher uses (with ``re``) and builds two URL-building functions with
    ``ast`` and ``compile``. With Station's ~130 routes that was over half of the ~18 ms
    ``create_app`` takes, and nearly every test makes an app. What compiling makes is a
    function of the rule's text, its defaults and the map's options and converters, so
    rules that agree on those share it; each rule still gets converter objects of its
    own, made for its own map, as werkzeug would make them.
    """
    compile_rule, get_converter = Rule.compile, Rule.get_converter
    compiled: dict[tuple[object, ...], _CompiledRule] = {}

    def reused(rule: Rule) -> None:
        assert rule.map is not None, "rule not bound"
        key = (
            rule.rule,
            rule.host if rule.map.host_matching else rule.subdomain,
            rule.map.host_matching,
            rule.merge_slashes,
            repr(sorted((rule.defaults or {}).items(), key=repr)),
            tuple(rule.map.converters.items()),
        )
        known = compiled.get(key)
        if known is None:
            specs: dict[str, tuple[str, tuple[Any, ...], Mapping[str, Any]]] = {}

            def noting(variable: str, name: str, args: Any, kwargs: Any) -> Any:
                specs[variable] = (name, args, kwargs)
                return get_converter(rule, variable, name, args, kwargs)

            rule.get_converter = noting  # type: ignore[method-assign]
            try:
                compile_rule(rule)
            finally:
                del rule.get_converter
            compiled[key] = _CompiledRule(
                tuple(rule._parts),
                tuple(rule._trace),
                specs,
                rule._build.__func__,  # type: ignore[attr-defined]
                rule._build_unknown.__func__,  # type: ignore[attr-defined]
            )
            return
        rule._parts, rule._trace = list(known.parts), list(known.trace)
        rule._converters = {
            variable: rule.get_converter(variable, *spec)
            for variable, spec in known.converters.items()
        }
        rule.arguments.update(known.converters)
        rule._build = known.build.__get__(rule, None)
        rule._build_unknown = known.build_unknown.__get__(rule, None)

    Rule.compile = reused  # type: ignore[method-assign]


_reuse_compiled_rules()


class _SharedTemplateCode(BytecodeCache):
    """Each template's compiled code, kept in memory for every app of this test process.

    Jinja compiles a template on its first render in each app (parsing it and generating
    Python), and nearly every test makes its own app: 10-15 ms of a page's first render.
    The cache is keyed by the template's name and source checksum, so an app renders
    exactly what it would have compiled itself.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": _SharedTemplateCode()}


def limits_enforced(request: pytest.FixtureRequest) -> bool:
    """Whether this test is marked ``cin7_limits`` (Cin7's rate limits are what it tests)."""
    return request.node.get_closest_marker("cin7_limits") is not None


@pytest.fixture
def sandbox_orders() -> int:
    """How many demo orders the sandbox starts with (modules override this)."""
    return 450


@pytest.fixture
def sandbox_limits(request: pytest.FixtureRequest) -> Limits:
    """The limits the sandbox enforces: Cin7's own in ``cin7_limits`` tests, else none."""
    return Limits() if limits_enforced(request) else Limits.unlimited()


@pytest.fixture
def sandbox_state(sandbox_orders: int) -> SandboxState:
    """A Cin7 account with demo data."""
    state = SandboxState()
    seed_demo(state, order_count=sandbox_orders)
    return state


@pytest.fixture
def sandbox(sandbox_state: SandboxState, sandbox_limits: Limits) -> Iterator[SandboxServer]:
    """The sandbox serving ``sandbox_state`` over real HTTP."""
    from tests.fakes.cin7 import running_sandbox

    with running_sandbox(sandbox_state, limits=sandbox_limits) as server:
        yield server


def service_missing(name: str, reason: str) -> None:
    """Skip (or, in CI, fail) a test whose service cannot be reached."""
    message = f"{name} is not reachable: {reason}"
    if IN_CI:
        pytest.fail(message + " (CI=true: services are required)")
    pytest.skip(message)


def _migrate(url: str, instance: Path) -> None:
    from flask_migrate import upgrade

    app = create_app(_config(url, instance))
    with app.app_context():
        upgrade()
        db.engine.dispose()


def _config(url: str, instance: Path, **extra: Any) -> dict[str, Any]:
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "JOBS_IMMEDIATE": True,
        "SANDBOX_ENABLED": False,
        "TIMEZONE": "Pacific/Auckland",  # the site zone the tests read times in
        "REDIS_URL": None,
        "LOG_LEVEL": "WARNING",
        # Test printers write under the test's own folder and listen on ephemeral ports.
        "PRINT_FILES_ROOT": str(instance.parent),
        "CIN7_PRIVATE": True,  # the sandbox answers on 127.0.0.1 over plain http
        "PRINTER_EXTRA_PORTS": "1024-65535",
        **extra,
    }


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database that each test copies."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.db"
    _migrate(f"sqlite:///{path}", folder)
    return path


@contextmanager
def fresh_postgres_database(prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database named ``prefix_<random>``, dropped afterwards."""
    admin_url = make_url(PG_ADMIN_URL)
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any connection failure means "not reachable"
        service_missing("PostgreSQL", str(exc).splitlines()[0])
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test run (dropped afterwards)."""
    with fresh_postgres_database("station_test") as url:
        _migrate(url, Path(os.environ.get("TMPDIR", "/tmp")) / make_url(url).database)
        yield url


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The database of one test: a copy of the SQLite template, or the run's PostgreSQL.

    ``pytest_generate_tests`` above chooses which (SQLite unless marked ``both_databases``).
    """
    if getattr(request, "param", "sqlite") == "sqlite":
        path = tmp_path / "station.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_url")
    yield url
    empty_postgres_tables(url)


def empty_postgres_tables(url: str) -> None:
    """Delete every row and restart every sequence that moved: the next test starts empty.

    ``DELETE`` rather than ``TRUNCATE``: a test leaves a few rows, and ``TRUNCATE`` of 37
    tables swaps every table's files (about a second a test here) where ``DELETE`` takes
    tens of milliseconds. Ids start at 1 again, as tests expect.
    """
    engine = create_engine(url)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):  # children before parents
            conn.execute(table.delete())
        conn.execute(
            text(
                "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, 1, false)"
                " FROM pg_sequences WHERE last_value IS NOT NULL"
            )
        )
    engine.dispose()


@pytest.fixture
def app_config(database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, Any]:
    """The config mapping the ``app`` fixture is built from; tests may add to it.

    Cin7's limits (the mounted sandbox's, the client's pacing) are on in ``cin7_limits``
    tests only.
    """
    limits = limits_enforced(request)
    return _config(database_url, tmp_path / "instance", CIN7_PACING=limits, SANDBOX_LIMITS=limits)


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    """A Station app on this test's database."""
    app = create_app(app_config)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def ctx(app: Flask) -> Iterator[Session]:
    """The app's session, inside an app context."""
    with app.app_context():
        yield db.session


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client (not signed in)."""
    return app.test_client()


class AuthActions:
    """Signing test users in and out, like the Flask tutorial's helper."""

    def __init__(self, app: Flask, client: FlaskClient) -> None:
        self._app = app
        self._client = client

    def create(
        self, username: str = "manager", password: str = "correct horse", role: Role = Role.MANAGER
    ) -> None:
        """Add a user to the database."""
        with self._app.app_context():
            create_user(db.session, username, password, role=role)
            db.session.commit()

    def login(
        self, username: str = "manager", password: str = "correct horse", role: Role = Role.MANAGER
    ) -> Any:
        """Create the user if needed and sign in."""
        with self._app.app_context():
            from sqlalchemy import select

            from station.models import User

            if db.session.scalar(select(User).where(User.username == username)) is None:
                create_user(db.session, username, password, role=role)
                db.session.commit()
        return self._client.post("/login", data={"username": username, "password": password})

    def logout(self) -> Any:
        """Sign out."""
        return self._client.post("/logout")


@pytest.fixture
def auth(app: Flask, client: FlaskClient) -> AuthActions:
    """Sign-in helper bound to ``client``."""
    return AuthActions(app, client)
