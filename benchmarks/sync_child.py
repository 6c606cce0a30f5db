"""Run one full order sync in this process and print its summary as JSON (for sync_5000)."""

from __future__ import annotations

import json
import resource
import sys
import tempfile

from flask_migrate import upgrade

from benchmarks.config import embedded_config
from station import create_app
from station.cin7.selection import OrderSelection
from station.cin7.sync import sync_orders
from station.cin7.wiring import cin7_wiring
from station.extensions import db


def main(base_url: str, username: str, api_key: str) -> None:
    """Sync every order the sandbox at ``base_url`` holds into a fresh SQLite database."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            embedded_config(
                folder, CIN7_BASE_URL=base_url, CIN7_USERNAME=username, CIN7_API_KEY=api_key
            )
        )
        everything = OrderSelection(approved_only=False, include_dispatched=True, window_days=3650)
        with app.app_context():
            upgrade()
            client = cin7_wiring().client(db.session)
            summary = sync_orders(db.session, client, everything)
        print(
            json.dumps(
                {
                    "calls": summary.calls,
                    "orders_seen": summary.orders_seen,
                    "orders_created": summary.orders_created,
                    "seconds": round(summary.seconds, 3),
                    "peak_rss_mb": round(
                        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
                    ),
                }
            )
        )


if __name__ == "__main__":
    main(*sys.argv[1:4])
