"""Cost centre markup on freight charged to Cin7, and parcels from package presets."""

from __future__ import annotations

from decimal import Decimal

import pytest

from station.carriers import (
    CostCentre,
    PackagePreset,
    Parcel,
    ShipmentRefused,
    charged_amount,
    parcel_from_preset,
)

SATCHEL = PackagePreset("A4 satchel", length_mm=330, width_mm=250, height_mm=40, tare_grams=30)


class TestChargedAmount:
    @pytest.mark.parametrize(
        ("cost", "percent", "fixed", "charged"),
        [
            pytest.param("10.00", "0", "0", "10.00", id="no-markup"),
            pytest.param("10.00", "0", "2.50", "12.50", id="fixed-only"),
            pytest.param("10.00", "15", "0", "11.50", id="percent-only"),
            pytest.param("10.00", "15", "2.00", "13.50", id="percent-then-fixed"),
            pytest.param("9.99", "12.5", "0", "11.24", id="11.23875-rounds-up"),
            pytest.param("0.10", "5", "0", "0.11", id="half-cent-rounds-up-not-to-even"),
            pytest.param("1.01", "50", "0", "1.52", id="1.515-rounds-up"),
            pytest.param("33.33", "33.333", "0", "44.44", id="44.4398889-rounds-down"),
            pytest.param("0.00", "10", "5.00", "5.00", id="free-freight-still-gets-the-fixed"),
        ],
    )
    def test_cost_times_percent_plus_fixed_in_cents(
        self, cost: str, percent: str, fixed: str, charged: str
    ) -> None:
        centre = CostCentre("Retail", Decimal(percent), Decimal(fixed))
        result = charged_amount(Decimal(cost), centre)
        assert result == Decimal(charged)
        assert result.as_tuple().exponent == -2

    def test_no_cost_centre_charges_the_cost(self) -> None:
        assert charged_amount(Decimal("12.34"), None) == Decimal("12.34")

    def test_a_float_cost_is_refused(self) -> None:
        with pytest.raises(TypeError, match="finite Decimal"):
            charged_amount(12.34, None)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("percent", "fixed", "problem"),
        [
            (Decimal("-1"), Decimal("0"), "markup_percent cannot be negative (-1)"),
            (Decimal("0"), Decimal("-0.01"), "markup_fixed cannot be negative (-0.01)"),
            (15.0, Decimal("0"), "markup_percent must be a finite Decimal, not 15.0"),
            (Decimal("NaN"), Decimal("0"), "markup_percent must be a finite Decimal"),
        ],
    )
    def test_bad_markups_are_refused(self, percent: Decimal, fixed: Decimal, problem: str) -> None:
        with pytest.raises(ValueError, match=problem.replace("(", r"\(").replace(")", r"\)")):
            CostCentre("Retail", percent, fixed)


class TestPresets:
    def test_parcel_carries_the_preset_size_and_gross_weight(self) -> None:
        assert parcel_from_preset(SATCHEL, 1230) == Parcel(
            weight_grams=1230, length_mm=330, width_mm=250, height_mm=40, package="A4 satchel"
        )

    def test_gross_weight_equal_to_the_tare_is_allowed(self) -> None:
        assert parcel_from_preset(SATCHEL, 30).weight_grams == 30

    @pytest.mark.parametrize(
        ("gross", "problem"),
        [
            (0, "gross weight must be whole grams above 0, not 0"),
            (-200, "gross weight must be whole grams above 0, not -200"),
            (1.5, "gross weight must be whole grams above 0, not 1.5"),
            (True, "gross weight must be whole grams above 0, not True"),
            (
                29,
                "gross weight 0.029 kg is less than the empty A4 satchel (0.03 kg); weigh the packed parcel",
            ),
        ],
    )
    def test_unusable_weights_are_refused(self, gross: int, problem: str) -> None:
        with pytest.raises(ShipmentRefused) as caught:
            parcel_from_preset(SATCHEL, gross, reference="SO-1042")
        assert caught.value.problems == (problem,)
        assert caught.value.reference == "SO-1042"

    @pytest.mark.parametrize(
        ("changes", "problem"),
        [
            ({"name": " "}, "name is empty"),
            ({"length_mm": 0}, "length_mm must be whole millimetres above 0, not 0"),
            ({"width_mm": -1}, "width_mm must be whole millimetres above 0, not -1"),
            ({"height_mm": 2.5}, "height_mm must be whole millimetres above 0, not 2.5"),
            ({"tare_grams": -5}, "tare_grams must be whole grams of 0 or more, not -5"),
        ],
    )
    def test_bad_presets_are_refused(self, changes: dict[str, object], problem: str) -> None:
        fields: dict[str, object] = {
            "name": "Box",
            "length_mm": 300,
            "width_mm": 200,
            "height_mm": 100,
            "tare_grams": 250,
        }
        fields.update(changes)
        with pytest.raises(ValueError) as caught:
            PackagePreset(**fields)  # type: ignore[arg-type]
        assert str(caught.value).endswith(problem)
