"""Karrio bridge configuration: parsing a plain dict, every problem at once, no Karrio needed."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from station.carriers import CarrierMisconfigured, InMemoryConsignmentStore, Service
from station.carriers.karrio import KarrioCarrier, KarrioConfig

ROOT = Path(__file__).resolve().parents[2]


def test_a_plain_dict_becomes_a_config_with_defaults() -> None:
    config = KarrioConfig.from_dict(
        {
            "carrier": "generic",
            "settings": {"display_name": "Test Post", "custom_carrier_name": "test_post"},
            "services": [
                "standard_service",
                {"code": "ON", "name": "Overnight", "max_weight_grams": 25_000},
            ],
        }
    )
    assert config == KarrioConfig(
        carrier="generic",
        services=(
            Service("standard_service", "standard_service"),
            Service("ON", "Overnight", 25_000),
        ),
        settings={"display_name": "Test Post", "custom_carrier_name": "test_post"},
        code="karrio-generic",
        name="Test Post",
        label_format="PDF",
        tracking_url_template=None,
        timeout_seconds=30.0,
    )
    assert config.problems() == []


def test_settings_are_kept_out_of_repr_and_copied() -> None:
    settings = {"api_key": "s3cret-key", "display_name": "Test Post", "custom_carrier_name": "x"}
    config = KarrioConfig.from_dict(
        {"carrier": "generic", "settings": settings, "services": ["ON"]}
    )
    settings["api_key"] = "changed"
    assert "s3cret" not in repr(config)
    assert config.karrio_settings()["api_key"] == "s3cret-key"


def test_label_format_is_case_insensitive_and_the_name_falls_back_to_the_carrier() -> None:
    config = KarrioConfig.from_dict(
        {"carrier": "australia_post", "services": ["PP"], "label_format": "zpl"}
    )
    assert (config.label_format, config.name, config.code) == (
        "ZPL",
        "Australia Post",
        "karrio-australia_post",
    )


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(CarrierMisconfigured) as caught:
        KarrioConfig.from_dict(
            {
                "carrier": "Generic Post",
                "settings": ["not", "a", "mapping"],
                "services": [
                    "ON",
                    "ON",
                    {"code": " EC", "max_weight_grams": 0},
                    {"code": "HV", "name": "", "colour": "red"},
                    7,
                ],
                "code": "Karrio Generic!",
                "name": "  ",
                "label_format": "GIF",
                "tracking_url_template": "http://track.example.com/{ticket}",
                "timeout_seconds": 0,
                "password": "hunter2",
            }
        )
    assert caught.value.problems == (
        "'password' is not a Karrio setting",
        "carrier 'Generic Post' must be Karrio's carrier name: lower-case letters, digits "
        "and _ (e.g. 'generic', 'australiapost')",
        "'settings' must be a mapping, not list",
        "service code 'ON' is listed twice",
        "service 3: code must be Karrio's service code, not ' EC'",
        "service 3: max_weight_grams must be whole grams above 0, not 0",
        "service 4: 'colour' is not a service setting",
        "service 4: name must be non-empty text, not ''",
        "service 5 must be a code or a mapping, not int",
        "code 'Karrio Generic!' must be 1–40 lower-case letters, digits, _ or - (e.g. 'karrio-generic')",
        "name must be non-empty text, not '  '",
        "label_format 'GIF' must be one of PDF, ZPL, PNG",
        "tracking URL template 'http://track.example.com/{ticket}' must be an https:// URL",
        "timeout_seconds must be a number of seconds in (0, 300], not 0",
    )
    assert "hunter2" not in str(caught.value)
    assert str(caught.value).startswith("Karrio carrier (no carrier) is misconfigured: ")


@pytest.mark.parametrize(
    ("data", "problems"),
    [
        ({}, ("'carrier' is required", "'services' is required")),
        ({"carrier": "generic", "services": []}, ("at least one service is needed",)),
        (
            {"carrier": "generic", "services": "ON"},
            ("'services' must be a list of service codes, not str",),
        ),
    ],
)
def test_missing_or_empty_required_settings(
    data: dict[str, object], problems: tuple[str, ...]
) -> None:
    with pytest.raises(CarrierMisconfigured) as caught:
        KarrioConfig.from_dict(data)
    assert caught.value.problems == problems


def test_a_config_built_directly_is_checked_by_the_carrier() -> None:
    config = KarrioConfig(carrier="generic", services=(), label_format="GIF")
    with pytest.raises(CarrierMisconfigured) as caught:
        KarrioCarrier(config, InMemoryConsignmentStore())
    assert caught.value.problems == (
        "at least one service is needed",
        "label_format 'GIF' must be one of PDF, ZPL, PNG",
    )


def test_without_the_karrio_extra_the_carrier_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in [name for name in sys.modules if name == "karrio" or name.startswith("karrio.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "karrio", None)
    config = KarrioConfig.from_dict({"carrier": "generic", "services": ["standard_service"]})
    with pytest.raises(CarrierMisconfigured) as caught:
        KarrioCarrier(config, InMemoryConsignmentStore())
    assert caught.value.problems == (
        "Karrio is not installed: install Station with the karrio extra "
        "(pip install 'station[karrio]')",
    )


def test_importing_the_bridge_does_not_import_karrio() -> None:
    code = (
        "import sys, station.carriers.karrio as bridge; "
        "bridge.KarrioConfig.from_dict({'carrier': 'generic', 'services': ['x']}); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'karrio'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "module",
    sorted((ROOT / "station" / "carriers" / "karrio").glob("*.py")),
    ids=lambda path: path.name,
)
def test_the_bridge_imports_karrio_only_when_connecting(module: Path) -> None:
    tree = ast.parse(module.read_text("utf-8"))
    imported = [
        name
        for node in ast.walk(tree)
        for name in (
            [alias.name for alias in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else []
        )
    ]
    forbidden = ("karrio", "attr", "flask", "sqlalchemy", "station.web", "station.models")
    assert [
        name
        for name in imported
        if name.split(".")[0] in forbidden or name.startswith(forbidden[4:])
    ] == []
