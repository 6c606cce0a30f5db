"""The settings every embedded bench app starts from: SQLite in a folder, jobs in-process."""

from __future__ import annotations

from typing import Any

# Bench printers are TCP listeners on free loopback ports, and the Cin7 sandbox answers
# on 127.0.0.1 over plain http: both are refused by default in production.
LOOPBACK = {"PRINTER_EXTRA_PORTS": "1024-65535", "CIN7_PRIVATE": True}


def embedded_config(folder: str, **extra: Any) -> dict[str, Any]:
    """Settings for a bench app whose instance and SQLite database live in ``folder``."""
    return {
        "INSTANCE_PATH": folder,
        "DATABASE_URL": f"sqlite:///{folder}/bench.db",
        "JOBS_IMMEDIATE": True,
        "LOG_LEVEL": "WARNING",
        **LOOPBACK,
        **extra,
    }
