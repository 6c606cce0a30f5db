"""Golden files of labels, and the text fields of a ZPL label."""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

import pytest


def assert_golden(name: str, data: bytes) -> None:
    """Compare ``data`` with a stored golden file; STATION_UPDATE_GOLDEN=1 rewrites it."""
    path = GOLDEN / name
    if os.environ.get("STATION_UPDATE_GOLDEN") == "1":
        path.write_bytes(data)
    if not path.exists():
        pytest.fail(f"no golden file {path}; run with STATION_UPDATE_GOLDEN=1 to create it")
    expected = path.read_bytes()
    if data != expected:
        diff = "\n".join(
            difflib.unified_diff(
                expected.decode("ascii", "replace").splitlines(),
                data.decode("ascii", "replace").splitlines(),
                "golden",
                "rendered",
                lineterm="",
                n=1,
            )
        )
        pytest.fail(
            f"ZPL differs from {path.name}. If the change is intended, rerun with "
            f"STATION_UPDATE_GOLDEN=1 and review the diff in git.\n{diff}"
        )


def field_texts(zpl: bytes) -> list[str]:
    """Decode every ^FH_ text field (not barcodes) back to the text the printer shows."""
    texts = []
    for line in zpl.decode("ascii").splitlines():
        match = re.search(r"\^A0N,\d+,\d+\^FH_\^FD(.*)\^FS$", line)
        if match:
            raw = re.sub(rb"_([0-9A-F]{2})", lambda m: bytes([int(m[1], 16)]), match[1].encode())
            texts.append(raw.decode("utf-8"))
    return texts


GOLDEN = Path(__file__).parent / "golden"
