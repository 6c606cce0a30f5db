"""A Cin7 Omni v1 sandbox: the demo's Cin7 and the tests' fake, over real HTTP.

It follows ``shared/cin7-omni.md`` and is as strict as it: Basic auth (401 with
``WWW-Authenticate: Basic``), 3/s · 60/min · 5000/day limits answered with 429
(``Retry-After`` only when ``Limits(retry_after=True)``), bare-array lists with
page/rows/fields/order/where (a field the resource lacks is a 400), one record by id,
per-item batch results that refuse what Cin7 refuses (void orders, read-only fields,
decimals that are not numbers, a POST with an id), the Shopify-module trigger URL,
``/_sandbox`` controls, and faults tests can switch on. It imports nothing from the
rest of Station.

Modules: ``state`` (the account, faults, request log), ``app`` (auth, limits, faults,
logging around ``api``), ``writes`` (batch POST/PUT), ``listing`` and ``where`` (list
parameters), ``schema`` (field names, read-only and decimal fields), ``contacts``,
``limits`` (sliding windows), ``shopify``, ``control``, ``server``, and the demo data in
``demo``, ``catalogue`` and ``customers``.
"""

from station.cin7.sandbox.app import DEMO_API_KEY, DEMO_USERNAME, create_sandbox
from station.cin7.sandbox.demo import seed_demo
from station.cin7.sandbox.limits import busiest_window
from station.cin7.sandbox.server import SandboxServer, serve_sandbox
from station.cin7.sandbox.state import Faults, Limits, LoggedRequest, SandboxState

__all__ = [
    "DEMO_API_KEY",
    "DEMO_USERNAME",
    "Faults",
    "Limits",
    "LoggedRequest",
    "SandboxServer",
    "SandboxState",
    "busiest_window",
    "create_sandbox",
    "seed_demo",
    "serve_sandbox",
]
