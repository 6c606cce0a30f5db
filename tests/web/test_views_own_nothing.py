"""Views parse, call one service and render: none commits or writes an audit entry itself.

Services own the unit of work (``station/uow.py``) and the audit trail, so a change made
from any screen is audited the same way as from any other (``test_audit_walk`` checks
the entries are written; this checks where they are written).
"""

from __future__ import annotations

import re
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "station" / "web"
OWNED_BY_SERVICES = re.compile(r"\bcommit\(|\baudit\.record\(|\brecord_audit\(")


def test_no_view_commits_or_records_an_audit_entry() -> None:
    found = [
        f"{path.relative_to(WEB.parent.parent)}:{number}: {line.strip()}"
        for path in sorted(WEB.rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if OWNED_BY_SERVICES.search(line.split("#", 1)[0])
    ]

    assert not found, "\n".join(found)


def test_the_check_reads_every_view_module() -> None:
    modules = {path.stem for path in WEB.rglob("*.py")}

    assert {"bench", "orders", "printers", "inbox", "users", "auth", "settings"} <= modules
