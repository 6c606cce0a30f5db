"""Own-label rate cards: postcode zones and weight-band prices, read from a manager's CSV.

A rate card is one CSV file in sections. Each section starts with its header row; blank
rows, rows whose first cell starts with ``#`` and trailing empty cells (spreadsheets add
them) are ignored::

    zone,country,postcode_from,postcode_to
    NZ-AUCKLAND,NZ,0600,2699
    service,zone,max_weight_grams,base_price,per_kg_over
    ON,NZ-AUCKLAND,1000,6.50
    ON,NZ-AUCKLAND,5000,9.80,1.20
    setting,value
    rural_surcharge,4.90
    currency,NZD

A zone may have several postcode ranges; ranges of one country must not overlap.
Postcodes are four digits; shorter numbers get their leading zeros back ("870" → "0870"),
since spreadsheets drop them. ``per_kg_over`` may only be given on the heaviest band of a
service and zone: above that band, each started kilogram costs that much more. Prices
exclude GST. Parsing reports every problem at once as ``RateCardInvalid``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources

from station.carriers.base import COUNTRIES, cents
from station.carriers.errors import RateCardInvalid, RateCardProblem

ZONE_HEADER = ("zone", "country", "postcode_from", "postcode_to")
PRICE_HEADER = ("service", "zone", "max_weight_grams", "base_price", "per_kg_over")
SETTING_HEADER = ("setting", "value")
SETTINGS = ("currency", "rural_surcharge")
DEFAULT_RATE_CARD = "data/ownlabel_rates.csv"

_ZONE_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")
_SERVICE_CODE = re.compile(r"[A-Za-z0-9]{1,10}")
# Amounts under 100000 with up to 4 decimals: a price per parcel or per kg. A longer
# number is a slip, and would overflow the cents a consignment stores.
_MONEY = re.compile(r"\$?([0-9]{1,5}(?:\.[0-9]{1,4})?)")
AMOUNT_RULE = "an amount under 100000 like"
_GRAMS = re.compile(r"[0-9]{1,9}")


@dataclass(frozen=True, slots=True)
class ZoneRange:
    """Postcodes ``first``..``last`` (inclusive, as numbers) of ``country`` are in ``zone``."""

    zone: str
    country: str
    first: int
    last: int


@dataclass(frozen=True, slots=True)
class PriceBand:
    """A parcel up to ``max_weight_grams`` costs ``base_price`` for this service and zone.

    ``per_kg_over`` (heaviest band only) prices each started kilogram above the band;
    None means weights above the band are not priced.
    """

    service: str
    zone: str
    max_weight_grams: int
    base_price: Decimal
    per_kg_over: Decimal | None = None


@dataclass(frozen=True, slots=True)
class RateCard:
    """Zones by postcode and prices by service, zone and weight band (ex GST)."""

    zones: tuple[ZoneRange, ...]
    bands: tuple[PriceBand, ...]
    rural_surcharge: Decimal = Decimal("0.00")
    currency: str = "NZD"

    def zone_for(self, country: str, postcode: str) -> str | None:
        """The zone that covers ``postcode`` in ``country``, or None."""
        normal = normalise_postcode(postcode)
        if normal is None:
            return None
        number = int(normal)
        for zone in self.zones:
            if zone.country == country.strip().upper() and zone.first <= number <= zone.last:
                return zone.zone
        return None

    def bands_for(self, service: str, zone: str) -> tuple[PriceBand, ...]:
        """The bands for ``service`` to ``zone``, lightest first."""
        found = (b for b in self.bands if b.service == service and b.zone == zone)
        return tuple(sorted(found, key=lambda band: band.max_weight_grams))

    def parcel_cost(
        self, service: str, zone: str, weight_grams: int, *, rural: bool
    ) -> Decimal | None:
        """One parcel's price in cents (rural surcharge included), or None if not priced."""
        bands = self.bands_for(service, zone)
        if not bands or weight_grams <= 0:
            return None
        price = next((b.base_price for b in bands if weight_grams <= b.max_weight_grams), None)
        if price is None:
            heaviest = bands[-1]
            if heaviest.per_kg_over is None:
                return None
            extra_kg = -(-(weight_grams - heaviest.max_weight_grams) // 1000)
            price = heaviest.base_price + extra_kg * heaviest.per_kg_over
        if rural:
            price += self.rural_surcharge
        return cents(price)

    def services(self) -> frozenset[str]:
        """Codes of every service the card prices."""
        return frozenset(band.service for band in self.bands)


def normalise_postcode(postcode: str) -> str | None:
    """A 4-digit postcode with lost leading zeros restored, or None if it is not one."""
    text = postcode.strip()
    return text.zfill(4) if re.fullmatch(r"[0-9]{1,4}", text) else None


def load_rate_card(text: str, *, known_services: Collection[str] | None = None) -> RateCard:
    """Parse a rate card CSV; raises ``RateCardInvalid`` listing every problem by line.

    With ``known_services``, prices for any other service code are errors too.
    """
    return _Parser(known_services).parse(text)


@cache  # a file of the installed package: read once per process
def default_rate_card_text() -> str:
    """The CSV of the rate card shipped with Station (NZ and AU, several zones each)."""
    return resources.files("station.carriers").joinpath(DEFAULT_RATE_CARD).read_text("utf-8")


def load_default_rate_card() -> RateCard:
    """The rate card shipped with Station, which prices every NZ and AU demo address."""
    return load_rate_card(default_rate_card_text())


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    cells: tuple[str, ...]


class _Parser:
    """One parse of one CSV text: collects rows and every problem with its line."""

    def __init__(self, known_services: Collection[str] | None) -> None:
        self.known = None if known_services is None else frozenset(known_services)
        self.problems: list[RateCardProblem] = []
        self.zones: list[tuple[int, ZoneRange]] = []
        self.zone_country: dict[str, tuple[str, int]] = {}
        self.bands: list[tuple[int, PriceBand, bool]] = []  # (line, band, per-kg given?)
        self.settings: dict[str, tuple[str, int]] = {}

    def parse(self, text: str) -> RateCard:
        section = None
        for row in _rows(text.removeprefix("\ufeff"), self.error):
            header = tuple(cell.lower() for cell in row.cells)
            if header in (ZONE_HEADER, PRICE_HEADER, PRICE_HEADER[:4], SETTING_HEADER):
                section = header[0]
            elif section == "zone":
                self.zone_row(row)
            elif section == "service":
                self.price_row(row)
            elif section == "setting":
                self.setting_row(row)
            else:
                self.error(row.line, "expected a section header (zone,…  service,…  setting,value)")
        self.check_overlaps()
        self.check_bands()
        currency, rural_surcharge = self.read_settings()
        if not self.zones:
            self.error(0, "the rate card has no zones")
        if not self.bands:
            self.error(0, "the rate card has no prices")
        if self.problems:
            raise RateCardInvalid(sorted(self.problems, key=lambda p: p.line or float("inf")))
        return RateCard(
            zones=tuple(zone for _, zone in self.zones),
            bands=tuple(sorted((b for _, b, _ in self.bands), key=_band_order)),
            rural_surcharge=rural_surcharge,
            currency=currency,
        )

    def error(self, line: int, message: str, column: str = "") -> None:
        """Record a problem on ``line`` (0: the whole file), in ``column`` when one cell is wrong."""
        self.problems.append(RateCardProblem(line, column, message))

    def width(self, row: _Row, header: tuple[str, ...], minimum: int) -> bool:
        if minimum <= len(row.cells) <= len(header):
            return True
        wanted = f"{minimum}–{len(header)}" if minimum < len(header) else str(minimum)
        self.error(row.line, f"expected {wanted} values ({','.join(header)}), got {len(row.cells)}")
        return False

    def zone_row(self, row: _Row) -> None:
        if not self.width(row, ZONE_HEADER, len(ZONE_HEADER)):
            return
        zone, country, start, end = row.cells
        zone, country = zone.upper(), country.upper()
        ok = True
        if not _ZONE_CODE.fullmatch(zone):
            self.error(row.line, f"zone {zone!r} must be letters, digits, '-' or '_'", "zone")
            ok = False
        if country not in COUNTRIES:
            self.error(
                row.line, f"country {country!r} must be one of {', '.join(COUNTRIES)}", "country"
            )
            ok = False
        first, last = normalise_postcode(start), normalise_postcode(end)
        for label, raw, value in (("postcode_from", start, first), ("postcode_to", end, last)):
            if value is None:
                self.error(row.line, f"{label} {raw!r} is not a 4-digit postcode", label)
                ok = False
        if first is not None and last is not None and first > last:
            self.error(
                row.line, f"postcode_from {first} is after postcode_to {last}", "postcode_to"
            )
            ok = False
        seen = self.zone_country.get(zone)
        if ok and seen is not None and seen[0] != country:
            self.error(
                row.line, f"zone {zone} is already used for {seen[0]} (line {seen[1]})", "country"
            )
            ok = False
        if ok and first is not None and last is not None:
            self.zone_country.setdefault(zone, (country, row.line))
            self.zones.append((row.line, ZoneRange(zone, country, int(first), int(last))))

    def price_row(self, row: _Row) -> None:
        if not self.width(row, PRICE_HEADER, len(PRICE_HEADER) - 1):
            return
        service, zone, grams, base, *rest = row.cells
        per_kg_text = rest[0] if rest else ""
        service, zone = service.upper(), zone.upper()
        ok = True
        if not _SERVICE_CODE.fullmatch(service):
            self.error(row.line, f"service {service!r} must be 1–10 letters or digits", "service")
            ok = False
        elif self.known is not None and service not in self.known:
            self.error(
                row.line,
                f"unknown service {service} (known: {', '.join(sorted(self.known))})",
                "service",
            )
            ok = False
        weight = int(grams) if _GRAMS.fullmatch(grams) else 0
        if weight <= 0:
            self.error(
                row.line,
                f"max_weight_grams {grams!r} must be a whole number above 0",
                "max_weight_grams",
            )
            ok = False
        price = _money(base)
        if price is None:
            self.error(row.line, f"base_price {base!r} must be {AMOUNT_RULE} 6.50", "base_price")
            ok = False
        per_kg = _money(per_kg_text) if per_kg_text else None
        if per_kg_text and per_kg is None:
            self.error(
                row.line, f"per_kg_over {per_kg_text!r} must be {AMOUNT_RULE} 1.20", "per_kg_over"
            )
            ok = False
        if ok and price is not None:
            band = PriceBand(service, zone, weight, price, per_kg)
            self.bands.append((row.line, band, bool(per_kg_text)))

    def setting_row(self, row: _Row) -> None:
        if not self.width(row, SETTING_HEADER, len(SETTING_HEADER)):
            return
        name, value = row.cells[0].lower(), row.cells[1]
        if name not in SETTINGS:
            self.error(
                row.line, f"unknown setting {name!r} (known: {', '.join(SETTINGS)})", "setting"
            )
        elif name in self.settings:
            self.error(
                row.line, f"{name} is already set on line {self.settings[name][1]}", "setting"
            )
        else:
            self.settings[name] = (value, row.line)

    def check_overlaps(self) -> None:
        widest: dict[str, tuple[int, ZoneRange]] = {}
        for line, zone in sorted(self.zones, key=lambda item: (item[1].country, item[1].first)):
            before = widest.get(zone.country)
            if before is not None and zone.first <= before[1].last:
                self.error(
                    line,
                    f"{zone.country} postcodes {zone.first:04d}–{zone.last:04d} overlap zone "
                    f"{before[1].zone} {before[1].first:04d}–{before[1].last:04d} (line {before[0]})",
                    "postcode_from",
                )
            if before is None or zone.last > before[1].last:
                widest[zone.country] = (line, zone)

    def check_bands(self) -> None:
        seen: dict[tuple[str, str, int], int] = {}
        heaviest: dict[tuple[str, str], tuple[int, PriceBand]] = {}
        for line, band, _ in self.bands:
            if band.zone not in self.zone_country:
                self.error(line, f"zone {band.zone!r} is not defined in the zone section", "zone")
            key = (band.service, band.zone, band.max_weight_grams)
            if key in seen:
                self.error(
                    line,
                    f"{band.service} to {band.zone} up to {band.max_weight_grams} g "
                    f"is already priced on line {seen[key]}",
                    "max_weight_grams",
                )
            seen.setdefault(key, line)
            top = heaviest.get(key[:2])
            if top is None or band.max_weight_grams > top[1].max_weight_grams:
                heaviest[key[:2]] = (line, band)
        for line, band, per_kg_given in self.bands:
            top_line, top = heaviest[(band.service, band.zone)]
            if per_kg_given and line != top_line:
                self.error(
                    line,
                    f"per_kg_over only applies to the heaviest {band.service} band to "
                    f"{band.zone} (up to {top.max_weight_grams} g, line {top_line})",
                    "per_kg_over",
                )

    def read_settings(self) -> tuple[str, Decimal]:
        """The currency and rural surcharge, defaulting to NZD and 0.00."""
        currency, rural = "NZD", Decimal("0.00")
        if "currency" in self.settings:
            value, line = self.settings["currency"]
            if re.fullmatch(r"[A-Za-z]{3}", value):
                currency = value.upper()
            else:
                self.error(line, f"currency {value!r} must be a 3-letter code like NZD", "value")
        if "rural_surcharge" in self.settings:
            value, line = self.settings["rural_surcharge"]
            amount = _money(value)
            if amount is None:
                self.error(line, f"rural_surcharge {value!r} must be {AMOUNT_RULE} 4.90", "value")
            else:
                rural = amount
        return currency, rural


def _rows(text: str, error: Callable[[int, str], None]) -> Iterator[_Row]:
    """Non-blank, non-comment CSV rows with trailing empty cells dropped."""
    reader = csv.reader(io.StringIO(text))
    while True:
        try:
            raw = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            error(reader.line_num, f"not readable as CSV ({exc})")
            return
        cells = [cell.strip() for cell in raw]
        while cells and not cells[-1]:
            cells.pop()
        if cells and not cells[0].startswith("#"):
            yield _Row(reader.line_num, tuple(cells))


def _money(text: str) -> Decimal | None:
    """A non-negative amount under 100000 such as '6.50' or '$6.50', or None."""
    match = _MONEY.fullmatch(text.strip())
    return Decimal(match.group(1)) if match else None


def _band_order(band: PriceBand) -> tuple[str, str, int]:
    return (band.service, band.zone, band.max_weight_grams)
