"""The ``station`` command: demo, db, sync, worker, sandbox, users, doctor, backup (plus
Flask's run/shell).

Each command imports what it uses when it runs: importing this module (every ``station``
command does, ``station agent`` on a bench PC too) imports click and Flask, not Station's
models, reportlab or Alembic. Flask-Migrate's ``station db`` group, which imports Alembic,
is loaded only when it is asked for (click's lazily loaded subcommands).
"""

from __future__ import annotations

import json
import logging
import secrets
import signal
import threading
import time
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from station.roles import Role

log = logging.getLogger(__name__)

DEMO_ADMIN = "admin"
MIGRATIONS_GROUP = "db"  # Flask-Migrate's commands: station db upgrade, station db check, ...


def _app_factory() -> Flask:
    """The app the ``station`` command works on.

    Flask-Migrate sets itself up when a migration command first reads it
    (``station.extensions``), so the commands that migrate nothing never import Alembic.
    """
    from station import create_app

    return create_app()


class StationGroup(FlaskGroup):
    """Flask's command group, where a database without Station's tables is a sentence."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), MIGRATIONS_GROUP})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name == MIGRATIONS_GROUP:
            from flask_migrate.cli import db as migrations_group

            return migrations_group
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            from sqlalchemy.exc import DBAPIError

            from station.db import NO_SCHEMA, schema_missing

            if not (isinstance(exc, DBAPIError) and schema_missing(exc)):
                raise
            log.error("%s (%s)", NO_SCHEMA, str(exc.orig).splitlines()[0])
            raise click.ClickException(NO_SCHEMA) from exc


def _require_schema() -> None:
    """Stop with a sentence unless the database is at the schema this code ships."""
    from station.extensions import db
    from station.ops.checks import Status
    from station.ops.doctor import check_database, migration_scripts

    check = check_database(db.engine, migration_scripts())
    if check.status != Status.OK:
        raise click.ClickException(check.detail)


@click.group(cls=StationGroup, create_app=_app_factory, add_version_option=False)
def main() -> None:
    """Station: a shipping-label station for Cin7 Omni."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def demo(host: str, port: int) -> None:
    """Run Station on embedded defaults with the Cin7 sandbox and an in-process worker."""
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from station import create_app
    from station.cin7.sandbox import DEMO_API_KEY, DEMO_USERNAME
    from station.cin7.sandbox.shopify import TRIGGER_PATH
    from station.config import SANDBOX_MOUNT
    from station.extensions import db
    from station.jobs import jobs, start_embedded_consumer
    from station.printing.setup import ensure_virtual_printer

    overrides: dict[str, Any] = {"SANDBOX_ENABLED": True}
    app = create_app(overrides)
    if not app.config.get("CIN7_BASE_URL"):
        app.config.update(
            CIN7_BASE_URL=f"http://{host}:{port}{SANDBOX_MOUNT}/api",
            CIN7_USERNAME=DEMO_USERNAME,
            CIN7_API_KEY=DEMO_API_KEY,
            CIN7_PRIVATE=True,  # the sandbox is this process, over plain http
            CIN7_SHOPIFY_TRIGGER_URL=(
                f"http://{host}:{port}{SANDBOX_MOUNT}{TRIGGER_PATH}"
                "?idCustomerAppsLink={link_id}&OrderId={order_id}"
            ),
        )
    with app.app_context():
        upgrade()
        password = _reset_demo_admin()
        ensure_virtual_printer(db.session, Path(app.instance_path) / "labels")
        db.session.commit()
    server = make_server(host, port, app, threaded=True)
    consumer = start_embedded_consumer(app)
    with app.app_context():
        jobs().sync_orders("startup")
        jobs().recover_outbox()  # write-backs a crash cut off go out within a minute
    click.echo(
        f"\nStation is running at http://{host}:{port}/\n"
        f"  sign in as: {DEMO_ADMIN} / {password}\n"
        f"  Cin7:       {app.config['CIN7_BASE_URL']} (sandbox with demo orders)\n"
        "  The first order sync has started; press Ctrl-C to stop.\n"
    )
    _serve_until_interrupted(server)
    consumer.stop(graceful=False)


