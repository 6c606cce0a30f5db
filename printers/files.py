"""Printers that are not printers: a directory, a list in memory, the demo's virtual printer.

A printer's folder comes from whoever configures it, so with a ``root`` the file
printers write only inside that one folder: ``confine`` refuses ``..``, absolute paths
elsewhere and symbolic links that lead out, and every write checks again, because a
link can be put in place after the printer was saved.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from printers.errors import PrinterError, PrinterNotReady, PrinterOffline, PrinterRejected
from printers.transport import PrinterFormat, PrinterStatus, sniff_format

# Saved jobs are named "<counter>-<UTC timestamp><suffix>", e.g. 000042-20250301T101500123456Z.zpl
_STAMP = "%Y%m%dT%H%M%S%fZ"
_JOB_FILE = re.compile(r"^(?P<number>\d{6,})-(?P<stamp>\d{8}T\d{12}Z)(?P<suffix>\.[a-z0-9]+)$")
_SUFFIX = re.compile(r"^\.[a-z0-9]{1,8}$")


def directory_problem(directory: str | Path, root: Path, *, absolute: bool = True) -> str | None:
    """Why a printer may not write to ``directory`` under ``root``, or None when it may.

    A relative folder is taken under ``root``; an absolute one must lie in it (unless
    ``absolute`` is False: then only relative folders are taken).
    """
    path = Path(directory)
    if ".." in path.parts:
        return f"The folder {str(directory)!r} may not contain '..'; name a folder under {root}."
    if path.is_absolute() and not absolute:
        return f"The folder {str(directory)!r} must be relative (it is taken under the agent's folder)."
    inside = path if path.is_absolute() else root / path
    # resolve() follows every symbolic link that exists now, so a link out is caught too.
    if not inside.resolve().is_relative_to(root.resolve()):
        return (
            f"The folder {str(directory)!r} is outside {root}, the one folder file printers "
            "may write to (a symbolic link leading out counts as outside)."
        )
    return None


def confine(directory: str | Path, root: Path, *, printer: str | None = None) -> Path:
    """The folder ``directory`` names under ``root``; PrinterRejected when it leads elsewhere."""
    problem = directory_problem(directory, root)
    if problem:
        raise PrinterRejected(problem, printer=printer, problems=(problem,))
    path = Path(directory)
    return path if path.is_absolute() else root / path


class FileTransport:
    """Writes each job to a new file, atomically (temp file, then rename).

    With ``root`` the folder must be (and stay) inside it; see ``confine``.
    """

    def __init__(
        self,
        directory: str | Path,
        *,
        suffix: str,
        name: str | None = None,
        root: Path | None = None,
    ):
        if not _SUFFIX.match(suffix):
            raise PrinterRejected(f"file suffix {suffix!r} must look like '.zpl'", printer=name)
        self.root = root
        self.directory = Path(directory) if root is None else confine(directory, root, printer=name)
        self.suffix = suffix
        self.address = f"dir:{self.directory}"
        self.name = name or self.address
        self._lock = threading.Lock()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise PrinterRejected(
                f"cannot create the print directory {str(self.directory)!r}: {exc.strerror}",
                printer=self.name,
                address=self.address,
            ) from None
        numbers = [int(m["number"]) for m in map(_JOB_FILE.match, self._names()) if m]
        self._next = max(numbers, default=0) + 1

    def __repr__(self) -> str:
        return f"FileTransport({self.name!r}, {self.address})"

    def _names(self) -> list[str]:
        """File names currently in the directory (none if it is unreadable)."""
        try:
            return os.listdir(self.directory)
        except OSError:
            return []

    def save(self, data: bytes, *, suffix: str | None = None) -> Path:
        """Write one job to a new file and return its path."""
        suffix = suffix or self.suffix
        if not _SUFFIX.match(suffix):
            raise PrinterRejected(
                f"file suffix {suffix!r} must look like '.zpl'", printer=self.name
            )
        with self._lock:
            self._still_inside()
            try:
                fd, temp = tempfile.mkstemp(dir=self.directory, prefix=".job-", suffix=".part")
                try:
                    with os.fdopen(fd, "wb") as out:
                        out.write(data)
                        out.flush()
                        os.fsync(out.fileno())
                    while True:
                        stamp = datetime.now(UTC).strftime(_STAMP)
                        target = self.directory / f"{self._next:06d}-{stamp}{suffix}"
                        self._next += 1
                        if not target.exists():
                            break
                    os.replace(temp, target)
                except BaseException:
                    Path(temp).unlink(missing_ok=True)
                    raise
            except OSError as exc:
                raise PrinterOffline(
                    f"printer {self.name!r} cannot write to {str(self.directory)!r}: "
                    f"{exc.strerror or exc}",
                    printer=self.name,
                    address=self.address,
                ) from None
        return target

    def _still_inside(self) -> None:
        """Refuse to write when the folder now leads out of the root (a link put in later)."""
        if self.root is None:
            return
        problem = directory_problem(self.directory, self.root)
        if problem:
            raise PrinterRejected(
                f"printer {self.name!r} did not write: {problem}",
                printer=self.name,
                address=self.address,
                problems=(problem,),
            )

    def send(self, data: bytes) -> None:
        """Write one job to a new file."""
        self.save(data)

    def saved(self) -> list[Path]:
        """Paths of saved jobs, oldest first (by counter)."""
        found = [(int(m["number"]), m.string) for m in map(_JOB_FILE.match, self._names()) if m]
        return [self.directory / name for _, name in sorted(found)]

    def status(self) -> PrinterStatus:
        """Ready while the directory exists and is writable."""
        if self.directory.is_dir() and os.access(self.directory, os.W_OK):
            return PrinterStatus.ok()
        return PrinterStatus.offline(f"cannot write to {str(self.directory)!r}")


class MemoryTransport:
    """Keeps jobs in ``.jobs``; set ``.offline`` or ``.problems`` to play a broken printer.

    With ``problems`` set, ``send`` raises PrinterNotReady, as if the sender had asked first.
    ``fail_next(error)`` makes the next send raise that error (once each, in order).
    """

    def __init__(self, name: str = "memory") -> None:
        self.name = name
        self.address = "memory"
        self.jobs: list[bytes] = []
        self.offline = False
        self.problems: tuple[str, ...] = ()
        self._failures: list[PrinterError] = []
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"MemoryTransport({self.name!r}, jobs={len(self.jobs)})"

    def fail_next(self, error: PrinterError) -> None:
        """Queue an error for a coming send."""
        with self._lock:
            self._failures.append(error)

    def send(self, data: bytes) -> None:
        """Keep the job, or raise what this fake has been told to."""
        with self._lock:
            if self._failures:
                raise self._failures.pop(0)
            if self.offline:
                raise PrinterOffline(
                    f"printer {self.name!r} at memory is offline (set offline)",
                    printer=self.name,
                    address=self.address,
                )
            if self.problems:
                raise PrinterNotReady(
                    f"printer {self.name!r} is not ready: {', '.join(self.problems)}",
                    printer=self.name,
                    address=self.address,
                    problems=self.problems,
                )
            self.jobs.append(bytes(data))

    def status(self) -> PrinterStatus:
        """Report what the fake was told: offline, problems, or ready."""
        if self.offline:
            return PrinterStatus.offline("set offline")
        if self.problems:
            return PrinterStatus.not_ready(self.problems)
        return PrinterStatus.ok()


@dataclass(frozen=True, slots=True)
class VirtualJob:
    """One label the virtual printer saved."""

    id: str
    path: Path
    created_at: datetime
    size: int
    format: PrinterFormat


class VirtualPrinter:
    """The demo's default printer: saves labels as .zpl/.pdf/.png files a UI can list and show.

    The directory is the index: file names carry a counter and a UTC timestamp, the
    suffix gives the format, so a restart or a second process sees the same list.
    """

    def __init__(
        self,
        directory: str | Path,
        *,
        name: str = "virtual",
        keep: int | None = None,
        root: Path | None = None,
    ):
        self._files = FileTransport(directory, suffix=".bin", name=name, root=root)
        self.name = name
        self.address = self._files.address
        self.directory = self._files.directory
        self.keep = keep

    def __repr__(self) -> str:
        return f"VirtualPrinter({self.name!r}, {self.address})"

    def send(self, data: bytes) -> None:
        """Save one label."""
        self.save(data)

    def save(self, data: bytes) -> VirtualJob:
        """Save one label (ZPL, PDF or PNG) and return its entry."""
        fmt = sniff_format(data)
        if fmt is None:
            raise PrinterRejected(
                f"virtual printer {self.name!r} takes ZPL, PDF or PNG labels",
                printer=self.name,
                address=self.address,
            )
        job = self._entry(self._files.save(data, suffix=fmt.suffix))
        if self.keep is not None:
            for old in self.jobs()[self.keep :]:
                old.path.unlink(missing_ok=True)
        assert job is not None
        return job

    def _entry(self, path: Path) -> VirtualJob | None:
        """The job a saved file stands for, or None if it is not one (or is gone)."""
        match = _JOB_FILE.match(path.name)
        formats = {f.suffix: f for f in PrinterFormat}
        if not match or match["suffix"] not in formats:
            return None
        try:
            size = path.stat().st_size
        except OSError:
            return None
        created = datetime.strptime(match["stamp"], _STAMP).replace(tzinfo=UTC)
        return VirtualJob(path.stem, path, created, size, formats[match["suffix"]])

    def jobs(self, limit: int | None = None) -> list[VirtualJob]:
        """Saved labels, newest first."""
        entries = (self._entry(path) for path in reversed(self._files.saved()))
        found = [job for job in entries if job is not None]
        return found if limit is None else found[:limit]

    def get(self, job_id: str) -> VirtualJob | None:
        """One saved label by id (the file name without suffix), or None."""
        for fmt in PrinterFormat:
            candidate = f"{job_id}{fmt.suffix}"
            if _JOB_FILE.match(candidate):
                job = self._entry(self.directory / candidate)
                if job is not None:
                    return job
        return None

    def read(self, job: VirtualJob) -> bytes:
        """The saved label's bytes."""
        return job.path.read_bytes()

    def status(self) -> PrinterStatus:
        """Ready while its directory is writable."""
        return self._files.status()
