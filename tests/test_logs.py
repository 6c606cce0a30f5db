"""Each log line is written once, whatever else put a handler on the root logger."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask_migrate import upgrade

from station import create_app, logs
from station.extensions import db


@pytest.fixture(autouse=True)
def saved_logging() -> Iterator[None]:
    """Give the root and ``station`` loggers back as they were (handlers are process-wide)."""
    root, station = logging.getLogger(), logging.getLogger("station")
    saved = (root.handlers[:], root.level, station.handlers[:], station.level)
    yield
    root.handlers[:], root.level, station.handlers[:], station.level = saved


def test_a_line_is_written_once_after_a_library_called_basic_config(
    capsys: pytest.CaptureFixture[str],
) -> None:
    logging.getLogger().addHandler(logging.StreamHandler())  # what logging.basicConfig() adds
    logs.configure("text", "INFO")

    logging.getLogger("station.test").warning("the printer is out of labels")

    assert capsys.readouterr().err.count("the printer is out of labels") == 1


def test_configuring_twice_keeps_one_handler(capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure("text", "INFO")
    logs.configure("json", "INFO")

    logging.getLogger("station.test").warning("order 1042 shipped")

    (line,) = [ln for ln in capsys.readouterr().err.splitlines() if "order 1042" in ln]
    assert line.startswith("{")


def test_migrating_leaves_logging_alone_and_says_each_step_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}",
            "SECRET_KEY": "test-secret",
            "REDIS_URL": None,
            "LOG_LEVEL": "INFO",
        }
    )
    with app.app_context():
        upgrade()  # Alembic's env.py would run fileConfig: a second root handler
        db.engine.dispose()

    logging.getLogger("station.test").info("the first order sync has started")

    err = capsys.readouterr().err
    assert err.count("the first order sync has started") == 1
    assert err.count("Running upgrade  -> ") == 1
