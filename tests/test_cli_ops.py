"""The operations commands (doctor, backup, rotate-secrets) on the test app, through
Flask's CLI runner: what an admin sees and the exit codes scripts rely on."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy.engine import make_url

from printers.testing import ZebraListener
from station.cli import main
from station.extensions import db
from station.models import Printer
from station.secretbox import SecretBox
from station.settings import SettingsStore
from tests.fakes.ports import free_port


def run(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(main, list(args))


def add_tcp_printer(app: Flask, name: str, port: int) -> None:
    with app.app_context():
        spec = {"format": "zpl", "transport": "tcp9100", "host": "127.0.0.1", "port": port}
        db.session.add(Printer(name=name, spec=spec))
        db.session.commit()


class TestDoctor:
    def test_one_line_per_check_and_exit_0_without_failures(self, app: Flask) -> None:
        with ZebraListener() as zebra:
            add_tcp_printer(app, "Bench 1", zebra.port)
            result = run(app, "doctor")

        lines = result.output.splitlines()
        assert result.exit_code == 0, result.output
        assert [line.split(":")[0] for line in lines] == [
            "OK    database",
            "OK    redis",
            "WARN  cin7",
            "OK    printer Bench 1",
            "OK    outbox",
            "OK    print queue",
            "OK    clock",
            "OK    instance folder",
        ]
        assert lines[1] == "OK    redis: not configured: jobs on SQLite"

    def test_json_lists_the_checks_and_a_failure_exits_1(self, app: Flask) -> None:
        port = free_port()
        add_tcp_printer(app, "Bench 2", port)

        result = run(app, "doctor", "--json")

        assert result.exit_code == 1
        checks = json.loads(result.output)
        assert {"name", "status", "detail"} == set(checks[0])
        [printer] = [c for c in checks if c["name"] == "printer Bench 2"]
        assert printer["status"] == "FAIL"
        assert printer["detail"].startswith(f"no connection to 127.0.0.1:{port} within 2 s")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_backup_copies_the_sqlite_database_and_names_the_file(app: Flask, tmp_path: Path) -> None:
    result = run(app, "backup", "--out", str(tmp_path / "backups"))

    assert result.exit_code == 0, result.output
    [made] = (tmp_path / "backups").iterdir()
    assert result.output.startswith(f"{made} ({made.stat().st_size:,} bytes)\n")
    assert "fernet.key" in result.output
    copy = sqlite3.connect(made)
    try:
        assert copy.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)
    finally:
        copy.close()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_backup_on_postgresql_prints_the_pg_dump_to_run(app: Flask, tmp_path: Path) -> None:
    result = run(app, "backup", "--out", str(tmp_path / "backups"))

    url = make_url(app.config["DATABASE_URL"])
    assert result.exit_code == 1
    assert "pg_dump --format=custom --file=" in result.output
    assert f"postgresql://{url.username}@{url.host}:{url.port}/{url.database}" in result.output
    assert not (tmp_path / "backups").exists()


class TestRotateSecrets:
    OLD, NEW = Fernet.generate_key(), Fernet.generate_key()

    @pytest.fixture
    def app_config(self, app_config: dict[str, Any]) -> dict[str, Any]:
        return {**app_config, "FERNET_KEY": f"{self.NEW.decode()},{self.OLD.decode()}"}

    def store_with(self, app: Flask, key: bytes, **secrets: str) -> None:
        with app.app_context():
            store = SettingsStore(db.session, SecretBox([key]))
            for name, value in secrets.items():
                store.set_secret(name, value)
            db.session.commit()

    def test_secrets_sealed_with_the_old_key_are_moved_to_the_new_one(self, app: Flask) -> None:
        self.store_with(app, self.OLD, **{"cin7.api_key": "cin7-key"})

        result = run(app, "rotate-secrets")

        assert result.exit_code == 0, result.output
        assert result.output == "Re-encrypted 1 stored secrets with the first key.\n"
        with app.app_context():
            assert SettingsStore(db.session, SecretBox([self.NEW])).get_secret("cin7.api_key") == (
                "cin7-key"
            )

    def test_a_secret_no_key_opens_is_named_and_exits_1(self, app: Flask) -> None:
        self.store_with(app, self.OLD, **{"cin7.api_key": "cin7-key"})
        self.store_with(app, Fernet.generate_key(), **{"carriers.karrio": "{}"})

        result = run(app, "rotate-secrets")

        assert result.exit_code == 1
        assert "Re-encrypted 1 stored secrets" in result.output
        assert "No key opens these, so they were left alone: carriers.karrio." in result.output
