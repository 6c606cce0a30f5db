"""What building the app imports: nothing a web worker does not use (issue 18, worker RSS).

Every gunicorn worker builds the app; a module imported there stays resident in each of
them. python-escpos (ESC/POS printers only) and Flask-Migrate with Alembic (migrations
only) are imported on first use instead. Each check runs in a fresh interpreter, since
this test process has long imported both.

The ``station`` command imports what its subcommand uses: ``station agent`` on a bench PC
builds no app, and ``station worker`` (restarted after a crash) draws no PDF until a job
asks for one, so neither pays for SQLAlchemy's models or reportlab at startup.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAZY = ("escpos", "flask_migrate", "alembic")
NOT_FOR_THE_COMMAND_LINE = ("sqlalchemy", "station.models", "reportlab", "alembic", "huey")
NOT_FOR_THE_WORKER = ("reportlab", "flask_migrate")

BUILD_APP = """
import json, sys
from station import create_app
app = create_app({"INSTANCE_PATH": sys.argv[1], "DATABASE_URL": sys.argv[2], "SECRET_KEY": "x"})
print(json.dumps({name: name in sys.modules for name in sys.argv[3:]}))
"""

MIGRATE_APP = """
import json, sys
from flask_migrate import upgrade
from station import create_app
app = create_app({"INSTANCE_PATH": sys.argv[1], "DATABASE_URL": sys.argv[2], "SECRET_KEY": "x"})
with app.app_context():
    upgrade()
    print(json.dumps(app.extensions["migrate"].directory))
"""

BUILD_ESCPOS_PRINTER = """
import json, sys
from printers.formats import PrinterFormat, PrinterSpec, TransportKind, build_transport
before = "escpos" in sys.modules
spec = PrinterSpec("Receipts", PrinterFormat.PNG_RASTER, TransportKind.ESCPOS_FILE, device=sys.argv[1])
transport = build_transport(spec)
print(json.dumps([before, "escpos" in sys.modules, type(transport).__name__]))
"""

IMPORT_THE_COMMAND = """
import json, sys
import station.cli
print(json.dumps({name: name in sys.modules for name in sys.argv[1:]}))
"""

# The worker command up to the point where it starts consuming (Consumer.run), on a
# migrated database; what it has imported by then.
START_THE_WORKER = """
import json, os, sys
from huey.consumer import Consumer
os.environ["STATION_INSTANCE_PATH"], os.environ["STATION_DATABASE_URL"] = sys.argv[1:3]
Consumer.run = lambda self: print(json.dumps({n: n in sys.modules for n in sys.argv[3:]}))
from station.cli import main
main(["worker", "--workers", "1", "--no-periodic"], standalone_mode=False)
"""


def run_python(code: str, *args: str) -> object:
    """Run ``code`` in a fresh interpreter on this checkout; what it printed, as JSON."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STATION_")}
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.splitlines()[-1])


@pytest.fixture
def instance(tmp_path: Path) -> tuple[str, str]:
    """An instance folder and a SQLite database URL inside it."""
    return str(tmp_path), f"sqlite:///{tmp_path / 'station.db'}"


def test_building_the_app_imports_neither_escpos_nor_alembic(instance: tuple[str, str]) -> None:
    imported = run_python(BUILD_APP, *instance, *LAZY)

    assert imported == dict.fromkeys(LAZY, False)


def test_flask_migrate_sets_itself_up_on_first_use(instance: tuple[str, str]) -> None:
    directory = run_python(MIGRATE_APP, *instance)

    assert directory == str(ROOT / "station" / "migrations")
    assert (Path(instance[0]) / "station.db").stat().st_size > 0


def test_an_escpos_printer_imports_python_escpos_when_it_is_built(tmp_path: Path) -> None:
    before, after, transport = run_python(BUILD_ESCPOS_PRINTER, str(tmp_path / "lp0"))

    assert (before, after, transport) == (False, True, "EscposTransport")


def test_importing_the_command_imports_neither_the_models_nor_reportlab() -> None:
    imported = run_python(IMPORT_THE_COMMAND, *NOT_FOR_THE_COMMAND_LINE)

    assert imported == dict.fromkeys(NOT_FOR_THE_COMMAND_LINE, False)


def test_the_worker_starts_consuming_without_reportlab_or_flask_migrate(
    tmp_path: Path, sqlite_template: Path
) -> None:
    database = tmp_path / "station.db"
    shutil.copyfile(sqlite_template, database)

    imported = run_python(
        START_THE_WORKER, str(tmp_path), f"sqlite:///{database}", *NOT_FOR_THE_WORKER, "alembic"
    )

    # Alembic reads the schema's revision (the worker refuses an old schema); nothing else.
    assert imported == {**dict.fromkeys(NOT_FOR_THE_WORKER, False), "alembic": True}
