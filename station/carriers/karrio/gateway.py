"""The one place that imports Karrio: connect a carrier, run its operations, translate failures.

``connect(config)`` imports Karrio lazily (Station runs without the ``karrio`` extra),
checks the connector and its settings, and returns a ``KarrioGateway``. Each operation
goes through Karrio's mapper (pure request building and reply parsing) and proxy (the
carrier's HTTP) directly, rather than the fluent ``karrio.Rating.fetch(...).from_(...)``
API, which turns every exception into a message and so hides a timeout behind text.

What comes back, and what is raised:

- a ``Reply``: Karrio's parsed result (or None) and every carrier message as text;
- ``UnsupportedOperation`` when the connector does not offer the operation;
- ``CarrierUnavailable`` when the carrier cannot be reached, does not answer within the
  timeout, or answers with something Karrio cannot read.

Refusals (a message and no result) are left for the caller, which knows the shipment.
"""

from __future__ import annotations

import http.client
import importlib
import logging
import ssl
import threading
import urllib.error
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from station.carriers.errors import CarrierMisconfigured, CarrierUnavailable, UnsupportedOperation
from station.carriers.karrio.config import KarrioConfig
from station.carriers.karrio.generic_label import GENERIC_LABEL_TEMPLATE

log = logging.getLogger(__name__)

INSTALL_HINT = (
    "Karrio is not installed: install Station with the karrio extra (pip install 'station[karrio]')"
)
NETWORK_ERRORS = (
    urllib.error.URLError,
    TimeoutError,
    ConnectionError,
    ssl.SSLError,
    http.client.HTTPException,
)
# What each Karrio proxy method is, in the words of UnsupportedOperation.
OPERATIONS = {
    "get_rates": "rating",
    "create_shipment": "creating consignments",
    "cancel_shipment": "voiding consignments",
    "get_tracking": "tracking",
}


@dataclass(frozen=True, slots=True)
class Reply:
    """What a Karrio operation gave back: its result (None when refused) and every message."""

    result: Any
    messages: tuple[str, ...] = ()


class KarrioGateway:
    """One connected Karrio carrier: rate, ship, cancel and track with plain-dict requests."""

    def __init__(self, gateway: Any, *, timeout_seconds: float, name: str = "") -> None:
        self.karrio = gateway
        self.timeout_seconds = timeout_seconds
        self.name = name or str(gateway.settings.carrier_name)

    @property
    def tracking_url_format(self) -> str | None:
        """The connector's tracking link with ``{}`` for the number, when it has one."""
        url = getattr(self.karrio.settings, "tracking_url", None)
        return url if isinstance(url, str) and "{}" in url else None

    def rate(self, request: dict[str, Any]) -> Reply:
        """Quote a ``RateRequest`` (as a dict)."""
        return self._run(
            "get_rates",
            "RateRequest",
            request,
            build="create_rate_request",
            parse="parse_rate_response",
            origin=request["shipper"].get("country_code"),
        )

    def ship(self, request: dict[str, Any]) -> Reply:
        """Create a shipment from a ``ShipmentRequest`` (as a dict)."""
        return self._run(
            "create_shipment",
            "ShipmentRequest",
            request,
            build="create_shipment_request",
            parse="parse_shipment_response",
            origin=request["shipper"].get("country_code"),
        )

    def cancel(self, request: dict[str, Any]) -> Reply:
        """Cancel a shipment from a ``ShipmentCancelRequest`` (as a dict)."""
        return self._run(
            "cancel_shipment",
            "ShipmentCancelRequest",
            request,
            build="create_cancel_shipment_request",
            parse="parse_cancel_shipment_response",
        )

    def track(self, request: dict[str, Any]) -> Reply:
        """Fetch tracking for a ``TrackingRequest`` (as a dict)."""
        return self._run(
            "get_tracking",
            "TrackingRequest",
            request,
            build="create_tracking_request",
            parse="parse_tracking_response",
        )

    def _run(
        self,
        operation: str,
        model: str,
        request: dict[str, Any],
        *,
        build: str,
        parse: str,
        origin: str | None = None,
    ) -> Reply:
        karrio = _karrio()
        gateway = self.karrio
        refusals = []
        for message in gateway.check(operation, origin_country_code=origin):
            if message.code == karrio.errors.MethodNotSupportedError.code:
                raise UnsupportedOperation(self.name, OPERATIONS[operation])
            refusals.append(message_text(message))
        if refusals:
            return Reply(None, tuple(refusals))
        try:
            payload = karrio.lib.to_object(getattr(karrio.models, model), request)
            serializable = getattr(gateway.mapper, build)(payload)
        except karrio.errors.MethodNotSupportedError as exc:
            raise UnsupportedOperation(self.name, OPERATIONS[operation]) from exc
        except karrio.errors.ShippingSDKError as exc:
            return Reply(None, tuple(error_texts(exc)))
        response = self._call_carrier(
            operation, lambda: getattr(gateway.proxy, operation)(serializable)
        )
        try:
            result, messages = getattr(gateway.mapper, parse)(response)
        except karrio.errors.ShippingSDKError as exc:
            return Reply(None, tuple(error_texts(exc)))
        except Exception as exc:
            # A reply Karrio cannot parse is an outage page or a changed API, not our input.
            raise CarrierUnavailable(
                f"{self.name} answered with something Station could not read "
                f"({type(exc).__name__}: {exc}); try again later"
            ) from exc
        return Reply(result, tuple(message_text(m) for m in messages or ()))

    def _call_carrier(self, operation: str, call: Callable[[], Any]) -> Any:
        """Run the proxy call with a deadline: Karrio's HTTP helper waits forever by default."""
        outcome: dict[str, Any] = {}

        def run() -> None:
            try:
                outcome["value"] = call()
            except BaseException as exc:  # handed to the waiting thread below
                outcome["error"] = exc

        worker = threading.Thread(target=run, name=f"karrio-{operation}", daemon=True)
        worker.start()
        worker.join(self.timeout_seconds)
        if worker.is_alive():
            after = (
                "; the consignment may still be created at the carrier: check there before retrying"
                if operation == "create_shipment"
                else "; try again later"
            )
            raise CarrierUnavailable(
                f"{self.name} did not answer within {self.timeout_seconds:g} s{after}"
            )
        error = outcome.get("error")
        if isinstance(error, NETWORK_ERRORS):
            raise CarrierUnavailable(
                f"{self.name} could not be reached ({type(error).__name__}: {error}); try again later"
            ) from error
        if error is not None:
            raise error
        return outcome["value"]


