"""Fixtures of the inbox's views: Station pointed at an empty Cin7 sandbox without limits."""

from __future__ import annotations

from typing import Any

import pytest

from station.cin7.sandbox import SandboxServer
from tests.fakes.cin7 import sandbox_config
from tests.inbox.conftest import sandbox_limits, sandbox_orders

__all__ = ["sandbox_limits", "sandbox_orders"]


@pytest.fixture
def app_config(app_config: dict[str, Any], sandbox: SandboxServer) -> dict[str, Any]:
    return {**app_config, **sandbox_config(sandbox)}
