"""Forms the settings tests post."""

from __future__ import annotations

import io
from typing import Any

from flask.testing import FlaskClient

from station.cin7.sandbox import DEMO_API_KEY, DEMO_USERNAME, SandboxServer


def form(sandbox: SandboxServer, **changes: Any) -> dict[str, Any]:
    return {
        "base_url": sandbox.base_url,
        "username": DEMO_USERNAME,
        "api_key": DEMO_API_KEY,
        "approved_only": "y",
        "window_days": "14",
        "branch_ids": "1, 3",
        "stages": "New, Fully Picked",
        **changes,
    }


def upload(client: FlaskClient, data: bytes, shop: str = "csv") -> Any:
    return client.post(
        "/inbox/import",
        data={"shop": shop, "csv_file": (io.BytesIO(data), "orders.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
