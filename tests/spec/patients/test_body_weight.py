"""Body-weight formulas: Devine IBW, adjusted weight, BMI and the dosing-weight basis.

Sources: docs/clinical/dosing.md#body-weight-basis, docs/clinical/dosing.md#rule-13 (Devine 1974;
AdjBW = IBW + 0.4 x (TBW - IBW)).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.core.codes import SexAtBirth
from ketacare.core.errors import Invalid
from ketacare.core.patients.body_weight import (
    BodyMeasurements,
    WeightBasis,
    adjusted_body_weight,
    body_mass_index,
    dosing_weight,
    ideal_body_weight,
)
from ketacare.core.units import round_down

D = Decimal  # short alias keeps the worked-example tables readable

MALE, FEMALE = SexAtBirth.MALE, SexAtBirth.FEMALE
DAY = date(2025, 3, 3)


@pytest.mark.parametrize(
    ("height_cm", "sex", "expected_kg"),
    [
        pytest.param("152.4", MALE, "50", id="60in-male-base"),
        pytest.param("152.4", FEMALE, "45.5", id="60in-female-base"),
        pytest.param("180.34", MALE, "75.3", id="71in-male"),
        pytest.param("180.34", FEMALE, "70.8", id="71in-female"),
        pytest.param("190.5", MALE, "84.5", id="75in-male"),
        pytest.param("190.5", FEMALE, "80.0", id="75in-female"),
        pytest.param("250", MALE, "138.37", id="tallest-plausible-male"),
    ],
)
def test_devine_ideal_body_weight(height_cm: str, sex: SexAtBirth, expected_kg: str) -> None:
    assert round_down(ideal_body_weight(D(height_cm), sex), D("0.01")) == D(expected_kg)


@pytest.mark.parametrize(
    ("height_cm", "sex", "expected_kg"),
    [
        pytest.param("175", MALE, "70.464", id="175cm-male"),
        pytest.param("175", FEMALE, "65.964", id="175cm-female"),
        pytest.param("160", FEMALE, "52.381", id="160cm-female"),
    ],
)
def test_ideal_basis_rounds_down_to_the_gram(
    height_cm: str, sex: SexAtBirth, expected_kg: str
) -> None:
    body = BodyMeasurements(D(90), DAY, D(height_cm), sex)
    assert dosing_weight(body, WeightBasis.IDEAL) == D(expected_kg)


def test_devine_refuses_heights_below_60_inches() -> None:
    with pytest.raises(Invalid) as info:
        ideal_body_weight(D("152.3"), FEMALE)
    assert info.value.code == "patient.height_below_devine_range"
    assert info.value.field == "height_cm"


@pytest.mark.parametrize(
    ("actual", "ideal", "expected"),
    [
        pytest.param("120", "70", "90", id="obese-40pct-of-excess"),
        pytest.param("70", "70", "70", id="at-ideal"),
        pytest.param("60", "70", "66", id="below-ideal"),
    ],
)
def test_adjusted_body_weight(actual: str, ideal: str, expected: str) -> None:
    assert adjusted_body_weight(D(actual), D(ideal)) == D(expected)


@pytest.mark.parametrize(
    ("basis", "expected_kg"),
    [
        pytest.param(WeightBasis.ACTUAL, "120", id="actual"),
        pytest.param(WeightBasis.IDEAL, "75.3", id="ideal"),
        pytest.param(WeightBasis.ADJUSTED, "93.18", id="adjusted-75.3+0.4x44.7"),
    ],
)
def test_dosing_weight_by_basis(basis: WeightBasis, expected_kg: str) -> None:
    body = BodyMeasurements(D(120), DAY, D("180.34"), MALE)
    assert dosing_weight(body, basis) == D(expected_kg)


@pytest.mark.parametrize(
    ("weight", "height", "expected"),
    [
        pytest.param("80", "175", "26.1", id="80kg-175cm"),
        pytest.param("70", "180", "21.6", id="70kg-180cm"),
        pytest.param("120", "160", "46.9", id="120kg-160cm"),
    ],
)
def test_body_mass_index(weight: str, height: str, expected: str) -> None:
    assert body_mass_index(D(weight), D(height)) == D(expected)


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        pytest.param({"weight_kg": D(0)}, "patient.weight_out_of_range", "weight_kg", id="w0"),
        pytest.param({"weight_kg": D(-5)}, "patient.weight_out_of_range", "weight_kg", id="wneg"),
        pytest.param(
            {"weight_kg": D("400.1")}, "patient.weight_out_of_range", "weight_kg", id="w>400"
        ),
        pytest.param(
            {"height_cm": D("99.9")}, "patient.height_out_of_range", "height_cm", id="h<100"
        ),
        pytest.param(
            {"height_cm": D("250.1")}, "patient.height_out_of_range", "height_cm", id="h>250"
        ),
    ],
)
def test_implausible_measurements_are_refused(kwargs: dict[str, D], code: str, field: str) -> None:
    values: dict[str, Any] = {"weight_kg": D(70), "weight_measured_on": DAY, "height_cm": None}
    with pytest.raises(Invalid) as info:
        BodyMeasurements(**(values | kwargs))
    assert (info.value.code, info.value.field) == (code, field)


@pytest.mark.parametrize(
    ("weight", "height"),
    [pytest.param("400", "250", id="upper-bounds"), pytest.param("0.1", "100", id="lower-bounds")],
)
def test_bounds_are_inclusive(weight: str, height: str) -> None:
    body = BodyMeasurements(D(weight), DAY, D(height), FEMALE)
    assert dosing_weight(body, WeightBasis.ACTUAL) == D(weight)


@pytest.mark.parametrize(
    ("height", "sex", "field"),
    [
        pytest.param(None, FEMALE, "height_cm", id="no-height"),
        pytest.param(D(170), None, "sex_at_birth", id="no-sex"),
    ],
)
@pytest.mark.parametrize("basis", [WeightBasis.IDEAL, WeightBasis.ADJUSTED])
def test_ideal_and_adjusted_need_height_and_sex(
    height: D | None, sex: SexAtBirth | None, field: str, basis: WeightBasis
) -> None:
    with pytest.raises(Invalid) as info:
        dosing_weight(BodyMeasurements(D(80), DAY, height, sex), basis)
    assert info.value.field == field


heights = st.decimals(min_value=D("152.4"), max_value=D(250), places=1)


@given(heights)
def test_female_ibw_is_45_kg_less_than_male(height: D) -> None:
    difference = ideal_body_weight(height, MALE) - ideal_body_weight(height, FEMALE)
    assert abs(difference - D("4.5")) < D("1e-20")  # Decimal context precision is 28 digits


@given(heights, heights)
def test_ibw_increases_with_height(a: D, b: D) -> None:
    low, high = sorted((a, b))
    assert ideal_body_weight(low, FEMALE) <= ideal_body_weight(high, FEMALE)


@given(st.decimals(min_value=D(30), max_value=D(400), places=1), heights)
def test_adjusted_weight_lies_between_ideal_and_actual(actual: D, height: D) -> None:
    ideal = ideal_body_weight(height, MALE)
    adjusted = adjusted_body_weight(actual, ideal)
    assert min(actual, ideal) <= adjusted <= max(actual, ideal)
