"""CupsTransport with a fake ``lp`` script standing in for CUPS."""

from __future__ import annotations

from pathlib import Path

import pytest

from printers.cups import CupsTransport
from printers.errors import PrinterOffline, PrinterRejected

LABEL = b"^XA^FO50,50^FDHello^FS^XZ"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def fake_lp(tmp_path: Path, body: str) -> Path:
    """Write an executable ``lp`` that records its arguments and stdin, then runs body."""
    script = tmp_path / "lp"
    script.write_text(
        f'#!/bin/sh\nprintf "%s\\n" "$@" > "{tmp_path}/argv"\ncat > "{tmp_path}/stdin"\n{body}\n'
    )
    script.chmod(0o755)
    return script


def test_raw_job_goes_to_lp_stdin(tmp_path: Path) -> None:
    lp = fake_lp(tmp_path, 'echo "request id is q-1 (1 file(s))"')
    transport = CupsTransport("Zebra_ZD420", lp_path=str(lp), options={"job-priority": "80"})
    transport.send(LABEL)
    assert (tmp_path / "stdin").read_bytes() == LABEL
    argv = (tmp_path / "argv").read_text().split("\n")[:-1]
    assert argv == ["-d", "Zebra_ZD420", "-o", "raw", "-o", "job-priority=80"]
    assert transport.last_request_id == "q-1"
    assert transport.status().ready


def test_pdf_is_not_sent_raw(tmp_path: Path) -> None:
    lp = fake_lp(tmp_path, 'echo "request id is office-7 (1 file(s))"')
    transport = CupsTransport("office", lp_path=str(lp), options={"fit-to-page": ""})
    transport.send(PDF)
    assert (tmp_path / "stdin").read_bytes() == PDF
    assert (tmp_path / "argv").read_text().split("\n")[:-1] == ["-d", "office", "-o", "fit-to-page"]
    assert transport.last_request_id == "office-7"


def test_lp_failure_is_rejected_with_its_stderr(tmp_path: Path) -> None:
    lp = fake_lp(tmp_path, 'echo "lp: The printer or class does not exist." >&2; exit 1')
    with pytest.raises(PrinterRejected) as caught:
        CupsTransport("nope", lp_path=str(lp), name="Shelf").send(LABEL)
    assert "The printer or class does not exist." in str(caught.value)
    assert "Shelf" in str(caught.value) and "nope" in str(caught.value)


def test_spooler_down_is_offline(tmp_path: Path) -> None:
    lp = fake_lp(tmp_path, 'echo "lp: Unable to connect to server: Connection refused" >&2; exit 1')
    with pytest.raises(PrinterOffline, match="Unable to connect"):
        CupsTransport("zebra", lp_path=str(lp)).send(LABEL)


def test_hanging_lp_times_out(tmp_path: Path) -> None:
    lp = fake_lp(tmp_path, "exec sleep 5")
    with pytest.raises(PrinterOffline, match="did not finish"):
        CupsTransport("zebra", lp_path=str(lp), timeout=0.3).send(LABEL)


def test_missing_lp_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(PrinterRejected, match="not found"):
        CupsTransport("zebra", lp_path=str(tmp_path / "no-lp")).send(LABEL)


@pytest.mark.parametrize("queue", ["", "-o", "two words", "a;b"])
def test_queue_names_that_could_be_options_are_rejected(queue: str) -> None:
    with pytest.raises(PrinterRejected, match="queue"):
        CupsTransport(queue)