def connect(config: KarrioConfig) -> KarrioGateway:
    """Connect the Karrio carrier ``config`` names; raises ``CarrierMisconfigured`` listing
    every problem (Karrio missing, connector missing, settings it refuses, unknown services)."""
    what = config.display_name
    try:
        karrio = _karrio()
    except ImportError as exc:
        raise CarrierMisconfigured(what, [INSTALL_HINT]) from exc
    providers = karrio.references.collect_providers_data()
    provider = providers.get(config.carrier)
    if provider is None:
        package = f"karrio-{config.carrier.replace('_', '-')}"
        installed = ", ".join(sorted(providers)) or "none"
        raise CarrierMisconfigured(
            what,
            [
                f"Karrio has no carrier {config.carrier!r} here: install its connector "
                f"(pip install {package}); installed: {installed}"
            ],
        )
    settings = config.karrio_settings()
    if config.carrier == "generic" and "label_template" not in settings:
        # Karrio's own generic template pastes text into SVG unescaped: "&" breaks it.
        settings["label_template"] = {"slug": "station", "template": GENERIC_LABEL_TEMPLATE}
    problems = setting_problems(karrio, provider.Settings, settings, config.carrier)
    known = known_service_codes(provider, settings)
    problems.extend(
        f"service code {service.code!r} is not a {config.carrier} service "
        f"(Karrio knows {', '.join(sorted(known))})"
        for service in config.services
        if known and service.code not in known
    )
    if problems:
        raise CarrierMisconfigured(what, problems)
    try:
        gateway = karrio.sdk.gateway[config.carrier].create(settings)
    except karrio.errors.ShippingSDKError as exc:
        cause = exc.__cause__ or exc
        raise CarrierMisconfigured(
            what, [f"Karrio could not set up {config.carrier}: {cause}"]
        ) from exc
    return KarrioGateway(gateway, timeout_seconds=config.timeout_seconds, name=what)


def setting_problems(
    karrio: Any, settings_class: type, settings: dict[str, Any], carrier: str
) -> list[str]:
    """Settings the connector requires but lacks, and names it does not know."""
    fields = karrio.attr.fields(settings_class)
    names = {f.name for f in fields}
    problems = [
        f"setting {f.name!r} is required by Karrio's {carrier} connector"
        for f in fields
        if f.default is karrio.attr.NOTHING and f.name not in settings
    ]
    problems.extend(
        f"setting {name!r} is not a {carrier} setting (known: {', '.join(sorted(names))})"
        for name in settings
        if name not in names
    )
    return problems


def known_service_codes(provider: Any, settings: dict[str, Any]) -> set[str]:
    """Service codes Karrio knows for this carrier: its catalogue, its default service
    levels and any levels the settings define (as karrio-generic's do)."""
    codes = {member.name for member in (provider.services or ())}
    codes.update(level.service_code for level in (provider.service_levels or ()))
    levels = settings.get("services")
    if isinstance(levels, list):
        codes.update(
            level["service_code"]
            for level in levels
            if isinstance(level, dict) and isinstance(level.get("service_code"), str)
        )
    return codes


def message_text(message: Any) -> str:
    """A Karrio ``Message`` as one line for a person: text, then the carrier's code."""
    text = str(message.message or "").strip() or "the carrier gave no reason"
    details = message.details if isinstance(message.details, dict) else {}
    extra = "; ".join(_detail(name, value) for name, value in details.items())
    if extra:
        text = f"{text}: {extra}"
    code = message.code
    return f"{text} ({code})" if code not in (None, "") else text


def error_texts(error: Exception) -> list[str]:
    """Every message a Karrio error carries (field errors one per field)."""
    messages = getattr(error, "messages", None)
    if messages:
        return [message_text(message) for message in messages]
    details = getattr(error, "details", None)
    if isinstance(details, dict) and details:
        return [_detail(name, value) for name, value in details.items()]
    return [str(error) or type(error).__name__]


def _detail(name: str, value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("message") or value.get("code") or value
    return f"{name}: {value}"


class _Karrio:
    """The Karrio modules the bridge uses, imported on first use."""

    def __init__(self) -> None:
        importlib.import_module("karrio")
        self.sdk = importlib.import_module("karrio.sdk")
        self.lib = importlib.import_module("karrio.lib")
        self.models = importlib.import_module("karrio.core.models")
        self.errors = importlib.import_module("karrio.core.errors")
        self.references = importlib.import_module("karrio.references")
        self.attr = importlib.import_module("attr")


def _karrio() -> _Karrio:
    """Karrio's modules; raises ImportError when the extra is not installed.

    Not cached: after the first import each lookup is a ``sys.modules`` hit.
    """
    return _Karrio()
