"""FileTransport, MemoryTransport and the demo's VirtualPrinter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from printers.errors import PrinterNotReady, PrinterOffline, PrinterRejected
from printers.files import FileTransport, MemoryTransport, VirtualPrinter
from printers.transport import PrinterFormat, Transport, ensure_ready

ZPL = b"^XA^FDone^FS^XZ"
PDF = b"%PDF-1.7\n...%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


def test_file_transport_writes_numbered_files(tmp_path: Path) -> None:
    transport = FileTransport(tmp_path / "out", suffix=".zpl")
    transport.send(b"^XA^FD1^FS^XZ")
    second = transport.save(b"^XA^FD2^FS^XZ")
    paths = transport.saved()
    assert [p.read_bytes() for p in paths] == [b"^XA^FD1^FS^XZ", b"^XA^FD2^FS^XZ"]
    assert paths[-1] == second
    assert [p.name[:7] for p in paths] == ["000001-", "000002-"]
    assert all(p.suffix == ".zpl" for p in paths)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [p.name for p in paths]


def test_file_counter_continues_after_restart(tmp_path: Path) -> None:
    FileTransport(tmp_path, suffix=".zpl").send(ZPL)
    again = FileTransport(tmp_path, suffix=".zpl")
    assert again.save(ZPL).name.startswith("000002-")


def test_file_transport_on_unwritable_place(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(PrinterRejected):
        FileTransport(blocker / "sub", suffix=".zpl")
    with pytest.raises(PrinterRejected):
        FileTransport(tmp_path, suffix="zpl")
    transport = FileTransport(tmp_path / "gone", suffix=".zpl")
    (tmp_path / "gone").rmdir()
    assert transport.status().online is False
    with pytest.raises(PrinterOffline, match="cannot write"):
        transport.send(ZPL)


def test_memory_transport_keeps_jobs_and_plays_broken() -> None:
    memory = MemoryTransport("bench")
    assert isinstance(memory, Transport)
    memory.send(ZPL)
    assert memory.jobs == [ZPL]

    memory.offline = True
    assert not memory.status().online
    with pytest.raises(PrinterOffline, match="bench"):
        memory.send(ZPL)
    with pytest.raises(PrinterOffline):
        ensure_ready(memory)

    memory.offline, memory.problems = False, ("paper out",)
    assert memory.status().problems == ("paper out",)
    with pytest.raises(PrinterNotReady) as caught:
        memory.send(ZPL)
    assert caught.value.problems == ("paper out",)

    memory.problems = ()
    memory.fail_next(PrinterOffline("dropped mid-job", partial=True))
    with pytest.raises(PrinterOffline, match="dropped"):
        memory.send(ZPL)
    memory.send(b"^XA^FDtwo^FS^XZ")
    assert memory.jobs == [ZPL, b"^XA^FDtwo^FS^XZ"]
    assert ensure_ready(memory).ready


def test_virtual_printer_saves_and_lists_newest_first(tmp_path: Path) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    printer = VirtualPrinter(tmp_path / "labels")
    printer.send(ZPL)
    printer.send(PDF)
    last = printer.save(PNG)

    jobs = printer.jobs()
    assert [j.format for j in jobs] == [
        PrinterFormat.PNG_RASTER,
        PrinterFormat.PDF,
        PrinterFormat.ZPL,
    ]
    assert [j.path.suffix for j in jobs] == [".png", ".pdf", ".zpl"]
    assert jobs[0] == last
    assert [printer.read(j) for j in jobs] == [PNG, PDF, ZPL]
    assert [j.size for j in jobs] == [len(PNG), len(PDF), len(ZPL)]
    assert all(before <= j.created_at <= datetime.now(UTC) for j in jobs)
    assert printer.jobs(limit=1) == [last]

    assert printer.get(last.id) == last
    assert printer.get("../../etc/passwd") is None
    assert VirtualPrinter(tmp_path / "labels").jobs() == jobs  # the directory is the index
    assert printer.status().ready


def test_virtual_printer_rejects_unknown_bytes_and_prunes(tmp_path: Path) -> None:
    printer = VirtualPrinter(tmp_path, keep=2)
    with pytest.raises(PrinterRejected, match="ZPL, PDF or PNG"):
        printer.send(b"\x1b@hello")
    for n in range(4):
        printer.send(b"^XA^FD%d^FS^XZ" % n)
    assert [printer.read(j) for j in printer.jobs()] == [b"^XA^FD3^FS^XZ", b"^XA^FD2^FS^XZ"]
    assert len(list(tmp_path.iterdir())) == 2


@pytest.mark.parametrize("directory", ["../out", "office/../../out", "/etc/station-labels"])
def test_a_file_printer_outside_its_root_is_refused(tmp_path: Path, directory: str) -> None:
    root = tmp_path / "root"

    with pytest.raises(PrinterRejected, match="'..'|outside"):
        FileTransport(directory, suffix=".zpl", root=root)

    assert not (tmp_path / "out").exists()


def test_a_file_printer_under_its_root_writes_there(tmp_path: Path) -> None:
    root = tmp_path / "root"

    relative = FileTransport("office", suffix=".zpl", root=root).save(ZPL)
    absolute = FileTransport(root / "bench", suffix=".zpl", root=root).save(ZPL)

    assert relative.parent == root / "office" and absolute.parent == root / "bench"


def test_a_link_out_of_the_root_put_in_later_stops_the_write(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "static"
    outside.mkdir()
    transport = FileTransport("office", suffix=".zpl", root=root)
    (root / "office").rmdir()
    (root / "office").symlink_to(outside)

    with pytest.raises(PrinterRejected, match="outside"):
        transport.send(ZPL)

    assert list(outside.iterdir()) == []


def test_a_link_out_of_the_root_is_refused_from_the_start(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "static"
    outside.mkdir()
    root.mkdir()
    (root / "labels").symlink_to(outside)

    with pytest.raises(PrinterRejected, match="symbolic link"):
        VirtualPrinter("labels", root=root)