def _reset_demo_admin() -> str:
    """Create the demo admin (or give it a fresh password) and return the password."""
    from sqlalchemy import select

    from station.accounts import create_user, set_password
    from station.extensions import db
    from station.models import User

    password = secrets.token_urlsafe(9)
    user = db.session.scalar(select(User).where(User.username == DEMO_ADMIN))
    if user is None:
        create_user(db.session, DEMO_ADMIN, password, role=Role.ADMIN, display_name="Demo admin")
    else:
        set_password(user, password)
    db.session.commit()
    return password


def _serve_until_interrupted(server: Any) -> None:
    stop = threading.Event()

    def handle(signum: int, _frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    server.shutdown()


@main.command()
@click.option("--once", is_flag=True, help="Run one sync and exit.")
@with_appcontext
def sync(once: bool) -> None:
    """Sync sales orders from Cin7 and print a summary of each run."""
    from station.cin7.errors import Cin7Error
    from station.cin7.selection import load_selection
    from station.cin7.sync import SyncError, sync_orders
    from station.cin7.wiring import cin7_wiring
    from station.extensions import db

    wiring = cin7_wiring()
    interval = int(current_app.config.get("SYNC_INTERVAL", 60))
    while True:
        try:
            with wiring.client(db.session, deadline_key="SYNC_DEADLINE") as client:
                outcome = sync_orders(
                    db.session, client, load_selection(wiring.settings(db.session)), trigger="cli"
                )
        except (SyncError, Cin7Error) as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(outcome.describe())  # a sync already running is said, not an error
        if once:
            return
        time.sleep(interval)


@main.command()
@click.option("--workers", default=2, show_default=True, type=int)
@click.option(
    "--no-periodic",
    is_flag=True,
    help="Only run queued jobs; leave the periodic order sync and print sweep to another worker.",
)
@with_appcontext
def worker(workers: int, no_periodic: bool) -> None:
    """Consume background jobs (order sync, write-backs) until stopped."""
    from station.jobs import jobs, make_consumer

    _require_schema()  # the jobs meet the database on threads, where no one would read why
    consumer = make_consumer(jobs().huey, workers=workers, periodic=not no_periodic)
    jobs().recover_outbox()  # write-backs a crashed worker cut off go out within a minute
    consumer.run()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8765, show_default=True, type=int)
@click.option("--orders", "order_count", default=320, show_default=True, type=int)
@click.option("--no-limits", is_flag=True, help="Do not enforce Cin7's rate limits.")
@click.option("--retry-after", is_flag=True, help="Send Retry-After with each 429 (Cin7 may not).")
def sandbox(host: str, port: int, order_count: int, no_limits: bool, retry_after: bool) -> None:
    """Serve the Cin7 Omni sandbox on its own (base URL http://HOST:PORT/api)."""
    from werkzeug.serving import make_server

    from station.cin7.sandbox import Limits, SandboxState, create_sandbox, seed_demo

    state = SandboxState()
    seed_demo(state, order_count=order_count)
    limits = Limits.unlimited() if no_limits else Limits(retry_after=retry_after)
    app = create_sandbox(state, limits=limits)
    server = make_server(host, port, app, threaded=True)
    click.echo(
        f"Cin7 sandbox at http://{host}:{server.server_port}/api ({len(state.orders)} orders)"
    )
    _serve_until_interrupted(server)


@main.command()
@click.option("--server", required=True, help="Station's address, e.g. https://station.example.com")
@click.option("--token", required=True, envvar="STATION_AGENT_TOKEN", help="This agent's token.")
@click.option(
    "--journal",
    "journal_path",
    type=click.Path(path_type=Path),
    default=Path("station-agent.journal"),
    show_default=True,
    help="Where the agent records what it printed.",
)
@click.option(
    "--files-root",
    type=click.Path(path_type=Path),
    default=None,
    help="The one folder file printers may write under [default: labels beside the journal].",
)
@click.option("--once", is_flag=True, help="Handle what is waiting now, then exit.")
@click.option(
    "--scale",
    "scale_port",
    default=None,
    help="Serial port (or pyserial URL) of a bench scale to read, e.g. /dev/ttyUSB0.",
)
@click.option("--scale-baud", default=9600, show_default=True, help="The scale's baud rate.")
def agent(
    server: str,
    token: str,
    journal_path: Path,
    files_root: Path | None,
    once: bool,
    scale_port: str | None,
    scale_baud: int,
) -> None:
    """Print this bench PC's jobs from the server on its local printers (and read its scale)."""
    from printers.agent import run_agent

    try:
        handled = run_agent(
            server,
            token,
            journal_path,
            files_root=files_root,
            once=once,
            scale_port=scale_port,
            scale_baud=scale_baud,
        )
    except PermissionError as exc:
        raise click.ClickException(str(exc)) from exc
    if once:
        click.echo(f"handled {handled} jobs")


