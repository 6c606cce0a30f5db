"""``KarrioConfig``: which Karrio carrier to use, its account settings and the services offered.

Parsed from a plain dict (a settings form, an instance file) by ``KarrioConfig.from_dict``,
which lists every problem at once in ``CarrierMisconfigured``. Nothing here imports Karrio:
problems only Karrio can see (an uninstalled connector, a missing account field, a service
code it does not know) are found when ``KarrioCarrier`` connects.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from station.carriers.base import Service
from station.carriers.errors import CarrierMisconfigured
from station.carriers.ownlabel import tracking_template_problems

LABEL_FORMATS = ("PDF", "ZPL", "PNG")
DEFAULT_TIMEOUT_SECONDS = 30.0
_CARRIER = re.compile(r"[a-z][a-z0-9_]{0,39}")
_CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
_KEYS = (
    "carrier",
    "settings",
    "services",
    "code",
    "name",
    "label_format",
    "tracking_url_template",
    "timeout_seconds",
)


@dataclass(frozen=True, slots=True)
class KarrioConfig:
    """One Karrio carrier account as Station uses it.

    ``carrier`` is Karrio's carrier name ("generic", "australiapost", ...); ``settings``
    are that connector's connection settings (account numbers, keys: kept out of ``repr``);
    ``services`` are the Karrio service codes offered at the bench, in order.
    ``label_format`` is the carrier label document asked of Karrio (Station prints its
    own layout either way); ``tracking_url_template`` (https, one ``{ticket}``) overrides
    the carrier's own tracking link; ``timeout_seconds`` bounds every Karrio call.
    """

    carrier: str
    services: tuple[Service, ...]
    settings: Mapping[str, Any] = field(default_factory=dict, repr=False)
    code: str = ""
    name: str = ""
    label_format: str = "PDF"
    tracking_url_template: str | None = None
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> KarrioConfig:
        """Parse and check ``data``; raises ``CarrierMisconfigured`` listing every problem."""
        if not isinstance(data, Mapping):
            raise CarrierMisconfigured("Karrio carrier", [_not_a("the configuration", data)])
        problems = [f"{key!r} is not a Karrio setting" for key in data if key not in _KEYS]
        carrier = _parse(data, "carrier", _carrier, problems, required=True)
        settings = _parse(data, "settings", _settings, problems, default={})
        services = _parse(data, "services", _services, problems, required=True)
        code = _parse(data, "code", _code, problems, default=f"karrio-{carrier or 'carrier'}")
        name = _parse(data, "name", _name, problems, default=_default_name(carrier, settings))
        label_format = _parse(data, "label_format", _label_format, problems, default="PDF")
        template = _parse(data, "tracking_url_template", _template, problems, default=None)
        timeout = _parse(
            data, "timeout_seconds", _timeout, problems, default=DEFAULT_TIMEOUT_SECONDS
        )
        if problems:
            raise CarrierMisconfigured(f"Karrio carrier {carrier or '(no carrier)'}", problems)
        return cls(
            carrier=carrier,
            services=services,
            settings=MappingProxyType(settings),
            code=code,
            name=name,
            label_format=label_format,
            tracking_url_template=template,
            timeout_seconds=timeout,
        )

    @property
    def display_name(self) -> str:
        """``name``, or one made from the carrier when none was given."""
        return self.name or _default_name(self.carrier, self.settings)

    @property
    def station_code(self) -> str:
        """``code``, or ``karrio-<carrier>`` when none was given."""
        return self.code or f"karrio-{self.carrier}"

    def problems(self) -> list[str]:
        """Every problem with these values (for configs built directly, not by ``from_dict``)."""
        problems: list[str] = []
        for key, value, check in (
            ("carrier", self.carrier, _carrier),
            ("settings", dict(self.settings), _settings),
            ("services", list(self.services), _services),
            ("code", self.station_code, _code),
            ("name", self.display_name, _name),
            ("label_format", self.label_format, _label_format),
            ("tracking_url_template", self.tracking_url_template, _template),
            ("timeout_seconds", self.timeout_seconds, _timeout),
        ):
            if value is not None:
                check(key, value, problems)
        return problems

    def karrio_settings(self) -> dict[str, Any]:
        """A private copy of ``settings`` to hand to Karrio (which may change what it gets)."""
        return copy.deepcopy(dict(self.settings))


Check = Callable[[str, Any, list[str]], Any]


def _parse(
    data: Mapping[str, Any],
    key: str,
    check: Check,
    problems: list[str],
    *,
    required: bool = False,
    default: Any = None,
) -> Any:
    """The checked value under ``key`` (or ``default``); problems are appended, not raised."""
    if key not in data or data[key] is None:
        if required:
            problems.append(f"{key!r} is required")
        return default
    return check(key, data[key], problems)


def _not_a(what: str, value: Any, kind: str = "a mapping") -> str:
    return f"{what} must be {kind}, not {type(value).__name__}"


def _carrier(key: str, value: Any, problems: list[str]) -> str | None:
    if not isinstance(value, str):
        problems.append(_not_a(repr(key), value, "text"))
        return None
    if not _CARRIER.fullmatch(value):
        problems.append(
            f"carrier {value!r} must be Karrio's carrier name: lower-case letters, digits "
            "and _ (e.g. 'generic', 'australiapost')"
        )
        return None
    return value


def _settings(key: str, value: Any, problems: list[str]) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        problems.append(_not_a(repr(key), value))
        return {}
    bad = [name for name in value if not isinstance(name, str) or not name]
    problems.extend(f"setting name {name!r} must be non-empty text" for name in bad)
    return copy.deepcopy(dict(value))


def _services(key: str, value: Any, problems: list[str]) -> tuple[Service, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
        problems.append(_not_a(repr(key), value, "a list of service codes"))
        return ()
    if not value:
        problems.append("at least one service is needed")
    services = []
    for index, entry in enumerate(value, start=1):
        service = _service(index, entry, problems)
        if service is None:
            continue
        if any(other.code == service.code for other in services):
            problems.append(f"service code {service.code!r} is listed twice")
        services.append(service)
    return tuple(services)


def _service(index: int, entry: Any, problems: list[str]) -> Service | None:
    """A service from ``"code"``, ``{"code": ..., "name": ..., "max_weight_grams": ...}``
    or an already-built ``Service``."""
    if isinstance(entry, Service):
        entry = {"code": entry.code, "name": entry.name, "max_weight_grams": entry.max_weight_grams}
    elif isinstance(entry, str):
        entry = {"code": entry}
    if not isinstance(entry, Mapping):
        problems.append(f"service {index} must be a code or a mapping, not {type(entry).__name__}")
        return None
    where = f"service {index}"
    unknown = [name for name in entry if name not in ("code", "name", "max_weight_grams")]
    problems.extend(f"{where}: {name!r} is not a service setting" for name in unknown)
    code, name, limit = entry.get("code"), entry.get("name"), entry.get("max_weight_grams")
    ok = True
    if not isinstance(code, str) or not code.strip() or code != code.strip():
        problems.append(f"{where}: code must be Karrio's service code, not {code!r}")
        ok = False
    if name is not None and (not isinstance(name, str) or not name.strip()):
        problems.append(f"{where}: name must be non-empty text, not {name!r}")
        ok = False
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0):
        problems.append(f"{where}: max_weight_grams must be whole grams above 0, not {limit!r}")
        ok = False
    if not ok:
        return None
    return Service(code=code, name=(name or code).strip(), max_weight_grams=limit)


def _code(key: str, value: Any, problems: list[str]) -> str | None:
    if not isinstance(value, str) or not _CODE.fullmatch(value):
        problems.append(
            f"code {value!r} must be 1–40 lower-case letters, digits, _ or - (e.g. 'karrio-generic')"
        )
        return None
    return value


def _name(key: str, value: Any, problems: list[str]) -> str | None:
    if not isinstance(value, str) or not value.strip():
        problems.append(f"name must be non-empty text, not {value!r}")
        return None
    return value.strip()


def _label_format(key: str, value: Any, problems: list[str]) -> str | None:
    text = value.strip().upper() if isinstance(value, str) else None
    if text not in LABEL_FORMATS:
        problems.append(f"label_format {value!r} must be one of {', '.join(LABEL_FORMATS)}")
        return None
    return text


def _template(key: str, value: Any, problems: list[str]) -> str | None:
    if not isinstance(value, str):
        problems.append(_not_a(repr(key), value, "text"))
        return None
    found = tracking_template_problems(value)
    problems.extend(found)
    return None if found else value


def _timeout(key: str, value: Any, problems: list[str]) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 300:
        problems.append(f"timeout_seconds must be a number of seconds in (0, 300], not {value!r}")
        return None
    return float(value)


def _default_name(carrier: str | None, settings: Mapping[str, Any] | None) -> str:
    shown = (settings or {}).get("display_name")
    if isinstance(shown, str) and shown.strip():
        return shown.strip()
    return (carrier or "Karrio carrier").replace("_", " ").title()
