"""The instance folder, the SQLite database, the job queue and the keys: 0600 in 0700."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from station import create_app


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_new_instance_keeps_its_files_to_its_owner(tmp_path: Path, loose_umask: None) -> None:
    instance = tmp_path / "instance"

    create_app({"INSTANCE_PATH": str(instance), "TESTING": True, "FERNET_KEY": None})

    assert mode(instance) == 0o700
    for name in ("station.db", "jobs.db", "secret_key", "fernet.key"):
        assert mode(instance / name) == 0o600, name


def test_an_existing_loose_instance_is_tightened(tmp_path: Path, loose_umask: None) -> None:
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    (instance / "station.db").touch(mode=0o644)

    create_app({"INSTANCE_PATH": str(instance), "TESTING": True})

    assert mode(instance) == 0o700 and mode(instance / "station.db") == 0o600