@main.group()
def agents() -> None:
    """Register and revoke print agents."""


@agents.command("create")
@click.argument("name")
@with_appcontext
def agents_create(name: str) -> None:
    """Register an agent and print its token (shown only now)."""
    from station.printing.agents import AgentRequestInvalid, add_print_agent

    try:
        new = add_print_agent(None, name)
    except AgentRequestInvalid as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Agent {new.agent.name} registered. Its token (keep it secret, shown once):\n{new.token}"
    )


@agents.command("revoke")
@click.argument("name")
@with_appcontext
def agents_revoke(name: str) -> None:
    """Stop accepting an agent's token."""
    from sqlalchemy import select

    from station.db import utcnow
    from station.extensions import db
    from station.models import PrintAgent
    from station.printing.agents import withdraw_print_agent

    agent_row = db.session.scalar(select(PrintAgent).where(PrintAgent.name == name))
    if agent_row is None:
        raise click.ClickException(f"No agent called {name!r}.")
    withdraw_print_agent(None, agent_row, now=utcnow())
    click.echo(f"Agent {name} revoked.")


@main.group()
def users() -> None:
    """Manage Station users."""


@users.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.PACKER.value)
@click.password_option()
@with_appcontext
def users_create(username: str, role: str, password: str) -> None:
    """Add a user."""
    from station.accounts import AccountError, create_user
    from station.extensions import db

    try:
        create_user(db.session, username, password, role=Role(role))
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {username} ({role}).")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the checks as a JSON list.")
@with_appcontext
def doctor(as_json: bool) -> None:
    """Check the database, Redis, Cin7, printers, queues, clock and instance folder.

    Exits 1 when any check FAILs.
    """
    from station.cin7.wiring import cin7_wiring
    from station.extensions import db
    from station.ops.checks import Status
    from station.ops.doctor import run_checks

    checks = run_checks(
        db.session,
        engine=db.engine,
        redis_url=current_app.config.get("REDIS_URL"),
        instance_path=Path(current_app.instance_path),
        cin7=cin7_wiring(),
    )
    if as_json:
        click.echo(json.dumps([check.to_dict() for check in checks], indent=2, ensure_ascii=False))
    else:
        for check in checks:
            click.echo(f"{check.status.value:<4}  {check.name}: {check.detail}")
    if any(check.status is Status.FAIL for check in checks):
        raise SystemExit(1)


@main.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the backup file  [default: INSTANCE/backups]",
)
@with_appcontext
def backup(out_dir: Path | None) -> None:
    """Copy the SQLite database while Station runs (PostgreSQL: prints the pg_dump to run)."""
    from station.db import utcnow
    from station.ops.backup import BackupRefused, backup_database

    target = out_dir or Path(current_app.instance_path) / "backups"
    try:
        made = backup_database(current_app.config["DATABASE_URL"], target, now=utcnow())
    except BackupRefused as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{made.path} ({made.size:,} bytes)")
    click.echo(
        "Keep a copy of the encryption key too (instance/fernet.key or STATION_FERNET_KEY), "
        "apart from the backups: without it the stored secrets cannot be read."
    )


@main.command("rotate-secrets")
@with_appcontext
def rotate_secrets_command() -> None:
    """Encrypt every stored secret again with the first key in STATION_FERNET_KEY."""
    from station.extensions import db
    from station.settings import rotate_secrets, secret_box

    rotation = rotate_secrets(db.session, secret_box())
    db.session.commit()
    click.echo(f"Re-encrypted {len(rotation.resealed)} stored secrets with the first key.")
    if rotation.unreadable:
        names = ", ".join(rotation.unreadable)
        raise click.ClickException(
            f"No key opens these, so they were left alone: {names}. Enter them again in Settings."
        )
