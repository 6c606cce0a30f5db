"""What a shipment is charged on to Cin7 (cost centre markup), and parcels from box presets."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from station.carriers.base import Parcel, cents
from station.carriers.errors import ShipmentRefused
from station.labels.layout import format_weight


@dataclass(frozen=True, slots=True)
class CostCentre:
    """A cost centre's freight markup: a percentage of cost, then a fixed amount (ex GST).

    Raises ``ValueError`` for floats (money is Decimal) or negative markups.
    """

    name: str
    markup_percent: Decimal = Decimal("0")
    markup_fixed: Decimal = Decimal("0.00")

    def __post_init__(self) -> None:
        problems = []
        if not self.name.strip():
            problems.append("name is empty")
        for label, value in (
            ("markup_percent", self.markup_percent),
            ("markup_fixed", self.markup_fixed),
        ):
            if not isinstance(value, Decimal) or not value.is_finite():
                problems.append(f"{label} must be a finite Decimal, not {value!r}")
            elif value < 0:
                problems.append(f"{label} cannot be negative ({value})")
        if problems:
            raise ValueError(f"cost centre {self.name!r}: " + "; ".join(problems))


def charged_amount(cost: Decimal, centre: CostCentre | None) -> Decimal:
    """``cost`` × (1 + percent/100) + fixed, rounded to cents half up; ``cost`` if no centre."""
    if not isinstance(cost, Decimal) or not cost.is_finite():
        raise TypeError(f"cost must be a finite Decimal, not {cost!r}")
    if centre is None:
        return cents(cost)
    return cents(cost * (1 + centre.markup_percent / 100) + centre.markup_fixed)


@dataclass(frozen=True, slots=True)
class PackagePreset:
    """A box or satchel the bench uses often: outside size in mm and empty weight in grams.

    Raises ``ValueError`` for sizes that are not positive or a negative tare.
    """

    name: str
    length_mm: int
    width_mm: int
    height_mm: int
    tare_grams: int = 0

    def __post_init__(self) -> None:
        problems = [] if self.name.strip() else ["name is empty"]
        for label in ("length_mm", "width_mm", "height_mm"):
            value = getattr(self, label)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                problems.append(f"{label} must be whole millimetres above 0, not {value!r}")
        tare = self.tare_grams
        if isinstance(tare, bool) or not isinstance(tare, int) or tare < 0:
            problems.append(f"tare_grams must be whole grams of 0 or more, not {tare!r}")
        if problems:
            raise ValueError(f"package preset {self.name!r}: " + "; ".join(problems))


def parcel_from_preset(
    preset: PackagePreset, gross_weight_grams: int, *, reference: str = ""
) -> Parcel:
    """A parcel in ``preset``'s box weighing ``gross_weight_grams`` (box included).

    Raises ``ShipmentRefused`` when the weight is not whole grams above 0 or is less
    than the empty box (a scale or typing mistake).
    """
    gross = gross_weight_grams
    if isinstance(gross, bool) or not isinstance(gross, int) or gross <= 0:
        problem = f"gross weight must be whole grams above 0, not {gross!r}"
        raise ShipmentRefused(reference, [problem])
    if gross < preset.tare_grams:
        problem = (
            f"gross weight {format_weight(gross)} is less than the empty {preset.name} "
            f"({format_weight(preset.tare_grams)}); weigh the packed parcel"
        )
        raise ShipmentRefused(reference, [problem])
    return Parcel(
        weight_grams=gross,
        length_mm=preset.length_mm,
        width_mm=preset.width_mm,
        height_mm=preset.height_mm,
        package=preset.name,
    )
