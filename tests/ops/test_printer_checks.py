"""The doctor's printer checks: a real TCP listener and a closed port, agents by when they
were last seen, folders, devices and CUPS by what is on this machine."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from printers.testing import ZebraListener
from station.db import utcnow
from station.models import PrintAgent, Printer
from station.ops.checks import Check, Status
from station.ops.printer_checks import check_printer, check_printers
from tests.fakes.ports import free_port

NOW = utcnow()


def printer(session: Session, name: str = "Bench 1", **spec: Any) -> Printer:
    row = Printer(name=name, spec={"format": "zpl", **spec})
    session.add(row)
    session.commit()
    return row


def test_a_listening_printer_accepts_a_connection_and_prints_nothing(ctx: Session) -> None:
    with ZebraListener() as zebra:
        row = printer(ctx, transport="tcp9100", host="127.0.0.1", port=zebra.port)

        check = check_printer(row, now=NOW, timeout=2)

    assert check == Check("printer Bench 1", Status.OK, f"{zebra.address} accepts connections")
    assert zebra.jobs == [] and zebra.queries == 0


def test_a_closed_port_fails_with_the_address(ctx: Session) -> None:
    port = free_port()
    row = printer(ctx, transport="tcp9100", host="127.0.0.1", port=port)

    check = check_printer(row, now=NOW, timeout=1)

    assert check.status is Status.FAIL
    assert check.detail.startswith(f"no connection to 127.0.0.1:{port} within 1 s: ")
    assert "refused" in check.detail.lower()


def test_a_misconfigured_printer_fails_with_every_problem(ctx: Session) -> None:
    row = printer(ctx, transport="tcp9100", port=70000)

    check = check_printer(row, now=NOW, timeout=1)

    assert check.status is Status.FAIL
    assert "tcp9100 needs a host name or IP address" in check.detail
    assert "port 70000 is not between 1 and 65535" in check.detail


class TestAgentPrinters:
    @pytest.mark.parametrize(
        ("seen", "revoked", "status", "detail"),
        [
            (timedelta(seconds=20), False, Status.OK, "printed by agent Packing PC, seen 20 s ago"),
            (
                timedelta(minutes=12),
                False,
                Status.WARN,
                "printed by agent Packing PC, last seen 12 min ago: "
                "is `station agent` running on that PC?",
            ),
            (
                None,
                False,
                Status.WARN,
                "printed by agent Packing PC, which has never connected: "
                "start `station agent` on it",
            ),
            (
                timedelta(seconds=5),
                True,
                Status.FAIL,
                "printed by agent Packing PC, whose token was revoked: register the agent again",
            ),
        ],
    )
    def test_an_agent_printer_is_judged_by_its_agent(
        self,
        ctx: Session,
        seen: timedelta | None,
        revoked: bool,
        status: Status,
        detail: str,
    ) -> None:
        agent = PrintAgent(
            name="Packing PC",
            token_hash="0" * 64,
            last_seen_at=None if seen is None else NOW - seen,
            revoked_at=NOW if revoked else None,
        )
        row = printer(ctx, transport="tcp9100", host="10.9.9.9")  # reached only from the PC
        row.agent = agent
        ctx.commit()

        assert check_printer(row, now=NOW, timeout=1) == Check("printer Bench 1", status, detail)


def test_folders_must_be_writable(ctx: Session, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    good = printer(ctx, "Virtual", transport="virtual", directory=str(tmp_path / "labels"))
    bad = printer(ctx, "Files", transport="file", directory=str(tmp_path / "a-file" / "labels"))

    assert check_printer(good, now=NOW, timeout=1) == Check(
        "printer Virtual", Status.OK, f"saves to {tmp_path / 'labels'}, which is writable"
    )
    failed = check_printer(bad, now=NOW, timeout=1)
    assert failed.status is Status.FAIL
    assert "cannot create the print directory" in failed.detail


def test_a_serial_printer_needs_its_device(ctx: Session, tmp_path: Path) -> None:
    device = tmp_path / "ttyUSB0"
    device.write_bytes(b"")
    here = printer(ctx, "Receipts", format="png", transport="escpos-serial", device=str(device))
    gone = printer(ctx, "Old", format="png", transport="escpos-serial", device="/dev/nope0")

    assert check_printer(here, now=NOW, timeout=1) == Check(
        "printer Receipts", Status.OK, f"device {device} is present"
    )
    assert check_printer(gone, now=NOW, timeout=1).status is Status.FAIL


def test_a_cups_queue_needs_the_lp_command(
    ctx: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    row = printer(ctx, "Office", format="pdf", transport="cups", queue="office")
    monkeypatch.setenv("PATH", str(tmp_path))

    missing = check_printer(row, now=NOW, timeout=1)
    lp = tmp_path / "lp"
    lp.write_text("#!/bin/sh\n")
    lp.chmod(0o755)
    found = check_printer(row, now=NOW, timeout=1)

    assert missing.status is Status.FAIL and "`lp` command is missing" in missing.detail
    assert found.status is Status.OK and found.detail.startswith("CUPS queue office")


def test_only_active_printers_are_checked_and_none_is_a_warning(ctx: Session) -> None:
    row = printer(ctx, transport="memory")
    row.active = False
    ctx.commit()

    assert check_printers(ctx, now=NOW) == [
        Check("printers", Status.WARN, "no active printers: add one on /printers")
    ]
