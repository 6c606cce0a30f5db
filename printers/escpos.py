"""ESC/POS raster printing through python-escpos: PNG label in, GS v 0 raster and a cut out.

The label is rendered elsewhere (as PNG); python-escpos's printer classes are only used
as *where the bytes go* (network, USB, serial, file, dummy), never subclassed.
"""

from __future__ import annotations

import contextlib
import io
import threading
from pathlib import Path

from escpos import exceptions as escpos_errors
from escpos.capabilities import get_profile
from escpos.escpos import Escpos
from escpos.printer import Dummy, File, Network, Serial, Usb
from PIL import Image, UnidentifiedImageError

from printers.errors import PrinterOffline, PrinterRejected
from printers.transport import PrinterStatus, format_address

_IMPLS = ("bitImageRaster", "graphics", "bitImageColumn")
_MAX_PIXELS = 4000 * 4000  # far above any label; guards against decompression bombs


def _check_profile(profile: str | None, name: str | None, address: str) -> None:
    """PrinterRejected unless python-escpos knows this printer profile."""
    if profile is None:
        return
    try:
        get_profile(profile)
    except KeyError:
        raise PrinterRejected(
            f"python-escpos has no printer profile {profile!r}", printer=name, address=address
        ) from None


class EscposTransport:
    """Prints PNG labels as raster images on an ESC/POS printer, then cuts."""

    def __init__(
        self,
        printer: Escpos,
        *,
        name: str,
        address: str | None = None,
        impl: str = "bitImageRaster",
        cut: bool = True,
        fragment_height: int = 960,
    ) -> None:
        if impl not in _IMPLS:
            raise PrinterRejected(f"unknown ESC/POS image mode {impl!r}", printer=name)
        self.printer = printer
        self.name = name
        self.address = address or type(printer).__name__.lower()
        self.impl = impl
        self.cut = cut
        self.fragment_height = fragment_height
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"EscposTransport({self.name!r}, {self.address})"

    @classmethod
    def network(
        cls,
        host: str,
        port: int = 9100,
        *,
        timeout: float = 5.0,
        name: str | None = None,
        profile: str | None = None,
    ) -> EscposTransport:
        """An ESC/POS printer on the network (raw TCP)."""
        address = format_address(host, port)
        _check_profile(profile, name, address)
        printer = Network(host, port, timeout=timeout, profile=profile)
        return cls(printer, name=name or address, address=address)

    @classmethod
    def usb(
        cls,
        vendor_id: int,
        product_id: int,
        *,
        name: str | None = None,
        profile: str | None = None,
    ) -> EscposTransport:
        """A USB ESC/POS printer (needs pyusb; PrinterRejected without it)."""
        address = f"usb:{vendor_id:04x}:{product_id:04x}"
        if not Usb.is_usable():
            raise PrinterRejected(
                "USB printing needs the pyusb package", printer=name, address=address
            )
        _check_profile(profile, name, address)
        printer = Usb(vendor_id, product_id, profile=profile)
        return cls(printer, name=name or address, address=address)

    @classmethod
    def serial(
        cls,
        devfile: str,
        baudrate: int = 9600,
        *,
        timeout: float = 5.0,
        name: str | None = None,
        profile: str | None = None,
    ) -> EscposTransport:
        """A serial ESC/POS printer (needs pyserial; PrinterRejected without it)."""
        address = f"serial:{devfile}@{baudrate}"
        if not Serial.is_usable():
            raise PrinterRejected(
                "serial printing needs the pyserial package", printer=name, address=address
            )
        _check_profile(profile, name, address)
        printer = Serial(devfile, baudrate, timeout=timeout, profile=profile)
        return cls(printer, name=name or address, address=address)

    @classmethod
    def file(
        cls, path: str | Path, *, name: str | None = None, profile: str | None = None
    ) -> EscposTransport:
        """A device file such as /dev/usb/lp0 (each job reopens and overwrites it)."""
        address = f"file:{path}"
        _check_profile(profile, name, address)
        return cls(File(str(path), profile=profile), name=name or address, address=address)

    @classmethod
    def dummy(cls, *, name: str = "escpos-dummy", profile: str | None = None) -> EscposTransport:
        """Collects bytes in memory (``transport.printer.output``), for tests and previews."""
        _check_profile(profile, name, "dummy")
        return cls(Dummy(profile=profile), name=name, address="dummy")

    def _load(self, data: bytes) -> Image.Image:
        """Decode the PNG, or PrinterRejected when it is not a usable image."""
        try:
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > _MAX_PIXELS:
                raise PrinterRejected(
                    f"label image {image.width}x{image.height} is too large", printer=self.name
                )
            image.load()
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
            raise PrinterRejected(
                f"ESC/POS printer {self.name!r} needs a PNG label image: {exc}",
                printer=self.name,
                address=self.address,
            ) from None
        return image

    def send(self, data: bytes) -> None:
        """Print one PNG label as a raster image and cut; open and close around each job."""
        image = self._load(data)
        with self._lock:
            try:
                self.printer.open()
                self.printer.image(
                    image, impl=self.impl, fragment_height=self.fragment_height, center=False
                )
                if self.cut:
                    self.printer.cut()
            except escpos_errors.DeviceNotFoundError as exc:
                raise self._offline(str(exc).strip()) from None
            except (escpos_errors.ImageWidthError, escpos_errors.ImageSizeError) as exc:
                raise PrinterRejected(
                    f"{self._who()} cannot take this label: image too wide ({exc})",
                    printer=self.name,
                    address=self.address,
                ) from None
            except OSError as exc:
                raise self._offline(exc.strerror or str(exc), partial=True) from None
            except (escpos_errors.Error, RuntimeError) as exc:
                raise PrinterRejected(
                    f"{self._who()} rejected the job: {exc}",
                    printer=self.name,
                    address=self.address,
                ) from None
            finally:
                self._close()

    def _close(self) -> None:
        """Close the device; a failing close must not hide the job's own outcome."""
        with contextlib.suppress(OSError, RuntimeError, escpos_errors.Error):
            self.printer.close()

    def _who(self) -> str:
        """The printer's name and address for messages."""
        return f"ESC/POS printer {self.name!r} at {self.address}"

    def _offline(self, why: str, *, partial: bool = False) -> PrinterOffline:
        """A PrinterOffline naming this printer."""
        return PrinterOffline.naming(
            self._who(), why, printer=self.name, address=self.address, partial=partial
        )

    def status(self) -> PrinterStatus:
        """ESC/POS status needs a two-way link we do not rely on: assume ready."""
        return PrinterStatus.ok("status not available for ESC/POS printers")
